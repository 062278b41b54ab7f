"""The auditors' feature: the ledger's pages and API, its verification and export, its commands, the replay."""
