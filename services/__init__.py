"""The use cases, in wings; the base holds the ports, the runtime type, the lock port and the read model's values."""
