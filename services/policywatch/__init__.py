"""policywatch: catch government policy shifts in the news as they happen."""

__version__ = "0.1.0"

__all__ = ["__version__"]
