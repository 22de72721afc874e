"""The 黄岩 2022 scheme reproduces its published formula on hand-computed firms."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from lianzhang.landuse import evaluate, explain, load, records

from .helpers import YEAR, tables, uscc

A, B, C, D, E, G, X = (uscc(n) for n in range(1, 8))
FIRMS = [
    # 规上 (制造业, 主营业务收入 ≥ 2000 万元), every figure known
    {"uscc": A, "industry_code": "3411", "main_revenue": "50000000", "tax_paid": "3000000",
     "value_added": "20000000", "land_mu": "50", "energy_tce": "4000", "emissions_t": "3",
     "employees": 800, "rd_expense": "1500000"},
    # 规上 without emissions data: the 规上 average points for 单位排放增加值
    {"uscc": B, "industry_code": "3411", "main_revenue": "30000000", "tax_paid": "1000000",
     "value_added": "9000000", "land_mu": "40", "energy_tce": "2500", "employees": 300,
     "rd_expense": "600000"},
    # 规上, another firm with emissions
    {"uscc": C, "industry_code": "2710", "main_revenue": "80000000", "tax_paid": "6000000",
     "value_added": "30000000", "land_mu": "60.5", "energy_tce": "9000", "emissions_t": "10",
     "employees": 1000, "rd_expense": "2000000"},
    # 规下 (主营业务收入 < 2000 万元)
    {"uscc": D, "industry_code": "3411", "main_revenue": "10000000", "tax_paid": "500000",
     "land_mu": "10", "electricity_kwh": "2000000"},
    # 规上 with no land: not scored (and not in the emissions average)
    {"uscc": E, "industry_code": "3411", "main_revenue": "50000000", "tax_paid": "3000000",
     "value_added": "20000000", "energy_tce": "4000", "emissions_t": "0.5",
     "employees": 800, "rd_expense": "1500000"},
    # 规下 with land recorded as zero: not scored
    {"uscc": G, "industry_code": "3411", "main_revenue": "1000000", "tax_paid": "50000",
     "land_mu": "0", "electricity_kwh": "200000"},
    # retail: outside the population
    {"uscc": X, "industry_code": "5211", "main_revenue": "90000000", "tax_paid": "50000",
     "land_mu": "5"},
]  # fmt: skip


def above(tax: int, va: int, mu: F, tce: int, emis: F | None, staff: int, rd: int, rev: int):
    """The published 规上 formula in exact arithmetic (money in yuan → 万元)."""
    w = F(1, 10_000)
    items = [
        tax * w / mu / F("24.097") * 30,
        va * w / mu / F("136.16") * 20,
        va * w / tce / F("2.694") * 20,
        None if emis is None else va * w / emis / F("4929.81") * 10,
        va * w / staff / F("18.14") * 10,
        F(rd, rev) / F("0.0302") * 10,
    ]
    return items


@pytest.fixture(scope="module")
def result():
    scheme = load("cn.zj.taizhou-huangyan.2022")
    ent, ann = tables(FIRMS)
    return scheme, {r["uscc"]: r for r in records(scheme, evaluate(scheme, ent, ann, YEAR))}


def points(record):
    return [i["points"] for i in record["indicators"]]


def test_above_scale_formula(result):
    _scheme, rows = result
    a = above(3_000_000, 20_000_000, F(50), 4000, F(3), 800, 1_500_000, 50_000_000)
    c = above(6_000_000, 30_000_000, F("60.5"), 9000, F(10), 1000, 2_000_000, 80_000_000)
    assert rows[A]["group"] == rows[C]["group"] == "above_scale"
    assert points(rows[A]) == pytest.approx([float(x) for x in a], abs=1e-6)
    assert rows[A]["score"] == pytest.approx(float(sum(a)), abs=1e-6)
    assert rows[C]["score"] == pytest.approx(float(sum(c)), abs=1e-6)
    assert rows[A]["indicators"][0]["value"] == pytest.approx(6.0)  # 6 万元/亩
    assert rows[A]["indicators"][0]["benchmark"] == 24.097


def test_missing_emissions_gets_the_above_scale_average(result):
    _scheme, rows = result
    a = above(3_000_000, 20_000_000, F(50), 4000, F(3), 800, 1_500_000, 50_000_000)
    c = above(6_000_000, 30_000_000, F("60.5"), 9000, F(10), 1000, 2_000_000, 80_000_000)
    b = above(1_000_000, 9_000_000, F(40), 2500, None, 300, 600_000, 30_000_000)
    average = (a[3] + c[3]) / 2  # E has emissions but no land: not in the average
    b[3] = average
    emissions = rows[B]["indicators"][3]
    assert emissions["value"] is None
    assert emissions["points"] == pytest.approx(float(average), abs=1e-6)
    assert rows[B]["score"] == pytest.approx(float(sum(b)), abs=1e-6)  # type: ignore[arg-type]


def test_below_scale_formula(result):
    _scheme, rows = result
    expected = F(50, 10) / F("11.5932") * 50 + F(500_000, 2_000_000) / F("0.2352") * 50
    assert rows[D]["group"] == "below_scale"
    assert rows[D]["score"] == pytest.approx(float(expected), abs=1e-6)
    assert [i["id"] for i in rows[D]["indicators"]] == ["tax_per_mu", "tax_per_kwh"]


def test_no_land_is_not_scored(result):
    _scheme, rows = result
    for firm in (E, G):
        assert rows[firm]["score"] is None
        assert rows[firm]["indicators"][0]["value"] is None
    assert rows[E]["group"] == "above_scale" and rows[G]["group"] == "below_scale"


def test_outside_population_and_no_classes(result):
    _scheme, rows = result
    assert rows[X] == {"uscc": X, "group": None, "score": None, "class": None, "indicators": []}
    assert all(r["class"] is None for r in rows.values())  # 黄岩's cut-offs are not published


def test_explanations(result):
    scheme, rows = result
    lines = explain(scheme, rows[A])
    a = above(3_000_000, 20_000_000, F(50), 4000, F(3), 800, 1_500_000, 50_000_000)
    assert lines[0] == f"亩均税收 6 万元/亩，基准 24.1，得 {float(a[0]):.2f} 分（满分 30）"
    assert lines[-1].startswith("综合得分 ") and "（满分 100）" in lines[-1]
    assert "R&D经费占主营业务收入比重 3%，基准 3.02%" in lines[5]
    assert explain(scheme, rows[B])[3].startswith("单位排放增加值 无数据，按规上企业平均得 ")
    assert explain(scheme, rows[E])[-1] == "未评分：有指标无数据（规上企业）"
    assert explain(scheme, rows[X]) == ["不在本方案评价范围内"]
    assert explain(scheme, rows[A], "en")[0].startswith("tax per mu 6 万元/亩, benchmark 24.1")


def test_the_published_sentence_form():
    scheme = load("cn.zj.taizhou-huangyan.2022")
    record = {"uscc": A, "group": "above_scale", "score": None, "class": None, "indicators": [
        {"id": i.indicator.id, "value": 1.0, "benchmark": 1.0, "points": 1.0}
        for i in scheme.group("above_scale").items]}  # fmt: skip
    record["indicators"][0] = {"id": "tax_per_mu", "value": 18.1, "benchmark": 24.097,
                               "points": 22.5}  # fmt: skip
    assert explain(scheme, record)[0] == "亩均税收 18.1 万元/亩，基准 24.1，得 22.5 分（满分 30）"
