"""nnmc benchmarks (not part of the installed package). Run with ``python -m benchmarks``."""
