"""The package's public face: every exported name resolves, and ``__all__`` is sorted."""

from __future__ import annotations

import policywatch.ingest as ingest


def test_every_exported_name_resolves_and_all_is_sorted() -> None:
    assert ingest.__all__ == sorted(ingest.__all__)
    for name in ingest.__all__:
        assert getattr(ingest, name) is not None
