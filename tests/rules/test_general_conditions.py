"""The general conditions of every 梯度培育 tier, and the 中小企业 size classes by industry.

1. Size classes (``sizes``): on both sides of the 大型/中型/小型 lines in several industries,
   three-valued (a known staff count below the line decides without revenue; an unknown
   industry or a row the 规定 does not cover stays unknown).
2. A property (hypothesis): adding a blacklist flag, a major incident or a 大型 size to an
   enterprise never turns a definite ``ineligible`` tier verdict into anything else, and
   always turns an ``eligible`` one into ``ineligible``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lianzhang.rules import evaluate, sizes
from lianzhang.rules.plan import annual_column

from .test_properties import LIB, PROPERTY, registry, tables

AS_OF = dt.date(2026, 6, 1)
WAN = 10_000 * 100  # fen per 万元

# industry code, staff, revenue (万元), total assets (万元) → class (and is_sme when the
# class is unknown but 大型 is ruled out)
LINES: list[tuple[Any, ...]] = [
    # 工业: 大型 X≥1000 and Y≥40000; 中型 X≥300 and Y≥2000; 小型 X≥20 and Y≥300
    ("3985", 1000, 40000, None, "大型"),
    ("3985", 999, 40000, None, "中型"),
    ("3985", 1000, 39999, None, "中型"),
    ("3985", 300, 2000, None, "中型"),
    ("3985", 299, 2000, None, "小型"),
    ("3985", 20, 300, None, "小型"),
    ("3985", 19, 300, None, "微型"),
    ("3985", 20, 299, None, "微型"),
    ("3985", 1200, 15000, None, "中型"),  # issue 10: refused as "not an SME" before
    ("3985", 3000, 60000, None, "大型"),
    # 软件和信息技术服务业: 大型 X≥300 and Y≥10000; 中型 X≥100 and Y≥1000; 小型 X≥10 and Y≥50
    ("6513", 300, 10000, None, "大型"),
    ("6513", 299, 10000, None, "中型"),
    ("6513", 100, 1000, None, "中型"),
    ("6513", 100, 999, None, "小型"),
    ("6513", 10, 50, None, "小型"),
    ("6513", 9, 50, None, "微型"),
    # 建筑业 (revenue and assets, no staff): 大型 Y≥80000 and Z≥80000; 中型 Y≥6000 and Z≥5000
    ("4710", None, 80000, 80000, "大型"),
    ("4710", None, 80000, 79999, "中型"),
    ("4710", None, 6000, 5000, "中型"),
    ("4710", None, 5999, 5000, "小型"),
    ("4710", None, 300, 300, "小型"),
    ("4710", None, 300, 299, "微型"),
    # 批发业: 大型 X≥200 and Y≥40000; 小型 X≥5 and Y≥1000
    ("5111", 200, 40000, None, "大型"),
    ("5111", 199, 40000, None, "中型"),
    ("5111", 5, 1000, None, "小型"),
    ("5111", 4, 1000, None, "微型"),
    # 租赁和商务服务业 (staff and assets): 大型 X≥300 and Z≥120000
    ("7212", 300, None, 120000, "大型"),
    ("7212", 300, None, 119999, "中型"),
    # 房地产开发经营 (7010): 大型 Y≥200000 and Z≥10000
    ("7010", None, 200000, 10000, "大型"),
    ("7010", None, 200000, 9999, "中型"),
    # 其他未列明行业 (staff only): 大型 X≥300; 微型 X<10
    ("7320", 300, None, None, "大型"),
    ("7320", 299, None, None, "中型"),
    ("7320", 9, None, None, "微型"),
    # unknown: an indicator the row needs, the industry, a row the 规定 does not cover
    ("3985", None, 40000, None, "未知"),
    ("3985", 999, None, None, "未知", True),  # an SME whatever the revenue, class unknown
    ("3985", 10, None, None, "微型"),
    (None, 10, 100, 100, "未知"),
    ("6621", 10, 100, 100, "未知"),  # 金融业: not covered by the 规定
]


def _frame(rows: list[tuple[Any, ...]]) -> pl.LazyFrame:
    def fen(v: int | None) -> int | None:
        return None if v is None else v * WAN

    frame = pl.LazyFrame(
        {
            "industry_code": [r[0] for r in rows],
            annual_column("employees", 1): [r[1] for r in rows],
            annual_column("revenue", 1): [fen(r[2]) for r in rows],
            annual_column("total_assets", 1): [fen(r[3]) for r in rows],
        },
        schema={
            "industry_code": pl.String,
            annual_column("employees", 1): pl.Int64,
            annual_column("revenue", 1): pl.Int64,
            annual_column("total_assets", 1): pl.Int64,
        },
    )
    return sizes.with_row(frame, AS_OF)


def test_size_classes_on_both_sides_of_each_line() -> None:
    out = (
        _frame(LINES)
        .select(sizes.size_label(AS_OF).alias("size"), (~sizes.is_large(AS_OF)).alias("sme"))
        .collect()
    )
    got = list(zip(out["size"], out["sme"], strict=True))
    want = [
        (r[4], r[5] if len(r) > 5 else None if r[4] == "未知" else r[4] != "大型") for r in LINES
    ]
    mismatches = [(r, g, w) for r, g, w in zip(LINES, got, want, strict=True) if g != w]
    assert mismatches == []


def test_every_row_of_the_table_is_reachable() -> None:
    version = sizes.table().at(AS_OF)
    rows = {r.id for r in version.rows}
    assert set(version.prefixes.values()) == rows
    assert len(rows) == 17  # the 16 industries of the 规定 and 金融业 (not covered)


TIERS = ["cn.miit.innovative-sme", "cn.miit.specialized-sme", "cn.miit.little-giant"]


def _verdicts(data: dict[str, list[dict[str, Any]]], as_of: dt.date) -> dict[tuple[str, str], str]:
    res = evaluate(LIB, tables(data), as_of, TIERS).results()
    return {(r["uscc"], r["policy"]): r["verdict"] for r in res.iter_rows(named=True)}


def _worsen(data: dict[str, list[dict[str, Any]]], uscc: str, how: str) -> dict[str, Any]:
    if how in ("credit_blacklisted", "major_incident_recent"):
        e = [dict(r, **{how: True}) if r["uscc"] == uscc else r for r in data["e"]]
        return dict(data, e=e)
    # 大型: 其他未列明行业 with 300 staff or more in every year (staff is the row's only indicator)
    e = [dict(r, industry_code="7320") if r["uscc"] == uscc else r for r in data["e"]]
    a = [
        dict(r, employees=max(r.get("employees") or 0, 300)) if r["uscc"] == uscc else r
        for r in data["a"]
    ]
    return dict(data, e=e, a=a)


@PROPERTY
@given(
    registry(),
    st.data(),
    st.sampled_from(["credit_blacklisted", "major_incident_recent", "large"]),
    st.sampled_from([dt.date(2025, 6, 1), AS_OF]),
)
def test_a_general_condition_only_ever_excludes(
    data: dict[str, list[dict[str, Any]]], pick: st.DataObject, how: str, as_of: dt.date
) -> None:
    uscc = pick.draw(st.sampled_from([e["uscc"] for e in data["e"]]))
    before = _verdicts(data, as_of)
    after = _verdicts(_worsen(data, uscc, how), as_of)
    for (who, policy), verdict in before.items():
        if who != uscc:
            assert after[who, policy] == verdict
        elif verdict in ("eligible", "ineligible"):
            assert after[who, policy] == "ineligible", (how, policy, verdict)


@pytest.mark.parametrize("how", ["credit_blacklisted", "major_incident_recent", "large"])
def test_each_tier_reads_each_general_condition(how: str) -> None:
    """Every tier version has the three leaves, with their clause."""
    for policy in LIB.policies.values():
        if any(policy.family == f for f in TIERS):
            leaves = {c.id: c for c in policy.criteria.walk() if c.kind == "leaf"}
            leaf = {"credit_blacklisted": "not_blacklisted", "major_incident_recent": "no_incident"}
            cid = leaf.get(how, "sme")
            assert cid in leaves and leaves[cid].clause, (policy.id, cid)
