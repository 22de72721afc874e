"""Documentation that must not drift from the code."""

import re
from pathlib import Path

import pytest
from click import Group

from lianzhang.cli.main import cli
from lianzhang.core import contract_doc

ROOT = Path(__file__).resolve().parents[2]


def test_data_contract_doc_is_generated_from_the_code():
    doc = (ROOT / "docs" / "data-contract.md").read_text("utf-8")
    assert doc == contract_doc.markdown(), (
        "run: python -m lianzhang.core.contract_doc > docs/data-contract.md"
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


#: Each command group's guides: they name every command and long option of the group.
GUIDES = {
    "policies": ["policies/authoring.md"],
    "delivery": ["delivery.en.md", "delivery.zh.md"],
    "chains": ["chains.en.md", "chains.zh.md"],
    "innovation": ["innovation.en.md", "innovation.zh.md"],
    "calendar": ["appeals.en.md", "appeals.zh.md"],
    "appeals": ["appeals.en.md", "appeals.zh.md"],
    "tiers": ["cultivation.en.md", "cultivation.zh.md"],
    "landuse": ["landuse.en.md", "landuse.zh.md"],
    "monitor": ["monitoring.en.md", "monitoring.zh.md"],
}


@pytest.mark.parametrize(
    ("group", "doc"), [(group, doc) for group, docs in GUIDES.items() for doc in docs]
)
def test_every_command_and_option_of_a_group_is_in_its_guide(group, doc):
    text = (ROOT / "docs" / doc).read_text("utf-8")
    commands = cli.commands[group]
    assert isinstance(commands, Group)
    for name, command in commands.commands.items():
        assert f"lianzhang {group} {name}" in text, f"{doc} lacks `lianzhang {group} {name}`"
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt != "--help":
                    assert opt in text, f"{doc} lacks `{group} {name} {opt}`"


def test_every_cli_group_has_a_guide():
    groups = {name for name, command in cli.commands.items() if isinstance(command, Group)}
    assert groups == set(GUIDES)
