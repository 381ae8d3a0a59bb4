"""The plumbing the composition root wires: Redis (embedded or not), its locks, and a runtime's connections."""
