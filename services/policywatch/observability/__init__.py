"""Logging, metrics and the health/metrics HTTP endpoint."""
