"""policywatch's exceptions: one root, a shallow tree, context as attributes.

    PolicywatchError
    ├── ConfigError              settings or config file invalid
    ├── RuleError                a rule file is invalid (file, line)
    ├── BrokerError              the embedded broker could not start
    ├── KafkaAdapterError        a Kafka operation failed (topic, partition, offset; retriable)
    ├── DeliveryError            a receiver did not accept a notification (receiver; retriable)
    └── FetchError               a feed or page could not be fetched or parsed (url, kind)

``ArticleDecodeError`` (in ``policywatch.models``) is a ``ValueError``: a bad message is data,
handled by dead-lettering, not a failure of the service.
"""

from __future__ import annotations

from pathlib import Path


class PolicywatchError(Exception):
    """Root of every error policywatch raises on purpose."""


class ConfigError(PolicywatchError):
    pass


class RuleError(PolicywatchError):
    """A rule file problem, located at ``file``:``line`` (line is 1-based, 0 when unknown)."""

    def __init__(self, message: str, *, file: Path | str | None = None, line: int = 0) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        where = f"{self.file}:{line}: " if self.file else ""
        super().__init__(f"{where}{message}")


class RuleErrors(RuleError):
    """Several rule problems collected at once (``policywatch rules check``)."""

    def __init__(self, errors: list[RuleError]) -> None:
        self.errors = errors
        first = errors[0] if errors else None
        super().__init__(
            "\n".join(str(e) for e in errors),
            file=first.file if first else None,
            line=first.line if first else 0,
        )


class BrokerError(PolicywatchError):
    pass


class KafkaAdapterError(PolicywatchError):
    def __init__(
        self,
        message: str,
        *,
        topic: str | None = None,
        partition: int | None = None,
        offset: int | None = None,
        retriable: bool = False,
    ) -> None:
        super().__init__(message)
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.retriable = retriable


class DeliveryError(PolicywatchError):
    def __init__(
        self,
        message: str,
        *,
        receiver: str,
        retriable: bool,
        retry_after: float | None = None,
        gone: bool = False,
    ) -> None:
        super().__init__(message)
        self.receiver = receiver
        self.retriable = retriable
        self.retry_after = retry_after
        self.gone = gone


class FetchError(PolicywatchError):
    """A feed or linked page that could not be used; ``kind`` is a short metric label.

    Kinds: ``timeout``, ``network``, ``http_status``, ``rate_limited``, ``too_large``,
    ``too_many_redirects``, ``blocked_address``, ``bad_url``, ``invalid_feed``, ``not_a_feed``,
    ``entity_declarations``.
    """

    def __init__(
        self,
        message: str,
        *,
        kind: str,
        url: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.url = url
        self.status = status
        self.retry_after = retry_after
