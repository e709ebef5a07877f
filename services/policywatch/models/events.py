"""The event taxonomy: the values of ``Alert.event_type``."""

from typing import Literal, get_args

EventType = Literal[
    "weapons_restriction_lifted",
    "weapons_restriction_imposed",
    "arms_transfer_approved",
    "sanctions_imposed",
    "sanctions_lifted",
    "embargo_imposed",
    "embargo_lifted",
    "export_controls_tightened",
    "export_controls_eased",
    "aid_suspended",
    "aid_resumed",
    "troop_deployment",
]

EVENT_TYPES: tuple[str, ...] = get_args(EventType)

#: The opposite reading of a restrictive event: what the same policy object means when a
#: reversal governs it ("lift" + ban = permitted; "halt" + export controls = eased).
REVERSED: dict[str, str] = {
    "weapons_restriction_imposed": "weapons_restriction_lifted",
    "sanctions_imposed": "sanctions_lifted",
    "embargo_imposed": "embargo_lifted",
    "export_controls_tightened": "export_controls_eased",
    "aid_suspended": "aid_resumed",
}

#: The restrictive reading of a permissive event whose permission is revoked ("suspended the
#: permits that allowed exports" restricts them).
REVOKED: dict[str, str] = {v: k for k, v in REVERSED.items()}

#: Pairs that report one decision in opposite directions.
MIRRORS: dict[str, str] = {**REVERSED, **REVOKED}
