"""Benchmarks: a deterministic data generator, a load driver, and the results they write (README.md)."""
