"""Alerts rendered for a person reading a terminal."""

from __future__ import annotations

from policywatch.models import Alert


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def format_alert(alert: Alert) -> str:
    target = f" → {alert.target.name} ({alert.target.code})" if alert.target else ""
    instruments = f"  [{', '.join(alert.instruments)}]" if alert.instruments else ""
    art = alert.article
    when = art.published_at.date().isoformat() if art.published_at else "undated"
    lines = [
        f"⚑ {alert.event_type}  {alert.actor.name} ({alert.actor.code}){target}{instruments}",
        f"  severity {alert.severity} · confidence {alert.confidence:.2f} · "
        f"rule {alert.rule.id} v{alert.rule.version}",
    ]
    lines.extend(f"  “{_one_line(ev.text)}”" for ev in alert.evidence[:2])
    title = f" {art.title!r}" if art.title else ""
    lines.append(f"  {art.source}, {when}:{title} {art.url or art.id}")
    return "\n".join(lines)
