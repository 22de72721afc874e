"""Documentation that must not drift from the code."""

import re
from pathlib import Path

from click import Group

from lianzhang.cli.main import cli
from lianzhang.core import contract

ROOT = Path(__file__).resolve().parents[2]


def test_data_contract_doc_is_generated_from_the_code():
    doc = (ROOT / "docs" / "data-contract.md").read_text("utf-8")
    assert doc == contract.markdown(), (
        "run: python -m lianzhang.core.contract > docs/data-contract.md"
    )


def test_every_cli_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text("utf-8")
    for name, command in cli.commands.items():
        assert f"`lianzhang {name}" in readme, f"README does not document `lianzhang {name}`"
        if not isinstance(command, Group):
            for param in command.params:
                for opt in getattr(param, "opts", []):
                    if opt.startswith("--") and opt not in ("--help", "--password"):
                        assert opt in readme, f"README does not document {name} {opt}"


def test_every_setting_from_the_environment_is_in_the_readme():
    readme = (ROOT / "README.md").read_text("utf-8")
    settings_py = (ROOT / "src" / "lianzhang" / "settings.py").read_text("utf-8")
    names = set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', settings_py))
    assert names, "settings read no environment variables?"
    for name in names - {"LIANZHANG_TESTING"}:
        assert f"`{name}`" in readme, f"README does not document {name}"
