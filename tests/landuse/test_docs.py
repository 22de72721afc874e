"""The guides name every command and option of `lianzhang landuse`; the example scheme in
the English guide is a valid scheme."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click import Group

from lianzhang.cli.landuse import landuse
from lianzhang.landuse.scheme import from_dict

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("doc", ["landuse.en.md", "landuse.zh.md"])
def test_every_command_and_option_is_in_the_guide(doc):
    text = (DOCS / doc).read_text("utf-8")
    assert isinstance(landuse, Group)
    for name, command in landuse.commands.items():
        assert f"lianzhang landuse {name}" in text
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--"):
                    assert opt in text, f"{doc} lacks {name} {opt}"


def test_the_example_scheme_in_the_guide_is_valid():
    text = (DOCS / "landuse.en.md").read_text("utf-8")
    (block,) = re.findall(r"```yaml\n(.*?)```", text, re.S)
    scheme = from_dict(yaml.safe_load(block), "landuse.en.md")
    assert [g.id for g in scheme.groups] == ["above_scale", "utilities"]


def test_the_core_imports_no_django_and_no_storage():
    import subprocess
    import sys

    code = (
        "import sys, lianzhang.landuse, lianzhang.landuse.evaluate, lianzhang.landuse.parcels\n"
        "bad = [m for m in sys.modules if m.split('.')[0] == 'django' or "
        "m.startswith('lianzhang.storage')]\n"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
