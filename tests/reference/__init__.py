"""Frozen copies of the progress engine before its speed-up, for differential tests."""
