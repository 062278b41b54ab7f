"""The statement lifecycle: statements and their versions, every decision and every read of them."""
