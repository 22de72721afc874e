"""The examples in the docstrings of ``lianzhang.landuse`` run (pytest collects only core's)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import lianzhang.landuse

MODULES = sorted(
    m.name for m in pkgutil.iter_modules(lianzhang.landuse.__path__, "lianzhang.landuse.")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
