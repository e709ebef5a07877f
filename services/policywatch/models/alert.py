"""The outbound ``Alert``: one detected policy-shift event in one article."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from policywatch.models.article import Article
from policywatch.models.events import EventType

Severity = Literal["low", "medium", "high", "critical"]

#: Who can act: a state (ISO 3166-1 alpha-2) or one of the blocs that impose sanctions, embargoes
#: or send forces in their own name. Blocs with a clashing acronym are spelled out ("AU" is
#: Australia, so the African Union is ``AFRICAN_UNION``; "AL" is Albania).
ENTITY_CODE = r"^(?:[A-Z]{2}|EU|UN|NATO|ECOWAS|AFRICAN_UNION|CSTO|GCC|ARAB_LEAGUE|G7)$"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Entity(_Frozen):
    """A state (ISO 3166-1 alpha-2, e.g. ``US``) or a bloc (``EU``, ``UN``, ``NATO``,
    ``ECOWAS``, ``AFRICAN_UNION``, ``CSTO``, ``GCC``, ``ARAB_LEAGUE``, ``G7``)."""

    code: str = Field(pattern=ENTITY_CODE)
    name: str


class RuleRef(_Frozen):
    id: str
    version: int = Field(ge=1)


class Evidence(_Frozen):
    """``article.<field>[start:end]`` is the matched span; it lies inside ``text``."""

    field: Literal["title", "body"]
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str = Field(description="The sentence (or window) that proves the event")

    @model_validator(mode="after")
    def _ordered(self) -> Evidence:
        if self.end < self.start:
            raise ValueError("evidence end must not be before start")
        return self


class AlertArticle(_Frozen):
    id: str
    url: str | None
    title: str | None
    source: str
    published_at: datetime | None
    language: str | None

    @classmethod
    def of(cls, article: Article) -> AlertArticle:
        return cls(
            id=article.id,
            url=article.url,
            title=article.title,
            source=article.source,
            published_at=article.published_at,
            language=article.language,
        )


class Alert(_Frozen):
    """A policy-shift event detected in one article by one rule."""

    schema_version: Literal[1] = 1
    alert_id: str = Field(description="Deterministic: same article + same rule version -> same id")
    story_key: str = Field(
        description="event_type|actor|target: the Kafka key, so one story stays on one partition"
    )
    event_type: EventType
    article: AlertArticle
    actor: Entity
    target: Entity | None
    instruments: tuple[str, ...] = ()
    confidence: float = Field(ge=0.0, le=1.0)
    severity: Severity
    tags: tuple[str, ...] = ()
    rule: RuleRef
    evidence: tuple[Evidence, ...] = Field(min_length=1)
    detected_at: datetime


def make_alert_id(article_id: str, rule_id: str, rule_version: int, event_type: str) -> str:
    """The id is a hash of what decided the alert, so reprocessing gives the same id."""
    digest = hashlib.sha256(
        "\x1f".join((article_id, rule_id, str(rule_version), event_type)).encode("utf-8")
    ).hexdigest()
    return f"pw1_{digest[:32]}"


def make_story_key(event_type: str, actor: str, target: str | None) -> str:
    return f"{event_type}|{actor}|{target or '-'}"
