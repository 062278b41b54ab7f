"""Benchmarks: PressGate measured beside the ceilings of its own stack and database, in one run."""
