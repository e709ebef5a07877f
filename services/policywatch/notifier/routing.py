"""The routing tree: which receivers get an alert, and how its story is grouped and timed.

Alertmanager's walk: a route matches when all its matchers match; its children are tried in
order; the first matching child stops the walk unless it has ``continue: true``; a route none of
whose children matched is itself the match. The root matches every alert, so every alert ends
with at least one receiver. Unset fields are inherited from the parent.
"""

from __future__ import annotations

from dataclasses import dataclass

from policywatch.models import Alert
from policywatch.models.matchers import Matcher, from_match, matches_all, parse_matchers
from policywatch.settings.notifier import DEFAULT_GROUP_BY, Route

#: Root defaults for what a config leaves unset.
DEFAULT_GROUP_WAIT = 5.0
DEFAULT_GROUP_INTERVAL = 60.0
DEFAULT_REPEAT_INTERVAL = 24 * 3600.0


#: The ``confidence`` label: an alert's band by its (calibrated) confidence, highest first.
#: Routes match a band (``match: {confidence: high}``), not a number.
CONFIDENCE_BANDS: tuple[tuple[float, str], ...] = ((0.8, "high"), (0.6, "medium"), (0.0, "low"))


def confidence_band(confidence: float) -> str:
    return next(band for low, band in CONFIDENCE_BANDS if confidence >= low)


def alert_labels(alert: Alert) -> dict[str, str]:
    """The label set routes match on and group by (every ``Label`` has a value)."""
    return {
        "event_type": alert.event_type,
        "actor": alert.actor.code,
        "target": alert.target.code if alert.target else "-",
        "instruments": ",".join(sorted({i.lower() for i in alert.instruments})),
        "severity": alert.severity,
        "rule": alert.rule.id,
        "source": alert.article.source,
        "language": alert.article.language or "",
        "confidence": confidence_band(alert.confidence),
    }


@dataclass(frozen=True, slots=True)
class RouteMatch:
    """A matched route with everything inherited resolved."""

    path: str
    receiver: str
    group_by: tuple[str, ...]
    group_wait: float
    group_interval: float
    repeat_interval: float

    def group_labels(self, labels: dict[str, str]) -> dict[str, str]:
        return {name: labels[name] for name in self.group_by}

    def group_key(self, labels: dict[str, str]) -> str:
        """Stable across restarts and config reordering: the receiver and the group's values."""
        values = "\x1f".join(f"{n}={labels[n]}" for n in self.group_by)
        return f"{self.receiver}\x1e{values}"


@dataclass(frozen=True, slots=True)
class _Node:
    match: RouteMatch
    matchers: tuple[Matcher, ...]
    continue_: bool
    children: tuple[_Node, ...]

    def walk(self, labels: dict[str, str]) -> list[RouteMatch]:
        if not matches_all(self.matchers, labels):
            return []
        found: list[RouteMatch] = []
        for child in self.children:
            hits = child.walk(labels)
            found.extend(hits)
            if hits and not child.continue_:
                break
        return found or [self.match]


def _build(route: Route, parent: RouteMatch, path: str) -> _Node:
    resolved = RouteMatch(
        path=path,
        receiver=route.receiver or parent.receiver,
        group_by=tuple(route.group_by) if route.group_by is not None else parent.group_by,
        group_wait=parent.group_wait if route.group_wait is None else route.group_wait,
        group_interval=(
            parent.group_interval if route.group_interval is None else route.group_interval
        ),
        repeat_interval=(
            parent.repeat_interval if route.repeat_interval is None else route.repeat_interval
        ),
    )
    return _Node(
        match=resolved,
        matchers=(
            *from_match(route.match.items(), route.match_re.items()),
            *parse_matchers(route.matchers),
        ),
        continue_=route.continue_,
        children=tuple(
            _build(child, resolved, f"{path}.{i}") for i, child in enumerate(route.routes)
        ),
    )


def _nodes(node: _Node) -> list[_Node]:
    return [node, *(n for child in node.children for n in _nodes(child))]


class Router:
    """Compiled routing tree: ``router.route(alert)`` lists the matched routes."""

    def __init__(self, root: Route) -> None:
        if root.receiver is None:
            raise ValueError("the root route needs a receiver")
        defaults = RouteMatch(
            path="root",
            receiver=root.receiver,
            group_by=DEFAULT_GROUP_BY,
            group_wait=DEFAULT_GROUP_WAIT,
            group_interval=DEFAULT_GROUP_INTERVAL,
            repeat_interval=DEFAULT_REPEAT_INTERVAL,
        )
        self._root = _build(root, defaults, "root")
        self.max_repeat_interval = max(n.match.repeat_interval for n in _nodes(self._root))

    def route(self, alert: Alert) -> list[RouteMatch]:
        return self.route_labels(alert_labels(alert))

    def route_labels(self, labels: dict[str, str]) -> list[RouteMatch]:
        """Matched routes; two routes giving the same receiver and grouping count once."""
        seen: set[tuple[str, tuple[str, ...]]] = set()
        out: list[RouteMatch] = []
        for m in self._root.walk(labels):
            if (m.receiver, m.group_by) not in seen:
                seen.add((m.receiver, m.group_by))
                out.append(m)
        return out
