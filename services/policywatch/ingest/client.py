"""A polite HTTP client for feeds and the pages they link to.

Polite: it says who it is (``User-Agent``), asks only for what changed (``If-None-Match`` /
``If-Modified-Since``), sends at most one request at a time to a host, and reports a server's
``Retry-After`` so the caller can wait that long. Careful: every request has a total deadline,
a response is read in chunks and abandoned past ``max_bytes``, redirects are followed by hand
(at most ``max_redirects``) so that each hop can go through an :class:`AddressGuard`.

Every failure is a :class:`~policywatch.errors.FetchError` whose ``kind`` names it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from policywatch.errors import FetchError
from policywatch.ingest.guard import AddressGuard
from policywatch.web import parse_retry_after

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Validators:
    """What the server said identifies this version of the document."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.etag:
            out["If-None-Match"] = self.etag
        if self.last_modified:
            out["If-Modified-Since"] = self.last_modified
        return out


@dataclass(frozen=True)
class Fetched:
    """A response: ``status`` 200 with ``body``, or 304 (``not_modified``) with none."""

    url: str
    status: int
    body: bytes
    content_type: str | None
    validators: Validators

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class PoliteClient:
    """Thread-safe; share one per process so the per-host limit holds across feeds."""

    def __init__(
        self,
        *,
        user_agent: str,
        timeout: float,
        max_bytes: int,
        max_redirects: int = 3,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._max_redirects = max_redirects
        self._client = httpx.Client(
            headers={"User-Agent": user_agent},
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            transport=transport,
            # The proxy environment of the host is not the operator's choice for feeds.
            trust_env=False,
        )
        self._hosts: dict[str, threading.Lock] = {}
        self._hosts_lock = threading.Lock()

    def close(self) -> None:
        self._client.close()

    @contextmanager
    def _one_per_host(self, host: str) -> Iterator[None]:
        with self._hosts_lock:
            lock = self._hosts.setdefault(host, threading.Lock())
        with lock:
            yield

    def get(
        self,
        url: str,
        *,
        validators: Validators | None = None,
        guard: AddressGuard | None = None,
        accept: str = "*/*",
    ) -> Fetched:
        """GET ``url``, following redirects; raises FetchError (never an httpx exception).

        Each hop has ``timeout`` from the moment its host is free, to its last byte.
        """
        current = url
        for _hop in range(self._max_redirects + 1):
            parts = urlsplit(current)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise FetchError(f"not an http(s) URL: {current}", kind="bad_url", url=current)
            if guard is not None:
                guard.check(parts.hostname, url=current)
            headers = {"Accept": accept, **(validators.headers() if validators else {})}
            with self._one_per_host(parts.hostname.lower()):
                outcome = self._request(current, headers, time.monotonic() + self._timeout)
            if isinstance(outcome, Fetched):
                return outcome
            current = outcome
        raise FetchError(
            f"more than {self._max_redirects} redirects from {url}",
            kind="too_many_redirects",
            url=url,
        )

    def _request(self, url: str, headers: dict[str, str], deadline: float) -> Fetched | str:
        """The response, or the URL a redirect points to."""
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status in _REDIRECTS and "location" in response.headers:
                    return urljoin(url, response.headers["location"])
                if status == 304:
                    return Fetched(url, 304, b"", None, _validators(response))
                if status in (429, 503):
                    raise FetchError(
                        f"{url} answered HTTP {status}",
                        kind="rate_limited",
                        url=url,
                        status=status,
                        retry_after=parse_retry_after(response.headers.get("retry-after")),
                    )
                if status != 200:
                    raise FetchError(
                        f"{url} answered HTTP {status}", kind="http_status", url=url, status=status
                    )
                body = self._read(response, url, deadline)
                return Fetched(
                    url, 200, body, response.headers.get("content-type"), _validators(response)
                )
        except httpx.TimeoutException as exc:
            raise FetchError(f"{url} timed out: {exc!r}", kind="timeout", url=url) from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"{url} failed: {exc!r}", kind="network", url=url) from exc

    def _read(self, response: httpx.Response, url: str, deadline: float) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise FetchError(
                f"{url} declares {declared} bytes, over the limit of {self._max_bytes}",
                kind="too_large",
                url=url,
            )
        chunks: list[bytes] = []
        size = 0
        # iter_bytes decompresses: the limit applies to what the parser would get.
        for chunk in response.iter_bytes(_CHUNK):
            size += len(chunk)
            if size > self._max_bytes:
                raise FetchError(
                    f"{url} sent more than {self._max_bytes} bytes", kind="too_large", url=url
                )
            # httpx's timeout is per read: a server dripping bytes would never trip it.
            if time.monotonic() > deadline:
                raise FetchError(
                    f"{url} took longer than {self._timeout:.1f}s", kind="timeout", url=url
                )
            chunks.append(chunk)
        return b"".join(chunks)


def _validators(response: httpx.Response) -> Validators:
    return Validators(response.headers.get("etag"), response.headers.get("last-modified"))
