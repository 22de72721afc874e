"""Every scenario file of the built-in library passes (one pytest case per scenario), and
the scenarios cover each criterion on both sides of its line."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from lianzhang.rules import syntax as ast
from lianzhang.rules.policy import LIBRARY, load_library
from lianzhang.rules.scenarios import CaseResult, run_file, scenario_files

LIB = load_library()
RESULTS: list[CaseResult] = [r for f in scenario_files(LIBRARY) for r in run_file(f, LIB)]
POLICIES = sorted(LIB.policies.values(), key=lambda p: p.id)


@pytest.mark.parametrize("result", RESULTS, ids=[f"{r.file.stem}:{r.name}" for r in RESULTS])
def test_scenario(result: CaseResult) -> None:
    assert result.ok, "; ".join(result.problems)


def test_every_policy_has_scenarios() -> None:
    tested = {f.name.removesuffix(".scenarios.yaml") for f in scenario_files(LIBRARY)}
    untested = [p.id for p in LIB.policies.values() if p.path.stem not in tested]
    assert untested == []


@pytest.mark.parametrize("policy", POLICIES, ids=[p.id for p in POLICIES])
def test_each_criterion_is_seen_on_both_sides(policy: object) -> None:
    """A leaf criterion passes in one scenario and fails in another (manual: stays unknown)."""
    assert isinstance(policy, type(POLICIES[0]))
    seen: dict[str, set[bool | None]] = {}
    for r in RESULTS:
        if r.policy == policy.id:
            for cid, passed in r.criteria.items():
                seen.setdefault(cid, set()).add(passed)
    missing = {}
    for c in policy.criteria.walk():
        if c.kind == "leaf":
            want = {None} if c.manual else {True, False}
            if want - seen.get(c.id, set()):
                missing[c.id] = sorted(map(str, want - seen.get(c.id, set())))
    assert missing == {}


@pytest.mark.parametrize(
    "policy", [p for p in POLICIES if p.level == "national"], ids=lambda p: p.id
)
def test_national_policies_have_undetermined_and_definite_cases(policy: object) -> None:
    verdicts = {r.verdict for r in RESULTS if r.policy == getattr(policy, "id", None)}
    assert {"ineligible", "undetermined"} <= verdicts


def test_year_versioned_families_are_tested_on_both_sides_of_2026_04_01() -> None:
    evaluated = {r.policy for r in RESULTS if r.ok}
    for family in ("cn.miit.specialized-sme", "cn.miit.little-giant"):
        versions = {p.id for p in LIB.families()[family]}
        assert len(versions) == 2 and versions <= evaluated


def _literals(node: ast.Node) -> Iterator[ast.Num]:
    """Number literals of an expression, except function arguments (years=3, top=3)."""
    if isinstance(node, ast.Num):
        yield node
    elif isinstance(node, ast.Call):
        for arg in (*node.args, *(v for _, v in node.kwargs)):
            if not isinstance(arg, ast.Num):
                yield from _literals(arg)
    else:
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            for child in value if isinstance(value, tuple) else (value,):
                if isinstance(child, ast.Node):
                    yield from _literals(child)


@pytest.mark.parametrize("policy", POLICIES, ids=[p.id for p in POLICIES])
def test_thresholds_are_named_dated_parameters(policy: object) -> None:
    """A rule change is a new dated parameter value, never an edited number in a criterion."""
    assert isinstance(policy, type(POLICIES[0]))
    exprs = [c.expr for c in policy.criteria.walk() if c.expr is not None]
    exprs += list(policy.definitions.values())
    inline = [
        f"{n.line}:{n.col} {n.value}{n.unit}"
        for e in exprs
        for n in _literals(e)
        if n.unit or n.value not in (0, 1)
    ]
    assert inline == []


@pytest.mark.parametrize("policy", POLICIES, ids=[p.id for p in POLICIES])
def test_policy_metadata_is_complete(policy: object) -> None:
    """Source, 文号, issuer and period everywhere; a city's policy has an award and a budget."""
    assert isinstance(policy, type(POLICIES[0]))
    assert policy.title and policy.issuer and policy.doc_number
    assert policy.source_url.startswith(("http://", "https://"))
    assert policy.mode in ("automatic", "application")
    if policy.level == "local":
        assert policy.award is not None and policy.budget_fen
    unverified = policy.confidence == "unverified" or any(
        c.unverified for c in policy.criteria.walk()
    )
    if unverified:
        assert not policy.auto_grant  # unverified items never reach an automatic grant
