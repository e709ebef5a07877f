"""A story's opening labels: a headline's kicker, the label before a colon, a spaced bar or dash
("Ukraine war live:", "Sanctions | ...", "Analysis - ..."), or a wire's label in capitals glued
to a hyphen ("ANALYSIS-...", "FACTBOX-..."); and a body's dateline ("BEIRUT - ", "Berlin/Niamey
(dpa) – ", "MOSCOW, Sept 21 (Reuters) - ")."""

from __future__ import annotations

import re

__all__ = ["KICKER_END", "dateline_end", "kicker"]

#: What ends a kicker inside a headline (a wire's glued label aside).
KICKER_END = re.compile(r":|\s[|–—-]\s")
#: How long a kicker may be: past this a colon belongs to the headline proper.
KICKER_LENGTH = 40
_WIRE_LABEL = re.compile(r"\s*([A-Z]{3,20})-(?=\S)")


def kicker(title: str) -> str | None:
    """The headline's first label, if it opens with one."""
    end = KICKER_END.search(title, 0, KICKER_LENGTH + 3)
    if end is not None and title[: end.start()].strip():
        return title[: end.start()].strip()
    wire = _WIRE_LABEL.match(title)
    return wire.group(1) if wire else None


#: A dateline: one or more places (capitalised, "/"-joined), an optional date after a comma and
#: an optional agency in brackets, then a spaced dash.
_DATELINE = re.compile(
    r"(?P<places>[^\W\d_][\w'’.]*(?:[ /-][^\W\d_][\w'’.]*){0,3})"
    r"(?:,[ \w.]{1,20})?(?: ?\([^()\n]{1,30}\))? ?[–—-]{1,2} "
)


def dateline_end(body: str) -> int:
    """Where the body's dateline ends (0 without one). The places it names say where the story
    was filed, not who decided: they are the actor of last resort."""
    m = _DATELINE.match(body, 0, 80)
    if m is None or not all(w[:1].isupper() for w in re.split(r"[ /-]", m["places"])):
        return 0
    return m.end()
