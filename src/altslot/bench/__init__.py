"""Benchmarks and load tests: altslot side by side with a re-creation of the old system's call pattern."""
