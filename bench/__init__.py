"""Benchmarks and load tooling: `python -m bench` (make bench), shared with the load and fault
tests. Load is only ever sent to a server this package started on loopback (127.0.0.1)."""
