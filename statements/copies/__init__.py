"""Copies of statements: each unreleased one names its recipient, carries a fingerprint and is on the ledger."""
