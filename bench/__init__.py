"""Benchmarks for mlsd (run as modules, e.g. `python -m bench.knowledge_bench`)."""
