"""The statement lifecycle, its guards, sensitivity rules and the ledger (no Flask here)."""

# The sealer subscribes to the ledger's writes when imported: loaded with the package, every writer has it.
from workflow.ledger import sealing as _sealing  # noqa: F401
