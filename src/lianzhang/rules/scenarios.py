"""Scenario tests as data: YAML files next to each policy (``<policy>.scenarios.yaml``).

A file names a policy and an as-of date, an optional ``base`` enterprise, and ``cases``;
each case changes the base (``~`` makes a value unknown) and states what to expect::

    policy: cn.nbs.above-scale-industrial
    as_of: 2025-03-01
    base:
      enterprise: {industry_code: "3985"}
      annual: {2024: {main_revenue: 2000万元}}
    cases:
      - name: 2000万元（含）
        expect: {verdict: eligible}
      - name: 差 1 分
        annual: {2024: {main_revenue: 19999999.99}}
        expect: {verdict: ineligible, failing: [main_revenue]}

``failing`` is the exact set of leaf criteria that fail, ``unknown`` the exact set left
undecided, ``needs_review`` whether the verdict rests on a manual or unverified clause.
``confirmed: [id, …]`` reads the named manual clauses as confirmed by a reviewer, so the
award of an application policy is checked as it will be paid.
They run with ``lianzhang policies test PATH`` and under pytest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from lianzhang.core import contract, frames
from lianzhang.core.errors import LianzhangError

from .engine import Tables
from .evaluation import Evaluation, evaluate
from .policy import SCENARIO_SUFFIX, Library, PolicyError, read_yaml, where
from .review import confirm

SCALES = {"亿元": 100_000_000, "万元": 10_000}


@dataclass(frozen=True)
class CaseResult:
    file: Path
    name: str
    problems: tuple[str, ...]
    policy: str = ""  # the policy version evaluated
    verdict: str | None = None
    criteria: Mapping[str, bool | None] = field(default_factory=dict)  # id → passed

    @property
    def ok(self) -> bool:
        return not self.problems


def scenario_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    return sorted(root.rglob(f"*{SCENARIO_SUFFIX}"))


def _value(table: str, name: str, raw: Any, path: Path) -> Any:
    scale = 1
    if isinstance(raw, str):
        for unit, factor in SCALES.items():
            if raw.endswith(unit):
                raw, scale = raw.removesuffix(unit), factor
    try:
        return contract.field(table, name).parse(raw, scale=scale)
    except LianzhangError as exc:
        raise PolicyError(
            f"{where(path, raw)}：{name}：{exc.zh}", f"{path}: {name}: {exc.en}"
        ) from None


def _rows(
    table: str, items: Sequence[Mapping[str, Any]], uscc: str, path: Path
) -> list[dict[str, Any]]:
    out = []
    for item in items:
        row = {"uscc": uscc}
        row.update({str(k): _value(table, str(k), v, path) for k, v in item.items()})
        out.append(row)
    return out


def case_tables(base: Mapping[str, Any], case: Mapping[str, Any], path: Path) -> Tables:
    uscc = "SCENARIO"
    enterprise = {
        "name": "测试企业",
        **(base.get("enterprise") or {}),
        **(case.get("enterprise") or {}),
    }
    years: dict[int, dict[str, Any]] = {}
    for source in (base.get("annual") or {}, case.get("annual") or {}):
        for year, values in source.items():
            years.setdefault(int(year), {}).update(values or {})
    annual = [{"year": y, **v} for y, v in sorted(years.items())]
    honours = case.get("honours", base.get("honours")) or []
    awards = case.get("awards", base.get("awards")) or []
    return Tables(
        frames.from_rows("enterprises", _rows("enterprises", [enterprise], uscc, path)),
        frames.from_rows("annual", _rows("annual", annual, uscc, path)),
        frames.from_rows("honours", _rows("honours", honours, uscc, path)),
        frames.from_rows("awards", _rows("awards", awards, uscc, path)),
    )


def _check(ev: Evaluation, expect: Mapping[str, Any]) -> list[str]:
    problems = []
    result = ev.records()[0]
    leaves = {c["id"]: c["passed"] for c in result["criteria"] if c["depth"] >= 0 and c["is_leaf"]}
    if "verdict" in expect and result["verdict"] != expect["verdict"]:
        problems.append(f"verdict {result['verdict']} ≠ expected {expect['verdict']}")
    if "needs_review" in expect and result["needs_review"] is not expect["needs_review"]:
        problems.append(
            f"needs_review {result['needs_review']} ≠ expected {expect['needs_review']}"
        )
    for key in ("score", "score_min", "score_max"):
        if key in expect and result[key] != _number(expect[key]):
            problems.append(f"{key} {result[key]} ≠ expected {expect[key]}")
    if "award" in expect:
        want = None if expect["award"] is None else _yuan(expect["award"])
        got = None if result["award"] is None else Decimal(str(result["award"]))
        if got != want:
            problems.append(f"award {got} ≠ expected {want}")
    for key, state in (("failing", False), ("unknown", None)):
        if key in expect:
            got_ids = sorted(k for k, v in leaves.items() if v is state)
            if got_ids != sorted(expect[key] or []):
                problems.append(f"{key} {got_ids} ≠ expected {sorted(expect[key] or [])}")
    all_criteria = {c["id"]: c for c in result["criteria"]}
    for cid, want in (expect.get("passed") or {}).items():
        if cid not in all_criteria:
            problems.append(f"no criterion {cid}")
        elif all_criteria[cid]["passed"] is not want:
            problems.append(f"criterion {cid} passed={all_criteria[cid]['passed']} ≠ {want}")
    for cid, want in (expect.get("margin") or {}).items():
        got = all_criteria.get(cid, {}).get("margin")
        if got is None or want is None or abs(got - float(want)) > 1e-6:
            problems.append(f"criterion {cid} margin {got} ≠ {want}")
    points = {s["item"]: s["points"] for s in result["scores"]}
    for item, want in (expect.get("scores") or {}).items():
        if points.get(item) != _number(want):
            problems.append(f"score item {item} = {points.get(item)} ≠ expected {want}")
    return problems


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _yuan(value: Any) -> Decimal:
    text = str(value)
    for unit, factor in SCALES.items():
        if text.endswith(unit):
            return Decimal(text.removesuffix(unit)) * factor
    return Decimal(text.removesuffix("元"))


def run_file(path: Path, library: Library) -> list[CaseResult]:
    data = read_yaml(path)
    if not isinstance(data, Mapping) or not isinstance(data.get("cases"), list):
        raise PolicyError(f"{path}：应包含 cases 列表", f"{path}: expected a list of cases")
    base = data.get("base") or {}
    results = []
    for i, case in enumerate(data["cases"], start=1):
        name = str(case.get("name", f"case {i}"))
        as_of = case.get("as_of", data.get("as_of"))
        policy = str(case.get("policy", data.get("policy")))
        if not isinstance(as_of, dt.date):
            raise PolicyError(f"{path}：{name}：缺少 as_of 日期", f"{path}: {name}: missing as_of")
        tables = case_tables(base, case, path)
        overrides = {policy: case["parameters"]} if case.get("parameters") else None
        seen: dict[str, bool | None] = {}
        verdict, version = None, policy
        try:
            chosen = library
            if case.get("confirmed"):  # manual clauses a reviewer confirmed (the award as paid)
                found = library.resolve(policy, as_of)
                done = confirm(found, [str(c) for c in case["confirmed"]])
                chosen = Library({**library.policies, found.id: done})
            ev = evaluate(chosen, tables, as_of, [policy], overrides)
            expect = dict(case.get("expect") or {})
            version = ev.compiled[0].policy.id
            if "resolves_to" in expect:
                want = expect.pop("resolves_to")
                problems = [] if version == want else [f"resolved to {version}"]
            else:
                problems = []
            problems += _check(ev, expect)
            record = ev.records()[0]
            verdict = record["verdict"]
            seen = {c["id"]: c["passed"] for c in record["criteria"]}
        except LianzhangError as exc:
            problems = [f"error: {exc}"]
        results.append(CaseResult(path, name, tuple(problems), version, verdict, seen))
    return results
