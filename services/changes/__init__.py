"""The one status path: every change decided by the domain, applied once, audited, its events emitted after commit."""
