"""Properties of same-set growth (hypothesis): what the issue's 'done when' asks for."""

from fractions import Fraction

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from lianzhang.monitoring import growth as method
from lianzhang.monitoring.growth import Period, growth

PERIOD = Period(2025, 3)
MONTHS = (1, 2, 3)
DISTRICTS = ("锦江区", "武侯区", "高新区", None)

value = st.one_of(st.none(), st.integers(0, 10**9)) | st.integers(0, 10**9)
firm = st.fixed_dictionaries(
    {
        "in_roster": st.booleans(),
        "district": st.sampled_from(DISTRICTS),
        "values": st.lists(value, min_size=6, max_size=6),  # 2024 and 2025, months 1-3
    }
)
firms = st.lists(firm, min_size=0, max_size=10)


def frames(spec, scale=1):
    rows, roster, districts = [], [], []
    for i, f in enumerate(spec):
        uscc = f"F{i:03d}"
        if f["in_roster"]:
            roster.append(uscc)
        districts.append((uscc, f["district"]))
        for k, v in enumerate(f["values"]):
            year, month = 2024 + k // 3, MONTHS[k % 3]
            rows.append((uscc, year, month, None if v is None else v * scale))
    values = pl.DataFrame(
        rows,
        schema={"uscc": pl.String, "year": pl.Int32, "month": pl.Int8, "output_value": pl.Int64},
        orient="row",
    )
    roster_frame = pl.DataFrame(
        {"uscc": roster, "year": [2025] * len(roster)}, schema={"uscc": pl.String, "year": pl.Int32}
    )
    enterprises = pl.DataFrame(
        districts, schema={"uscc": pl.String, "district": pl.String}, orient="row"
    )
    return values, roster_frame, enterprises


def all_of(spec, cumulative=False, **kw):
    values, roster, _ = frames(spec)
    [g] = growth(values, roster, "output_value", PERIOD, cumulative=cumulative, **kw)
    return g


@settings(max_examples=60, deadline=None)
@given(firms, st.booleans())
def test_the_city_total_is_the_sum_over_districts(spec, cumulative):
    values, roster, enterprises = frames(spec)
    whole = all_of(spec, cumulative)
    parts = growth(
        values, roster, "output_value", PERIOD,
        cumulative=cumulative, enterprises=enterprises, by="district",
    )  # fmt: skip
    assert method.total(parts, whole.label) == whole
    pulls = [c.pull for c in method.contributions(parts)]
    if whole.growth is not None:
        assert sum(pulls, Fraction(0)) == whole.growth


@settings(max_examples=50, deadline=None)
@given(firms, st.integers(1, 1000), st.booleans())
def test_scaling_every_value_leaves_growth_unchanged(spec, k, cumulative):
    values, roster, _ = frames(spec, scale=k)
    [scaled] = growth(values, roster, "output_value", PERIOD, cumulative=cumulative)
    plain = all_of(spec, cumulative)
    assert scaled.growth == plain.growth
    assert (scaled.current, scaled.prior) == (plain.current * k, plain.prior * k)


@settings(max_examples=60, deadline=None)
@given(firms, firm)
def test_a_firm_entering_never_changes_the_growth_of_the_firms_already_in(spec, newcomer):
    before = all_of(spec, True)
    entering = [*spec, {**newcomer, "in_roster": True}]
    values, roster, _ = frames(entering)
    marks = pl.DataFrame(
        {"uscc": [f"F{i:03d}" for i in range(len(entering))],
         "district": ["old"] * len(spec) + ["new"]},
    )  # fmt: skip
    groups = growth(
        values, roster, "output_value", PERIOD, cumulative=True, enterprises=marks, by="district"
    )
    old = next((g for g in groups if g.group == "old"), None)
    if old is None:  # nobody of the old set in the roster
        assert before.firms + before.excluded == 0
    else:
        assert (old.current, old.prior, old.firms, old.excluded) == (
            before.current, before.prior, before.firms, before.excluded,
        )  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(firms.filter(bool), st.data())
def test_a_firm_that_leaves_is_absent_from_both_sides(spec, data):
    i = data.draw(st.integers(0, len(spec) - 1))
    left = [*spec[:i], {**spec[i], "in_roster": False}, *spec[i + 1 :]]
    gone = [f if j != i else {**f, "values": [None] * 6, "in_roster": False}
            for j, f in enumerate(spec)]  # fmt: skip
    assert all_of(left, True) == all_of(gone, True)


@settings(max_examples=60, deadline=None)
@given(firms.filter(lambda s: any(f["in_roster"] for f in s)), st.data())
def test_unknown_never_counts_as_zero(spec, data):
    members = [i for i, f in enumerate(spec) if f["in_roster"]]
    i = data.draw(st.sampled_from(members))
    k = data.draw(st.integers(0, 5))
    blanked = [dict(f) for f in spec]
    blanked[i]["values"] = [None if j == k else v for j, v in enumerate(spec[i]["values"])]
    without = [f if j != i else {**f, "in_roster": False} for j, f in enumerate(spec)]
    g, w = all_of(blanked, True), all_of(without, True)
    assert (g.current, g.prior, g.firms) == (w.current, w.prior, w.firms)
    assert g.excluded == w.excluded + 1


@settings(max_examples=50, deadline=None)
@given(firms)
def test_january_and_february_are_combined(spec):
    values, roster, _ = frames(spec)
    feb = growth(values, roster, "output_value", Period(2025, 2))
    cumulative = growth(values, roster, "output_value", Period(2025, 2), cumulative=True)
    assert feb == cumulative
    assert feb[0].label == "2025年1—2月"
    # the firms known in both months: their two single months add up to 1—2月
    jan = growth(values, roster, "output_value", Period(2025, 1), combine_jan_feb=False)
    only_feb = growth(values, roster, "output_value", Period(2025, 2), combine_jan_feb=False)
    if jan[0].excluded == only_feb[0].excluded == feb[0].excluded:
        assert feb[0].current == jan[0].current + only_feb[0].current
