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
