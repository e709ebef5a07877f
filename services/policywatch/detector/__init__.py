"""The detector service: ``articles`` → engine → ``alerts`` (bad input → ``articles.dlq``)."""

from policywatch.detector.service import DetectorService

__all__ = ["DetectorService"]
