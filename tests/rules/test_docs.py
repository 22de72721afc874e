"""The generated policy docs are current (regenerate with python -m lianzhang.rules.reference)."""

from __future__ import annotations

from pathlib import Path

from lianzhang.rules.reference import clauses, expressions

DOCS = Path(__file__).resolve().parents[2] / "docs" / "policies"


def test_expression_reference_is_current() -> None:
    assert (DOCS / "expressions.md").read_text("utf-8") == expressions()


def test_national_clause_map_is_current() -> None:
    assert (DOCS / "national.md").read_text("utf-8") == clauses()


def test_every_function_is_documented() -> None:
    text = expressions()
    from lianzhang.rules.functions import FUNCTIONS

    assert all(f.usage in text for f in FUNCTIONS.values())
