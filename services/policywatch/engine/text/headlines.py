"""A headline's kicker: the label before a colon, a spaced bar or dash ("Ukraine war live:",
"Sanctions | ...", "Analysis - ..."), or a wire's label in capitals glued to a hyphen
("ANALYSIS-...", "FACTBOX-...")."""

from __future__ import annotations

import re

__all__ = ["KICKER_END", "kicker"]

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
