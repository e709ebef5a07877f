"""Translate :class:`~policywatch.settings.KafkaSettings` into kafka-python keyword arguments."""

from __future__ import annotations

from typing import Any

from policywatch.settings import KafkaSettings


def common_kwargs(settings: KafkaSettings) -> dict[str, Any]:
    """Connection and security options shared by consumers, producers and the admin client."""
    kwargs: dict[str, Any] = {
        "bootstrap_servers": [s.strip() for s in settings.bootstrap_servers.split(",") if s],
        "client_id": settings.client_id,
        "security_protocol": settings.security_protocol,
        "request_timeout_ms": settings.request_timeout_ms,
        # Reconnect quickly but never spin: exponential backoff up to 5 s.
        "reconnect_backoff_ms": 100,
        "reconnect_backoff_max_ms": 5_000,
        # kafka-python waits 30 s for the first connection when creating a client; a service
        # started during an outage would sit that long per client, deaf to SIGTERM. Fail fast:
        # the services retry with their own backoff and report not-ready meanwhile.
        "bootstrap_timeout_ms": 5_000,
    }
    if settings.sasl_mechanism is not None:
        kwargs["sasl_mechanism"] = settings.sasl_mechanism
        kwargs["sasl_plain_username"] = settings.sasl_username
        if settings.sasl_password is not None:
            kwargs["sasl_plain_password"] = settings.sasl_password.get_secret_value()
    for key, value in (
        ("ssl_cafile", settings.ssl_cafile),
        ("ssl_certfile", settings.ssl_certfile),
        ("ssl_keyfile", settings.ssl_keyfile),
    ):
        if value is not None:
            kwargs[key] = str(value)
    return kwargs
