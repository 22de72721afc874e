"""The example Chengdu district scheme: "T" groups, classes, caps and the local slot."""

from __future__ import annotations

import datetime as dt

from lianzhang.landuse import evaluate, explain, load, records

from .helpers import YEAR, tables, uscc


def firm(n: int, tax: int, **extra: object) -> dict[str, object]:
    return {
        "uscc": uscc(n),
        "industry_code": "3411",
        "park": "成都示例园区",
        "registered_on": dt.date(2010, 1, 1),
        "revenue": "30000000",
        "main_revenue": "30000000",
        "tax_paid": str(tax * 10_000),
        "value_added": "8000000",
        "land_mu": "20",
        "employees": 100,
        "energy_tce": "1000",
        "rd_expense": "600000",
        "electricity_kwh": "1000000",
        "emissions_t": "2",
        **extra,
    }


def test_example_scheme_end_to_end():
    scheme = load("cn.sc.chengdu.example-district.2022")
    firms = [firm(n, tax) for n, tax in enumerate([100, 80, 60, 50, 40, 30, 20, 10, 5, 1])]
    firms.append(firm(20, 50, industry_code="4411"))  # a power utility: "T"
    firms.append(firm(21, 50, registered_on=dt.date(2022, 3, 1)))  # less than two years: "T"
    firms.append(firm(22, 10_000, emissions_t=None))  # far above the rest: capped items
    rows = records(scheme, evaluate(scheme, *tables(firms), YEAR))
    by = {r["uscc"]: r for r in rows}
    assert by[uscc(20)]["group"] == "utilities" and by[uscc(20)]["class"] == "T"
    assert by[uscc(21)]["class"] == "T" and by[uscc(21)]["score"] is None
    assert explain(scheme, by[uscc(20)]) == ["公用事业企业（不定等级）：不评分，按 T 类管理"]
    scored = [r for r in rows if r["group"] == "park_above_scale"]
    assert len(scored) == 11 and all(r["score"] is not None for r in scored)
    classes = [r["class"] for r in scored]
    assert classes.count("A") <= 3 and classes.count("C") >= 2 and "D" not in classes
    assert by[uscc(0)]["class"] == "A" and by[uscc(9)]["class"] == "C"
    top = {i["id"]: i for i in by[uscc(22)]["indicators"]}
    assert top["tax_per_kwh"]["points"] == 15  # the cap
    assert top["va_per_emission"]["value"] is None  # no data: the group's average points
    assert top["va_per_emission"]["points"] is not None
    assert all(r["score"] == round(r["score"], 2) for r in scored)  # score_decimals: 2
