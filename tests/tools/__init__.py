"""The benchmark command, as a smoke test (numbers are never asserted)."""
