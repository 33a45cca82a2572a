"""Micro-benchmarks of single parts: the finder, the slot engine, the simulator, the observers."""
