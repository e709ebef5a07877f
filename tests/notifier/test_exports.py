"""The packages' public faces: every exported name resolves, and ``__all__`` is sorted."""

from __future__ import annotations

from types import ModuleType

import pytest

import policywatch.notifier as notifier
import policywatch.notifier.receivers as receivers
import policywatch.settings as settings


@pytest.mark.parametrize("package", [notifier, receivers, settings], ids=lambda m: m.__name__)
def test_every_exported_name_resolves(package: ModuleType) -> None:
    assert package.__all__ == sorted(package.__all__)
    for name in package.__all__:
        assert getattr(package, name) is not None


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError):
        _ = notifier.NoSuchThing  # type: ignore[attr-defined]
