"""Benchmarks: `make bench` (bench.py), and the restart under load (restart.py)."""
