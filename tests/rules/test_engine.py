"""Engine behaviour: exact money, error messages, explanations, what-if, the CLI contract.

The hypothesis properties (bulk = single, unknowns never flip a verdict) are in
``test_properties.py``.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import strategies as st

from lianzhang.cli.policies import policies
from lianzhang.core import frames
from lianzhang.rules.engine import Tables
from lianzhang.rules.evaluation import evaluate
from lianzhang.rules.explain import explain
from lianzhang.rules.policy import PolicyError, load_library, load_policy
from lianzhang.rules.syntax import ExprError, parse
from lianzhang.rules.whatif import whatif

LIB = load_library()
AS_OF = dt.date(2026, 6, 1)
MONEY = st.one_of(st.none(), st.integers(0, 300_000_000).map(lambda f: Decimal(f) / 100 * 100))
COUNT = st.one_of(st.none(), st.integers(0, 600))


def run(ents: list[dict[str, object]], annual: list[dict[str, object]]) -> pl.DataFrame:
    tables = Tables(frames.from_rows("enterprises", ents), frames.from_rows("annual", annual))
    return evaluate(LIB, tables, AS_OF).results().select("uscc", "policy", "verdict", "award_fen")


def test_money_is_exact_beyond_float32() -> None:
    """50,000,001 yuan is not 50,000,000 (OpenFisca's float32 would say it is)."""
    ents = [{"uscc": "A", "name": "甲", "industry_code": "3985"}]
    annual = [{"uscc": "A", "year": 2025, "main_revenue": Decimal("19999999.99")}]
    assert run(ents, annual).filter(pl.col("policy") == "cn.nbs.above-scale-industrial")[
        "verdict"
    ].to_list() == ["ineligible"]


def test_parse_errors_say_where_and_what_to_write() -> None:
    with pytest.raises(ExprError) as err:
        parse("rd_expense >= 100万元 and\n  revenue（")
    assert (err.value.line, err.value.col) == (2, 10)
    assert "'('" in str(err.value)
    with pytest.raises(ExprError, match="=="):
        parse("a = 1")
    with pytest.raises(ExprError, match="不能连写"):
        parse("1 < a < 5")


def test_type_errors_point_at_the_policy_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "id: t.bad\ntitle: 坏\nmode: automatic\nconfidence: high\n"
        "effective: {from: 2026-01-01}\n"
        "criteria:\n  id: root\n  expr: rd_expense >= 100\n",
        "utf-8",
    )
    policy = load_policy(path)
    lib = load_library([path])
    tables = Tables(frames.from_rows("enterprises", []), frames.from_rows("annual", []))
    with pytest.raises(PolicyError, match=r"bad.yaml:8:.*100万元"):
        evaluate(lib, tables, AS_OF, [policy.id])
    path.write_text(path.read_text("utf-8").replace("rd_expens ", "x"), "utf-8")
    path.write_text(path.read_text("utf-8").replace("rd_expense >= 100", "rd_expence > 0"), "utf-8")
    with pytest.raises(PolicyError, match="rd_expense"):
        evaluate(load_library([path]), tables, AS_OF)


def test_explain_and_whatif() -> None:
    ents = [
        {
            "uscc": "A",
            "name": "甲",
            "district": "东区",
            "industry_code": "3985",
            "credit_blacklisted": False,
        },
        {
            "uscc": "B",
            "name": "乙",
            "district": "西区",
            "industry_code": "3985",
            "credit_blacklisted": False,
        },
    ]
    annual = [
        {"uscc": u, "year": y, "main_revenue": Decimal(m), "rd_expense": Decimal(r)}
        for u, y, m, r in [
            ("A", 2024, "1e7", "1e6"),
            ("A", 2025, "3e7", "2e6"),
            ("B", 2024, "1e7", "1e6"),
            ("B", 2025, "1.9e7", "2e6"),
        ]
    ]
    tables = Tables(frames.from_rows("enterprises", ents), frames.from_rows("annual", annual))
    ev = evaluate(LIB, tables, AS_OF, ["local.example.rd-subsidy"])
    text = explain(ev, "B")
    assert "✗ 上年度主营业务收入2000万元及以上" in text and "差 100 万元" in text
    result = whatif(LIB, tables, AS_OF, "local.example.rd-subsidy", {"rate": "20%"})
    assert result.gained == [] and result.budget_change_fen == 10_000_000  # 10万元 more for A
    lowered = whatif(LIB, tables, AS_OF, "local.example.rd-subsidy", {"rate": "10%"})
    assert lowered.changes.height == 0
    by = result.by("district").to_dicts()
    assert by == [{"district": "东区", "gained": 0, "lost": 0, "award_delta_fen": 10_000_000}]


