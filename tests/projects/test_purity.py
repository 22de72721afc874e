"""The projects core is pure: no Django, no storage (until import-linter's contract lists it)."""

import doctest
import importlib
import subprocess
import sys

import pytest

MODULES = ["stages", "templates", "schedule", "health", "lists", "bulk"]


def test_the_pure_modules_import_no_django_and_no_storage():
    imports = "; ".join(f"import lianzhang.projects.{m}" for m in MODULES)
    check = (
        "import sys; "
        + imports
        + "; bad = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'ninja')"
        " or m.startswith('lianzhang.storage')); print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    """pytest collects only core's doctests: run the projects core's here."""
    module = importlib.import_module(f"lianzhang.projects.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
