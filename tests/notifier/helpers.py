"""Alerts and settings for notifier tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from policywatch.models import Alert, AlertArticle, Entity, Evidence, RuleRef, make_story_key
from policywatch.models.alert import make_alert_id
from policywatch.notifier.notification import Notification, notification_id
from policywatch.notifier.service import NotifierService

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def make_alert(
    n: int = 1,
    *,
    event_type: str = "weapons_restriction_lifted",
    actor: tuple[str, str] = ("US", "United States"),
    target: tuple[str, str] | None = ("UA", "Ukraine"),
    instruments: tuple[str, ...] = ("ATACMS",),
    source: str | None = None,
    severity: str = "critical",
    minutes: float = 0.0,
    evidence: str = "Washington has decided to allow Ukraine to use ATACMS missiles.",
    title: str | None = None,
    url: str | None = None,
    confidence: float = 0.9,
) -> Alert:
    """The ``n``-th article about one event (distinct article and outlet per ``n``)."""
    article_id = f"art-{event_type}-{actor[0]}-{n}"
    return Alert.model_validate(
        {
            "alert_id": make_alert_id(article_id, "test.rule", 1, event_type),
            "story_key": make_story_key(event_type, actor[0], target[0] if target else None),
            "event_type": event_type,
            "article": AlertArticle(
                id=article_id,
                url=url if url is not None else f"https://news.example/{n}",
                title=title if title is not None else f"Headline {n}",
                source=source or f"Outlet {n}",
                published_at=T0,
                language="en",
            ),
            "actor": Entity(code=actor[0], name=actor[1]),
            "target": Entity(code=target[0], name=target[1]) if target else None,
            "instruments": instruments,
            "confidence": confidence,
            "severity": severity,
            "rule": RuleRef(id="test.rule", version=1),
            "evidence": (Evidence(field="body", start=0, end=10, text=evidence),),
            "detected_at": T0 + timedelta(minutes=minutes),
        }
    )


def encoded(alert: Alert) -> bytes:
    return alert.model_dump_json().encode()


def today(alert: Alert) -> Alert:
    """The alert as detected now (time-to-notify and state pruning use the wall clock)."""
    return alert.model_copy(update={"detected_at": datetime.now(UTC)})


@contextmanager
def running(service: NotifierService) -> Iterator[threading.Event]:
    """Run ``service.run(stop)`` in a thread for the duration of the block."""
    stop = threading.Event()
    thread = threading.Thread(target=service.run, args=(stop,), daemon=True)
    thread.start()
    try:
        yield stop
    finally:
        stop.set()
        thread.join(timeout=30)
        if thread.is_alive():
            raise AssertionError("notifier did not stop within 30 s")


def make_notification(
    alert: Alert | None = None, *, story: str = "pws_test", sequence: int = 1, sources: int = 1
) -> Notification:
    alert = alert or make_alert(1)
    extra = [make_alert(i).article for i in range(2, sources + 1)]
    return Notification(
        id=notification_id(story, sequence),
        story_id=story,
        sequence=sequence,
        kind="new" if sequence == 1 else "update",
        receiver="ops",
        group={"event_type": alert.event_type},
        alert=alert,
        corroboration=sources,
        sources=(alert.article, *extra),
        max_confidence=alert.confidence,
        first_detected_at=alert.detected_at,
        last_detected_at=alert.detected_at,
    )
