"""The inbound ``Article`` and its decoder.

Producers evolve, so unknown fields are ignored; a missing or wrongly typed required field is
an error. ``published_at`` may be null (some feeds carry no date) and partial dates such as
``2024-03`` are read as the first day of that period: feeds do send them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
#: JSON nesting deeper than this is rejected before parsing: no article needs it.
MAX_JSON_DEPTH = 64


class ArticleDecodeError(ValueError):
    """Bytes that are not a valid ``Article``; ``reason`` is a short machine-readable kind."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class Article(BaseModel):
    """A news article as it arrives on the ``articles`` topic."""

    model_config = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=False)

    schema_version: Literal[1] = 1
    id: str = Field(min_length=1, max_length=512, description="Producer's stable article id")
    url: str | None = Field(description="Canonical URL of the article, null if unknown")
    source: str = Field(min_length=1, max_length=512, description="Outlet or feed name")
    published_at: datetime | None = Field(
        description="Publication time (UTC if no offset is given); null if unknown"
    )
    language: str | None = Field(
        max_length=35, description="BCP 47 language tag from the feed, e.g. 'en'; null if unknown"
    )
    title: str | None = Field(description="Headline, null if the feed has none")
    body: str = Field(description="Article text (may be only the opening paragraphs)")

    @model_validator(mode="after")
    def _has_text(self) -> Article:
        if not self.body.strip() and not (self.title or "").strip():
            raise ValueError("article has neither body nor title text")
        return self

    @field_validator("published_at", mode="before")
    @classmethod
    def _partial_dates(cls, value: Any) -> Any:
        if isinstance(value, str) and (m := _PARTIAL_DATE.match(value)):
            return datetime(int(m.group(1)), int(m.group(2) or 1), 1, tzinfo=UTC)
        return value

    @field_validator("published_at")
    @classmethod
    def _assume_utc(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def _json_depth_exceeds(raw: str, limit: int) -> bool:
    depth = 0
    in_string = False
    escaped = False
    for ch in raw:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def decode_article(data: bytes | str, *, max_bytes: int | None = None) -> Article:
    """Decode one JSON article, raising :class:`ArticleDecodeError` with a reason on failure.

    Reasons: ``too_large``, ``not_utf8``, ``too_deep``, ``invalid_json``, ``invalid_article``.
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise ArticleDecodeError("too_large", f"{len(data)} bytes exceeds the limit of {max_bytes}")
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ArticleDecodeError("not_utf8", str(exc)) from exc
    else:
        text = data
    if text.count("[") + text.count("{") > MAX_JSON_DEPTH and _json_depth_exceeds(
        text, MAX_JSON_DEPTH
    ):
        raise ArticleDecodeError("too_deep", f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        return Article.model_validate_json(text)
    except ValidationError as exc:
        kind = (
            "invalid_json"
            if any(e["type"] == "json_invalid" for e in exc.errors())
            else ("invalid_article")
        )
        detail = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in exc.errors()
        )
        raise ArticleDecodeError(kind, detail) from exc
