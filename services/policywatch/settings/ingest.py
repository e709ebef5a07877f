"""The ``ingest:`` section: the RSS and Atom feeds ``policywatch ingest`` polls (docs/ingest.md).

The ingest service reads these models; they live with the rest of the settings tree so that
loading the settings never loads a service.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field, field_validator

from policywatch.settings.notifier import Duration
from policywatch.settings.sections import _Section


class FeedSettings(_Section):
    """One RSS or Atom feed that ``policywatch ingest`` polls."""

    name: str = Field(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="Unique name, used in metrics and logs",
    )
    url: str = Field(description="http(s) URL of the RSS or Atom document")
    language: str | None = Field(
        None, max_length=35, description="Language hint; else the feed's own, then detection"
    )
    poll_interval: Duration | None = Field(None, gt=0, description="Overrides ingest.poll_interval")
    fetch_article: bool = Field(
        False, description="Fetch each item's link and extract the main text of the page"
    )

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL with a host")
        return url


class IngestSettings(_Section):
    feeds: tuple[FeedSettings, ...] = ()
    poll_interval: Duration = Field(60.0, gt=0, description="Default time between two polls")
    user_agent: str = Field(
        "policywatch/0.1 (+https://example.org/contact)",
        min_length=1,
        description="Sent with every request; say who you are and how to reach you",
    )
    allow_private_addresses: bool = Field(
        False, description="Let fetch_article reach loopback, private and link-local addresses"
    )
    timeout: Duration = Field(15.0, gt=0, description="Timeout of one HTTP request")
    max_response_bytes: int = Field(
        5_000_000, ge=1_024, description="A larger response is cut off and counted as too_large"
    )
    max_redirects: int = Field(3, ge=0, le=10)
    max_backoff: Duration = Field(3600.0, gt=0, description="Cap of the per-feed error backoff")
    max_retry_after: Duration = Field(6 * 3600.0, ge=0, description="Cap on a server's Retry-After")
    concurrency: int = Field(4, ge=1, le=64, description="Feeds fetched at once (one per host)")
    forget_after: Duration = Field(
        30 * 86400.0,
        gt=0,
        description="An id gone from its feed this long is dropped from the seen-state",
    )
    metrics_port: int = Field(9466, ge=0, le=65535, description="0 disables the HTTP endpoint")
    metrics_host: str = "0.0.0.0"

    @field_validator("feeds")
    @classmethod
    def _unique_names(cls, feeds: tuple[FeedSettings, ...]) -> tuple[FeedSettings, ...]:
        names = [f.name for f in feeds]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"feed names must be unique: {', '.join(duplicates)}")
        return feeds

    def interval(self, feed: FeedSettings) -> float:
        return feed.poll_interval if feed.poll_interval is not None else self.poll_interval


__all__ = ["FeedSettings", "IngestSettings"]
