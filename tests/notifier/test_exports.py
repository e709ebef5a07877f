"""The package's public face: every exported name resolves, and ``__all__`` is sorted."""

from __future__ import annotations

import pytest

import policywatch.notifier as notifier


def test_every_exported_name_resolves() -> None:
    assert notifier.__all__ == sorted(notifier.__all__)
    for name in notifier.__all__:
        assert getattr(notifier, name) is not None


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError):
        _ = notifier.NoSuchThing
