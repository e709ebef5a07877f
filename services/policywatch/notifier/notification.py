"""What receivers get: one notification per story, then updates as outlets corroborate it.

``id`` is ``msg_`` + a digest of the story id and the sequence: the same story update always
carries the same id (it is the ``webhook-id``), so a receiver drops a redelivered duplicate by id.
Standard Webhooks signs ``<id>.<timestamp>.<body>``, so the id never contains a ``.``. A new
sequence means the story changed (more sources); the ``story_id`` stays.

A webhook's body is a :class:`WebhookPayload`, the Standard Webhooks envelope: ``type``
(``policywatch.story.created`` or ``policywatch.story.updated``), ``timestamp`` and the
notification as ``data``; its JSON Schema is schemas/notification.schema.json.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from policywatch.models import Alert, AlertArticle


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Notification(_Frozen):
    """A story as one receiver sees it at one sequence number."""

    schema_version: Literal[1] = 1
    # No pattern here: dead letters written before ids became msg_… must still load for
    # ``policywatch dlq``; signing refuses an id with a '.'.
    id: str = Field(
        description="Stable per story update (msg_ + a digest of story_id and sequence, never "
        "a '.'); the webhook-id, so a redelivery carries the same one",
    )
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
    digest = hashlib.sha256(f"{story_id}\x1d{sequence}".encode()).hexdigest()
    return f"msg_{digest[:26]}"


EventType = Literal["policywatch.story.created", "policywatch.story.updated"]


class WebhookPayload(_Frozen):
    """The body of a webhook: the Standard Webhooks envelope around a notification."""

    type: EventType = Field(
        description="policywatch.story.created for a story's first notification, "
        "policywatch.story.updated for the updates that follow"
    )
    timestamp: datetime = Field(
        description="When the notified change happened (the last alert's detected_at)"
    )
    data: Notification

    @classmethod
    def wrap(cls, notification: Notification) -> WebhookPayload:
        return cls(
            type="policywatch.story.created"
            if notification.kind == "new"
            else "policywatch.story.updated",
            timestamp=notification.last_detected_at,
            data=notification,
        )


def notification_json_schema() -> dict[str, Any]:
    """The JSON Schema of a webhook body (written to schemas/notification.schema.json)."""
    schema = WebhookPayload.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://policywatch.dev/schemas/notification.schema.json"
    return schema
