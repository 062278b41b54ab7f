"""The statement lifecycle, its guards, sensitivity rules and the ledger (no Flask here)."""
