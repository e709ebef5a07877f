"""Measuring a rule pack: scoring detections on labelled articles, and running rule examples.

These tools drive the engine from outside (``policywatch eval``, ``policywatch rules test``);
the engine itself does not import them.
"""
