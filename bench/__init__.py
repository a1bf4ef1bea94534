"""Dataset generator and benchmarks: `python -m bench.run` (make bench)."""
