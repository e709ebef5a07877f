"""Measurement tools: the benchmark, the soak run and the process harness they share.

Not part of the ``policywatch`` wheel; run from the repository root (``PYTHONPATH=.``), as the
Makefile does.
"""