def test_cli_evaluate_contract(tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_text(
        "统一社会信用代码,企业名称,国民经济行业分类代码\n91350100M000100Y43,甲,3985\n", "utf-8"
    )
    (tmp_path / "a.csv").write_text(
        "统一社会信用代码,年度,主营业务收入（万元）\n91350100M000100Y43,2025,2000\n", "utf-8"
    )
    args = [
        "evaluate",
        "--policy",
        "cn.nbs.above-scale-industrial",
        "--enterprises",
        str(tmp_path / "e.csv"),
        "--annual",
        str(tmp_path / "a.csv"),
        "--as-of",
        "2026-03-01",
    ]
    result = CliRunner().invoke(policies, args)
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.output)
    assert row["verdict"] == "eligible" and row["award"] is None and row["score"] is None
    revenue = next(c for c in row["criteria"] if c["id"] == "main_revenue")
    assert (revenue["passed"], revenue["value"], revenue["threshold"], revenue["margin"]) == (
        True,
        20_000_000,
        20_000_000,
        0,
    )
    explained = CliRunner().invoke(policies, ["explain", "--uscc", "91350100M000100Y43", *args[3:]])
    assert "结论：符合" in explained.output
    whatif_out = CliRunner().invoke(
        policies,
        [
            "whatif",
            "--policy",
            "cn.nbs.above-scale-industrial",
            "--set",
            "min_main_revenue=2500万元",
            *args[3:],
        ],
    )
    assert "不再符合 1 家" in whatif_out.output
    assert CliRunner().invoke(policies, ["test"]).exit_code == 0


def test_a_duplicated_year_keeps_its_last_row() -> None:
    """(uscc, year) is a key; a duplicate must not repeat the enterprise in the results."""
    ents = [{"uscc": "A", "name": "甲", "industry_code": "3985"}]
    annual = [
        {"uscc": "A", "year": 2025, "main_revenue": Decimal("10000000")},
        {"uscc": "A", "year": 2025, "main_revenue": Decimal("25000000")},
    ]
    out = run(ents, annual).filter(pl.col("policy") == "cn.nbs.above-scale-industrial")
    assert out["verdict"].to_list() == ["eligible"]


def test_errors_in_a_folded_block_point_at_the_written_line(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "id: t.fold\ntitle: 折叠\nmode: automatic\nconfidence: high\n"
        "effective: {from: 2026-01-01}\n"
        "criteria:\n  id: root\n  expr: >\n    rd_expense >= 100万元\n    and revenu >= 1万元\n",
        "utf-8",
    )
    tables = Tables(frames.from_rows("enterprises", []), frames.from_rows("annual", []))
    with pytest.raises(PolicyError) as err:
        evaluate(load_library([path]), tables, AS_OF)
    assert f"{path}:10:9" in err.value.zh and "revenue" in err.value.zh
    assert "criterion root" in err.value.en  # the English half is English
    with pytest.raises(ExprError, match="请写 >="):
        parse("segment_years => 3")


@pytest.mark.parametrize(
    ("registered", "years"),
    [("2023-06-01", 3), ("2023-06-02", 2), ("2024-02-29", 2), ("2026-06-01", 0)],
)
def test_years_since_counts_whole_years(tmp_path: Path, registered: str, years: int) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "id: t.age\ntitle: 成立满3年\nmode: automatic\nconfidence: high\n"
        "effective: {from: 2026-01-01}\nparameters: {min_years: {values: {2026-01-01: 3}}}\n"
        "criteria: {id: age, expr: years_since(registered_on) >= min_years}\n",
        "utf-8",
    )
    ents = [{"uscc": "A", "name": "甲", "registered_on": dt.date.fromisoformat(registered)}]
    tables = Tables(frames.from_rows("enterprises", ents), frames.from_rows("annual", []))
    [row] = evaluate(load_library([path]), tables, AS_OF).records()
    [age] = row["criteria"]
    assert (age["value"], age["passed"]) == (years, years >= 3)


