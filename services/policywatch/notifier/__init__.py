"""The notifier service: ``alerts`` → routing → grouping → receivers."""

from policywatch.notifier.service import NotifierService

__all__ = ["NotifierService"]
