"""Performance benchmarks of parallel-codegen: scheduler, pipeline, cost and scale.

Run them with `python -m benchmarks` (or `make bench`); results go to benchmarks/results/.
"""
