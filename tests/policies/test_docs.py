"""The delivery guides name every `lianzhang delivery` command and option, in both languages."""

from pathlib import Path

import pytest

from lianzhang.cli.delivery import delivery

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("doc", ["delivery.en.md", "delivery.zh.md"])
def test_every_delivery_command_and_option_is_documented(doc):
    text = (ROOT / "docs" / doc).read_text("utf-8")
    for name, command in delivery.commands.items():
        assert f"lianzhang delivery {name}" in text, f"{doc} lacks `lianzhang delivery {name}`"
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt != "--help":
                    assert opt in text, f"{doc} lacks `delivery {name} {opt}`"
    for page in ["/policies/mine/", "/policies/dashboard/", "/policies/sandbox/"]:
        assert page in text