def test_explain_lists_what_failed_and_what_is_missing() -> None:
    ents = [{"uscc": "A", "name": "甲", "industry_code": "3985"}]
    annual = [{"uscc": "A", "year": 2025, "main_revenue": Decimal("19999999")}]
    tables = Tables(frames.from_rows("enterprises", ents), frames.from_rows("annual", annual))
    ev = evaluate(LIB, tables, AS_OF, ["cn.nbs.above-scale-industrial", "cn.most.high-tech"])
    text = explain(ev, "A")
    assert "未满足：上年度主营业务收入 2000万元及以上" in text
    assert "实际 1999.9999 万元，标准 2000 万元，差 1 元" in text
    assert "待补充数据或人工审核：注册成立一年以上" in text


def test_errors_in_score_bands_and_awards_point_at_the_file(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    text = (
        "id: t.score\ntitle: 评分\nmode: application\nconfidence: high\n"
        "effective: {from: 2026-01-01}\n"
        "scores:\n  total:\n    shared_end: higher\n    items:\n      - id: rd\n"
        "        value: rd_expense / revenue\n"
        "        bands: [{from: 5%, points: 20}, {from: 100万元, points: 10}, {points: 0}]\n"
        "criteria: {id: root, expr: score(total) >= 10}\naward:\n  amount: 20\n"
    )
    path.write_text(text, "utf-8")
    tables = Tables(frames.from_rows("enterprises", []), frames.from_rows("annual", []))
    with pytest.raises(PolicyError, match=r"s.yaml:12:48：评分项 total.rd：金额不能"):
        evaluate(load_library([path]), tables, AS_OF)
    path.write_text(text.replace("100万元", "3%"), "utf-8")
    with pytest.raises(PolicyError, match=r"s.yaml:15:11：award.amount：奖励金额应为金额"):
        evaluate(load_library([path]), tables, AS_OF)


def test_a_run_records_what_reproduces_it() -> None:
    ents = [{"uscc": "A", "name": "甲", "industry_code": "3985", "credit_blacklisted": False}]
    annual = [
        {"uscc": "A", "year": 2024, "main_revenue": Decimal("3e7"), "rd_expense": Decimal("1e6")},
        {"uscc": "A", "year": 2025, "main_revenue": Decimal("3e7"), "rd_expense": Decimal("2e6")},
    ]
    tables = Tables(frames.from_rows("enterprises", ents), frames.from_rows("annual", annual))
    pid = "local.example.rd-subsidy"
    ev = evaluate(LIB, tables, AS_OF, [pid], {pid: {"rate": "15%"}})
    [used] = ev.run["policies"]
    assert ev.run["as_of"] == AS_OF.isoformat() and used["overridden"] == ["rate"]
    assert used["parameters"]["rate"] == "15%" and used["digest"] == LIB.policies[pid].digest
    again = evaluate(LIB, tables, dt.date.fromisoformat(ev.run["as_of"]), [pid], {pid: {
        k: used["parameters"][k] for k in used["overridden"]
    }})  # fmt: skip
    assert (
        again.records() == ev.records() and ev.records()[0]["award_fen"] == 15_000_000
    )  # 100万元 × 15%


def test_compiled_policies_are_reused_only_for_the_same_object_date_and_parameters() -> None:
    """Pages reuse compiled policies; a changed parameter or policy must never hit them."""
    import dataclasses

    ents = [{"uscc": "A", "name": "甲", "industry_code": "3985"}]
    annual = [{"uscc": "A", "year": 2025, "main_revenue": Decimal("15000000")}]
    tables = Tables(frames.from_rows("enterprises", ents), frames.from_rows("annual", annual))
    pid = "cn.nbs.above-scale-industrial"

    def verdict(library=LIB, overrides=None, as_of=AS_OF) -> str:
        found = evaluate(library, tables, as_of, [pid], overrides).results()
        return str(found["verdict"][0])

    assert verdict() == "ineligible"
    assert verdict(overrides={pid: {"min_main_revenue": "1000万元"}}) == "eligible"
    assert verdict() == "ineligible"  # the override did not stay behind
    policy = LIB.policies[pid]
    lowered = dataclasses.replace(
        policy,
        parameters={
            "min_main_revenue": dataclasses.replace(
                policy.parameters["min_main_revenue"], values=((dt.date(2011, 1, 1), "1000万元"),)
            )
        },
    )
    assert verdict(library=type(LIB)({pid: lowered})) == "eligible"
    assert verdict() == "ineligible"
