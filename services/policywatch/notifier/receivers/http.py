"""What the HTTP receivers (webhook, Slack) share: the client and the meaning of a response.

The only notifier modules that import ``httpx`` are this one and the receivers built on it. The
client is injected (one per service, shared by every HTTP receiver) so tests can point it at real
loopback servers. HTTP outcomes map to :class:`~policywatch.errors.DeliveryError`: 2xx accepted;
410 gone (the receiver is disabled); 408, 425, 429 and 5xx retriable (honouring ``Retry-After``);
any other status rejected (dead-lettered at once); network errors and timeouts retriable.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from policywatch.errors import DeliveryError
from policywatch.web import parse_retry_after

USER_AGENT = "policywatch-notifier/1"
_RETRIABLE_STATUS = frozenset({408, 425, 429})


def check_response(receiver: str, response: httpx.Response) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    detail = f"{receiver} answered HTTP {status}"
    if status == 410:
        raise DeliveryError(detail, receiver=receiver, retriable=False, gone=True)
    if status in _RETRIABLE_STATUS or status >= 500:
        raise DeliveryError(
            detail,
            receiver=receiver,
            retriable=True,
            retry_after=parse_retry_after(response.headers.get("retry-after")),
        )
    raise DeliveryError(detail, receiver=receiver, retriable=False)


def post(
    client: httpx.Client,
    receiver: str,
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    timeout: float,
) -> None:
    try:
        response = client.post(url, content=body, headers=dict(headers), timeout=timeout)
    except httpx.TimeoutException as exc:
        raise DeliveryError(f"{receiver} timed out", receiver=receiver, retriable=True) from exc
    except httpx.HTTPError as exc:
        # The message of a transport error never contains the URL (which may be a secret).
        raise DeliveryError(
            f"{receiver} unreachable: {type(exc).__name__}", receiver=receiver, retriable=True
        ) from exc
    check_response(receiver, response)


def make_http_client() -> httpx.Client:
    """The client a service shares across its HTTP receivers (redirects are not followed)."""
    return httpx.Client(follow_redirects=False, headers={"user-agent": USER_AGENT})


__all__ = ["USER_AGENT", "check_response", "make_http_client", "parse_retry_after", "post"]
