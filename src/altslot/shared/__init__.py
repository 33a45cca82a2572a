"""State shared across instances: Redis clients and health, the key-value store, every Redis key name."""
