"""Inhibition, as Alertmanager's ``inhibit_rules``: an open story mutes related stories.

A rule has ``source_matchers``, ``target_matchers`` and ``equal``. A story matching the target
matchers is *inhibited* when another story matches the source matchers, has the same values for
every ``equal`` label, and is open at the target's time: it began no later than the target's
latest article and its latest article is within its story window (``repeat_interval``) of it.
Example: a ``sanctions_lifted`` story for (actor, target) mutes a ``sanctions_imposed`` story
for the same pair, reported while the lifting is news.

Times are the alerts' ``detected_at``, so a replay decides as the live run did. A story never
inhibits itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from policywatch.models.matchers import Matcher, matches_all, parse_matchers
from policywatch.settings.notifier import InhibitRule


@dataclass(frozen=True, slots=True)
class StoryView:
    """What inhibition needs to know about a story."""

    key: str
    labels: Mapping[str, str]
    first_detected_at: datetime
    last_detected_at: datetime
    window: float


@dataclass(frozen=True, slots=True)
class _Rule:
    index: int
    source: tuple[Matcher, ...]
    target: tuple[Matcher, ...]
    equal: tuple[str, ...]


class Inhibitor:
    def __init__(self, rules: Sequence[InhibitRule]) -> None:
        self._rules = tuple(
            _Rule(i, parse_matchers(r.source_matchers), parse_matchers(r.target_matchers), r.equal)
            for i, r in enumerate(rules)
        )

    def __bool__(self) -> bool:
        return bool(self._rules)

    def may_inhibit(self, labels: Mapping[str, str]) -> bool:
        """Whether some rule's target matchers match (cheap test before looking for sources)."""
        return any(matches_all(rule.target, labels) for rule in self._rules)

    def inhibiting(self, target: StoryView, stories: Iterable[StoryView]) -> tuple[int, str] | None:
        """(rule index, source story key) of a rule muting ``target``, or None."""
        rules = [r for r in self._rules if matches_all(r.target, target.labels)]
        if not rules:
            return None
        when = target.last_detected_at
        for source in stories:
            if source.key == target.key:
                continue
            if source.first_detected_at > when:
                continue
            if when - source.last_detected_at > timedelta(seconds=source.window):
                continue
            for rule in rules:
                if matches_all(rule.source, source.labels) and all(
                    source.labels.get(n, "") == target.labels.get(n, "") for n in rule.equal
                ):
                    return rule.index, source.key
        return None


__all__ = ["Inhibitor", "StoryView"]
