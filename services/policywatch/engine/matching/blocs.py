"""Which states belong to the blocs the packs name, for reading a member's act on its bloc's
measure ("Hungary blocks EU aid to Ukraine") as an obstacle, not a change of its own policy."""

from __future__ import annotations

__all__ = ["BLOC_MEMBERS"]

# fmt: off
_EU = frozenset([
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
])
_NATO = frozenset([
    "AL", "BE", "BG", "CA", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR", "HR",
    "HU", "IS", "IT", "LT", "LU", "LV", "ME", "MK", "NL", "NO", "PL", "PT", "RO", "SE",
    "SI", "SK", "TR", "US",
])
# fmt: on

#: Bloc code to its member states (ISO 3166-1 alpha-2), as of 2025.
BLOC_MEMBERS: dict[str, frozenset[str]] = {"EU": _EU, "NATO": _NATO}
