"""Disclosure tracing: access logs, fingerprinted copies, matching leaked text, cases and violations."""
