"""Standard Webhooks signatures (https://www.standardwebhooks.com/), with the stdlib only.

``webhook-signature`` is ``v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`` where the
key is the base64 part of the ``whsec_…`` secret; with several secrets (a rotation in progress)
it holds one signature per secret, space-separated, so a receiver holding either verifies.
Receivers verify with any Standard Webhooks library, e.g.
``standardwebhooks.Webhook(secret).verify(body, headers)``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping, Sequence

#: Receivers reject timestamps further than this from their clock (the spec's default).
TOLERANCE_SECONDS = 5 * 60


class SignatureError(ValueError):
    """A delivery whose signature headers are missing, stale or wrong."""


def secret_key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix("whsec_") + "==")


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signed_headers(
    secret: str | Sequence[str], msg_id: str, body: bytes, now: float | None = None
) -> dict[str, str]:
    """The three Standard Webhooks headers; one signature per secret."""
    if "." in msg_id:
        raise ValueError("a webhook id must not contain '.' (it delimits the signed content)")
    secrets = [secret] if isinstance(secret, str) else list(secret)
    timestamp = int(time.time() if now is None else now)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(sign(s, msg_id, timestamp, body) for s in secrets),
    }


def verify(secret: str, body: bytes, headers: Mapping[str, str], now: float | None = None) -> str:
    """Check the headers of one delivery; returns the webhook id or raises SignatureError."""
    lowered = {k.lower(): v for k, v in headers.items()}
    msg_id = lowered.get("webhook-id")
    stamp = lowered.get("webhook-timestamp")
    signatures = lowered.get("webhook-signature")
    if not (msg_id and stamp and signatures):
        raise SignatureError("missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        timestamp = int(stamp)
    except ValueError as exc:
        raise SignatureError(f"bad webhook-timestamp {stamp!r}") from exc
    current = time.time() if now is None else now
    if abs(current - timestamp) > TOLERANCE_SECONDS:
        raise SignatureError("webhook-timestamp outside the tolerance")
    expected = sign(secret, msg_id, timestamp, body).split(",", 1)[1]
    for candidate in signatures.split():
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return msg_id
    raise SignatureError("no matching v1 signature")
