"""The chains docs name every `lianzhang chains` command and option, in both languages."""

from pathlib import Path

import pytest

from lianzhang.cli.chains import chains

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("doc", ["chains.en.md", "chains.zh.md"])
def test_every_chains_command_and_option_is_documented(doc):
    text = (ROOT / "docs" / doc).read_text("utf-8")
    for name, command in chains.commands.items():
        assert f"lianzhang chains {name}" in text, f"{doc} lacks `lianzhang chains {name}`"
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt != "--help":
                    assert opt in text, f"{doc} lacks `chains {name} {opt}`"
