"""Benchmark scripts for the scheduling engine (run as ``python -m benchmarks.<name>``)."""
