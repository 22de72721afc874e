"""Properties (hypothesis): class limits, merged parcels, tenants' shares."""

from __future__ import annotations

import math
from fractions import Fraction

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lianzhang.landuse import evaluate, load, parcels, records
from lianzhang.landuse.evaluate import classify
from lianzhang.landuse.scheme import ClassRule

from .helpers import YEAR, tables, uscc

PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
SCORES = st.lists(st.one_of(st.none(), st.sampled_from([10.0, 20.0, 20.0, 35.5, 50.0, 80.0])),
                  max_size=60) | st.lists(st.floats(0, 200), max_size=60)  # fmt: skip


@PROPERTY
@given(SCORES, st.integers(1, 60), st.integers(1, 40))
def test_class_shares_respect_the_limits(scores, top, bottom):
    p, q = Fraction(top, 100), Fraction(bottom, 100)
    rules = (ClassRule("A", "A", "top", p), ClassRule("B", "B", "rest"),
             ClassRule("C", "C", "bottom", q))  # fmt: skip
    classes = classify(rules, pl.Series(scores, dtype=pl.Float64)).to_list()
    scored = [(s, c) for s, c in zip(scores, classes, strict=True) if s is not None]
    n = len(scored)
    assert all(c is None for s, c in zip(scores, classes, strict=True) if s is None)
    count = {k: sum(1 for _s, c in scored if c == k) for k in "ABC"}
    assert count["A"] <= p * n
    assert count["C"] >= min(n, math.ceil(q * n))
    # ranks are respected: a better class never has a lower score
    order = {"A": 0, "B": 1, "C": 2}
    for s1, c1 in scored:
        for s2, c2 in scored:
            if s1 > s2:
                assert order[c1] <= order[c2]
            if s1 == s2:
                assert c1 == c2  # ties share a class


@PROPERTY
@given(st.lists(st.integers(1, 100), min_size=1, max_size=40))
def test_sichuan_scheme_limits_over_firms(taxes):
    scheme = load("cn.sc.2022")
    firms = [
        {"uscc": uscc(n), "industry_code": "3411", "park": "园区", "revenue": "30000000",
         "main_revenue": "30000000", "tax_paid": str(t * 10_000), "land_mu": "20",
         "employees": 100, "energy_tce": "1000", "rd_expense": "600000"}
        for n, t in enumerate(taxes)
    ]  # fmt: skip
    rows = records(scheme, evaluate(scheme, *tables(firms), YEAR))
    n = len(rows)
    shares = {k: sum(1 for r in rows if r["class"] == k) for k in "ABCD"}
    assert all(r["score"] is not None for r in rows)
    assert shares["A"] <= 0.3 * n and shares["C"] >= math.ceil(0.1 * n) and shares["D"] == 0


FIGURE = st.integers(1, 10_000_000)


@PROPERTY
@given(
    st.lists(st.tuples(FIGURE, FIGURE, st.integers(1, 500)), min_size=2, max_size=5),
    st.integers(1, 10_000_000),
)
def test_a_parcels_owners_share_one_result(owners, other_tax):
    """Co-owners of one parcel: one result, on their summed figures over the summed area."""
    scheme = load("cn.zj.taizhou-huangyan.2022")
    firms, links = [], []
    for n, (tax, kwh, mu) in enumerate(owners):
        firms.append({"uscc": uscc(n), "industry_code": "3411", "main_revenue": "1000000",
                      "tax_paid": str(tax), "electricity_kwh": str(kwh)})  # fmt: skip
        links.append({"parcel_id": "P1", "uscc": uscc(n), "role": "owner", "area_mu": str(mu)})
    alone = uscc(99)
    firms.append({"uscc": alone, "industry_code": "3411", "main_revenue": "1000000",
                  "tax_paid": str(other_tax), "electricity_kwh": "1000"})  # fmt: skip
    links.append({"parcel_id": "P2", "uscc": alone, "role": "owner", "area_mu": "7"})
    rows = records(scheme, evaluate(scheme, *tables(firms), YEAR, parcels.frame(links)), 15)
    merged = [{k: v for k, v in r.items() if k != "uscc"} for r in rows[:-1]]
    assert all(m == merged[0] for m in merged)
    tax = sum(t for t, _k, _m in owners)
    area = sum(m for _t, _k, m in owners)
    assert merged[0]["indicators"][0]["value"] == pytest.approx(tax / 10_000 / area, abs=1e-6)
    assert rows[-1]["indicators"][0]["value"] == pytest.approx(other_tax / 10_000 / 7, abs=1e-6)


@PROPERTY
@given(st.integers(1, 100), st.integers(1, 100), st.integers(1_000, 10_000_000))
def test_a_tenants_share_scales_its_per_mu_indicators(share_a, share_b, tax):
    """The same tenant on a share a or b of a parcel: per-亩 values scale by b / a."""
    scheme = load("cn.zj.taizhou-huangyan.2022")
    firm = {"uscc": uscc(1), "industry_code": "3411", "main_revenue": "1000000",
            "tax_paid": str(tax), "electricity_kwh": "50000"}  # fmt: skip
    values = []
    for share in (share_a, share_b):
        link = {"parcel_id": "P", "uscc": uscc(1), "role": "tenant",
                "area_share": f"{share}%", "parcel_mu": "20"}  # fmt: skip
        (row,) = records(scheme, evaluate(scheme, *tables([firm]), YEAR, parcels.frame([link])), 15)
        values.append(row["indicators"])
    per_mu_a, per_mu_b = values[0][0]["value"], values[1][0]["value"]
    assert per_mu_a * share_a == pytest.approx(per_mu_b * share_b, rel=1e-5)
    assert per_mu_a == pytest.approx(tax / 10_000 / (20 * share_a / 100), rel=1e-5)
    assert values[0][1] == values[1][1]  # 单位电耗税收 does not depend on land


def test_owner_chains_merge_and_tenants_stay_apart():
    links = parcels.frame([
        {"parcel_id": "P1", "uscc": "A", "role": "owner", "area_mu": "5"},
        {"parcel_id": "P1", "uscc": "B", "role": "owner", "area_mu": "5"},
        {"parcel_id": "P2", "uscc": "B", "role": "owner", "area_mu": "3"},
        {"parcel_id": "P2", "uscc": "C", "role": "owner", "area_mu": "3"},
        {"parcel_id": "P2", "uscc": "T", "role": "tenant", "area_mu": "1"},
    ])  # fmt: skip
    assert sorted(parcels.units(links).rows()) == [("A", "A"), ("B", "A"), ("C", "A")]
    assert dict(parcels.land(links).rows())["B"] == 8.0


def test_bad_parcel_rows():
    from lianzhang.core.errors import ValidationError

    for row, message in (
        ({"parcel_id": "P", "uscc": "A", "role": "landlord", "area_mu": "1"}, "role"),
        ({"parcel_id": "P", "uscc": "A", "area_share": "0.5"}, "parcel_mu"),
        ({"parcel_id": "P", "uscc": "A", "area_mu": "many"}, "不是数值"),
        ({"parcel_id": "P", "uscc": "A", "area_mu": "-1"}, "非负"),
        ({"parcel_id": "P", "uscc": "A", "area_share": "1.5", "parcel_mu": "3"}, "area_share"),
        ({"uscc": "A", "area_mu": "1"}, "parcel_id"),
    ):
        with pytest.raises(ValidationError, match=message):
            parcels.frame([row])
