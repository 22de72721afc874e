"""Every criterion of the library is rendered at least once, each in its own unit (issue 10).

The scenarios of the library are the inputs: each case is evaluated and explained, and
every line of every criterion is checked — the value and the line in one money unit, a
count or a number of days with what it counts, an amount per 亩 as per 亩, never a float
in exponent notation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from lianzhang.rules import evaluate, explain
from lianzhang.rules.evaluation import Evaluation
from lianzhang.rules.policy import LIBRARY, Library
from lianzhang.rules.review import confirm
from lianzhang.rules.scenarios import case_tables, read_yaml, scenario_files

from .test_properties import LIB

MONEY = re.compile(r"(-?[\d.,]+) (亿元|万元|元)")
SIDES = re.compile(r"：实际 (?P<value>[^，]+)，标准 (?P<line>[^，（]+)")


def _cases() -> Iterator[tuple[str, Evaluation]]:
    for path in scenario_files(LIBRARY):
        data: dict[str, Any] = read_yaml(path)
        for case in data["cases"]:
            lib: Library = LIB
            policy = str(case.get("policy", data["policy"]))
            as_of = case.get("as_of", data["as_of"])
            if case.get("confirmed"):
                found = LIB.resolve(policy, as_of)
                done = confirm(found, [str(c) for c in case["confirmed"]])
                lib = Library({**LIB.policies, found.id: done})
            tables = case_tables(data.get("base") or {}, case, path)
            overrides = {policy: case["parameters"]} if case.get("parameters") else None
            yield policy, evaluate(lib, tables, as_of, [policy], overrides)


@pytest.fixture(scope="module")
def rendered() -> list[tuple[str, dict[str, Any], str]]:
    """(policy id, criterion record, its line of the explanation) for every case."""
    out = []
    for _, ev in _cases():
        text = explain(ev, "SCENARIO")
        lines = text.splitlines()
        for record in ev.records():
            for c in record["criteria"]:
                mark = f" {c['label']}"
                line = next(x for x in lines if mark in x and x.lstrip()[:1] in "✓✗？")
                out.append((record["policy"], c, line))
    return out


def test_every_criterion_of_the_library_is_rendered(rendered) -> None:
    seen = {(pid, c["id"]) for pid, c, _ in rendered}
    seen_with_value = {(pid, c["id"]) for pid, c, _ in rendered if c["value"] is not None}
    missing = []
    for policy in LIB.policies.values():
        for node in policy.criteria.walk():
            if (policy.id, node.id) not in seen:
                missing.append(f"{policy.id}:{node.id}")
    assert missing == []
    # and every comparison with its value at least once (not only "unknown")
    comparisons = {(pid, c["id"]) for pid, c, _ in rendered if c["threshold"] is not None}
    assert comparisons - seen_with_value == set()


def test_money_in_one_unit_on_both_sides(rendered) -> None:
    for _, c, line in rendered:
        if c["unit"] != "yuan" or c.get("ratio_threshold") is not None:
            continue
        sides = SIDES.search(line)
        if sides is None or "未知" in sides.group(0):
            continue
        units = {m.group(2) for m in MONEY.finditer(sides.group("value") + sides.group("line"))}
        assert len(units) == 1, line


def test_counts_days_and_areas_carry_their_unit(rendered) -> None:
    measured = [(c, line) for _, c, line in rendered if c.get("measure")]
    assert {c["measure"] for c, _ in measured} >= {"人", "天", "/亩"}
    for c, line in measured:
        sides = SIDES.search(line)
        if sides is None:
            continue
        for side in ("value", "line"):
            if sides.group(side) != "未知":
                assert sides.group(side).endswith(c["measure"]), line


def test_per_mu_reads_per_mu_and_ratios_read_as_percentages(rendered) -> None:
    per_mu = [line for pid, c, line in rendered if c["id"] == "tax_per_mu" and c["value"]]
    assert per_mu and all("万元/亩" in line for line in per_mu)
    assert any("实际 30 万元/亩，标准 30 万元/亩" in line for line in per_mu)
    ratios = [line for _, c, line in rendered if c["unit"] == "ratio" and c["value"] is not None]
    assert ratios and all("%" in line for line in ratios)
    assert not [line for _, _, line in rendered if re.search(r"\de[+-]\d", line)]


def test_a_growth_line_reads_as_growth(rendered) -> None:
    growth = [line for pid, c, line in rendered if (c.get("ratio_threshold") or 0) > 1]
    assert growth and all("实际增长" in line and "标准增长 10.25%" in line for line in growth)
