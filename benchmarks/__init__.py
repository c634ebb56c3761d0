"""Benchmarks of the console at scale: the poll cycle, the monitoring page's render, and history storage.

Run ``python -m benchmarks`` (``--quick`` for smaller sizes on the same code paths); it prints a table and writes
``benchmarks/results.json``. The targets are reported, never asserted in unit tests.
"""
