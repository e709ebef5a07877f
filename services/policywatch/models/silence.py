"""A silence: notifications of stories matching its matchers are not sent between ``starts_at``
and ``ends_at`` (Prometheus Alertmanager's silence, for policywatch stories).

Silences are records of the compacted topic ``topics.silences``, keyed by ``id``; expiring a
silence writes it again with ``ends_at`` set to the moment of expiry, so the record stays for
``policywatch silence list --expired``.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from policywatch.models.matchers import Matcher, matches_all, parse_matchers


class Silence(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal[1] = 1
    id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    matchers: tuple[str, ...] = Field(
        min_length=1, description="Alertmanager matchers, all must match"
    )
    starts_at: datetime
    ends_at: datetime
    created_by: str = Field(min_length=1, max_length=200)
    comment: str = Field(min_length=1, max_length=2000)

    @field_validator("matchers")
    @classmethod
    def _parse(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        parse_matchers(value)  # raises MatcherError, a ValueError, naming the bad text
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Silence:
        if self.ends_at < self.starts_at:
            raise ValueError("ends_at is before starts_at")
        return self

    @classmethod
    def create(
        cls,
        matchers: tuple[str, ...],
        duration: timedelta,
        *,
        comment: str,
        created_by: str,
        now: datetime | None = None,
    ) -> Silence:
        start = now or datetime.now(UTC)
        return cls(
            id=f"sil_{secrets.token_hex(8)}",
            matchers=matchers,
            starts_at=start,
            ends_at=start + duration,
            created_by=created_by,
            comment=comment,
        )

    def parsed(self) -> tuple[Matcher, ...]:
        return parse_matchers(self.matchers)

    def active(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at

    def active_now(self) -> bool:
        return self.active(datetime.now(UTC))

    def expired(self, now: datetime) -> Silence:
        """This silence ending at ``now`` (unchanged if it already ended)."""
        if self.ends_at <= now:
            return self
        return self.model_copy(update={"ends_at": max(now, self.starts_at)})

    def matches(self, labels: Mapping[str, str]) -> bool:
        return matches_all(self.parsed(), labels)


__all__ = ["Silence"]
