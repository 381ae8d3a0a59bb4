"""Prometheus metrics: the counters processes increment (counters.py), the state read at scrape time (state.py)."""
