"""Explanations: one decisive alternative per failed any-group, one money unit per line, and
the 须人工审核 label on a verdict resting on a manual or unverified clause."""

from __future__ import annotations

from typing import Any

from lianzhang.rules import evaluate, explain
from lianzhang.rules.explain import in_unit, money_unit
from lianzhang.rules.policy import LIBRARY
from lianzhang.rules.scenarios import case_tables, read_yaml

from .test_properties import LIB


def _text(policy_file: str, case_name: str) -> str:
    path = LIBRARY / "national" / f"{policy_file}.scenarios.yaml"
    data: dict[str, Any] = read_yaml(path)
    case = next(c for c in data["cases"] if c["name"] == case_name)
    ev = evaluate(LIB, case_tables(data["base"], case, path), data["as_of"], [data["policy"]])
    return explain(ev, "SCENARIO")


def test_a_failed_any_group_names_its_closest_alternative() -> None:
    text = _text(
        "cn.miit.2022.little-giant", "未取得管理体系认证（产品也未通过发达国家和地区认证）"
    )
    deciding = next(line for line in text.splitlines() if "未满足" in line)
    assert "取得相关管理体系认证" in deciding
    assert "创新直通" not in deciding and "补短板" not in deciding  # alternatives that passed


def test_review_is_labelled() -> None:
    text = _text("cn.miit.2022.little-giant", "符合但依据未核实的链、品条件 → 须人工审核")
    assert "须人工审核" in text


def test_money_in_one_unit_per_line() -> None:
    unit = money_unit([20_000_000.0, 257521563.32])  # threshold first
    assert (in_unit(257521563.32, unit), in_unit(20_000_000.0, unit)) == (
        "25752.156332 万元",
        "2000 万元",
    )
    unit = money_unit([20_000_000.0, 19_999_999.0])
    assert (in_unit(19_999_999.0, unit), in_unit(20_000_000.0, unit)) == (
        "1999.9999 万元",
        "2000 万元",
    )
