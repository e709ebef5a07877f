"""What receivers get: one notification per story, then updates as outlets corroborate it.

``id`` is ``<story_id>.<sequence>``: the same story update always carries the same id (it is the
``webhook-id``), so a receiver drops a redelivered duplicate by id. A new sequence means the story
changed (more sources); the ``story_id`` stays.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from policywatch.models import Alert, AlertArticle


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Notification(_Frozen):
    """A story as one receiver sees it at one sequence number."""

    schema_version: Literal[1] = 1
    id: str = Field(description="Stable per story update: <story_id>.<sequence>; the webhook-id")
    story_id: str = Field(description="Stable for the whole story")
    sequence: int = Field(ge=1, description="1 for the first notification, then 2, 3, … per update")
    kind: Literal["new", "update"]
    receiver: str
    group: dict[str, str] = Field(description="The group_by labels that define the story")
    alert: Alert = Field(description="The alert that opened the story")
    corroboration: int = Field(ge=1, description="Distinct articles reporting the story so far")
    sources: tuple[AlertArticle, ...] = Field(
        description="Articles of the story, oldest first (capped at notifier.max_sources)"
    )
    max_confidence: float = Field(ge=0.0, le=1.0)
    first_detected_at: datetime
    last_detected_at: datetime


def make_story_id(group_key: str, first_alert_id: str) -> str:
    """Deterministic, so replaying the same alerts without state gives the same story id."""
    digest = hashlib.sha256(f"{group_key}\x1d{first_alert_id}".encode()).hexdigest()
    return f"pws_{digest[:24]}"


def notification_id(story_id: str, sequence: int) -> str:
    return f"{story_id}.{sequence}"
