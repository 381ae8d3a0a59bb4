"""`invoice-sync`, the operator's command line: an entry point beside the composition root (bootstrap.py)."""
