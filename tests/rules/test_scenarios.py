"""Every scenario file of the built-in library passes (one pytest case per scenario)."""

from __future__ import annotations

import pytest

from lianzhang.rules.policy import LIBRARY, load_library
from lianzhang.rules.scenarios import CaseResult, run_file, scenario_files

LIB = load_library()
RESULTS: list[CaseResult] = [r for f in scenario_files(LIBRARY) for r in run_file(f, LIB)]


@pytest.mark.parametrize("result", RESULTS, ids=[f"{r.file.stem}:{r.name}" for r in RESULTS])
def test_scenario(result: CaseResult) -> None:
    assert result.ok, "; ".join(result.problems)


def test_every_policy_has_scenarios() -> None:
    tested = {f.name.removesuffix(".scenarios.yaml") for f in scenario_files(LIBRARY)}
    untested = [p.id for p in LIB.policies.values() if p.path.stem not in tested]
    assert untested == []
