"""Same-set growth, computed by hand on a small roster (the statistics bureau's method)."""

import doctest
from decimal import Decimal
from fractions import Fraction

import polars as pl
import pytest

from lianzhang.core.errors import ValidationError
from lianzhang.monitoring import growth as method
from lianzhang.monitoring import indicators, panel
from lianzhang.monitoring.growth import GroupGrowth, Period, growth

P = Period


def panel_frame(rows):
    """(uscc, year, month, output_value in yuan or None) → the panel frame (fen)."""
    return pl.DataFrame(
        {
            "uscc": [r[0] for r in rows],
            "year": [r[1] for r in rows],
            "month": [r[2] for r in rows],
            "output_value": [None if r[3] is None else r[3] * 100 for r in rows],
        },
        schema={"uscc": pl.String, "year": pl.Int32, "month": pl.Int8, "output_value": pl.Int64},
    )


def roster_frame(pairs):
    return pl.DataFrame(
        {"uscc": [u for u, _ in pairs], "year": [y for _, y in pairs]},
        schema={"uscc": pl.String, "year": pl.Int32},
    )


# A: in both years' rosters. B: enters the roster in 2025 (新纳统), with its 2024 values.
# C: in the 2024 roster only (退库 in 2025). D: in 2025, June 2024 unknown.
VALUES = panel_frame(
    [
        *[("A", 2024, m, 100) for m in range(1, 7)],
        *[("A", 2025, m, 110) for m in range(1, 7)],
        *[("B", 2024, m, 50) for m in range(1, 7)],
        *[("B", 2025, m, 80) for m in range(1, 7)],
        *[("C", 2024, m, 1000) for m in range(1, 7)],
        *[("D", 2024, m, 10) for m in range(1, 6)],
        ("D", 2024, 6, None),
        *[("D", 2025, m, 20) for m in range(1, 7)],
    ]
)
ROSTER = roster_frame([("A", 2024), ("C", 2024), ("A", 2025), ("B", 2025), ("D", 2025)])
ENTERPRISES = pl.DataFrame(
    {
        "uscc": ["A", "B", "C", "D"],
        "district": ["锦江区", "武侯区", "锦江区", None],
        "industry_code": ["C39", "C39", "C13", "C26"],
    }
)


def test_the_module_doctests_pass():
    for module in (method, indicators, panel):
        assert doctest.testmod(module).failed == 0


def test_the_set_is_this_years_roster_with_their_own_prior_values():
    [g] = growth(VALUES, ROSTER, "output_value", P(2025, 6))
    # A and B (B entered this year, counted on both sides); C left; D's June 2024 unknown
    assert (g.group, g.label) == ("all", "2025年6月")
    assert (g.current, g.prior) == ((110 + 80) * 100, (100 + 50) * 100)
    assert g.growth == Fraction(190, 150) - 1
    assert (g.firms, g.excluded) == (2, 1)


def test_a_leaving_firm_is_on_neither_side_and_last_years_total_is_not_the_base():
    [g] = growth(VALUES, ROSTER, "output_value", P(2025, 3))
    # D's March is known: A, B, D counted; C's 1000 (last year's roster) is not in the prior
    assert (g.current, g.prior) == (210 * 100, 160 * 100)
    assert g.growth == Fraction(210, 160) - 1
    assert (g.firms, g.excluded) == (3, 0)


def test_cumulative_sums_the_months_and_excludes_a_firm_with_any_unknown_month():
    [g] = growth(VALUES, ROSTER, "output_value", P(2025, 6), cumulative=True)
    assert g.label == "2025年1—6月"
    assert (g.current, g.prior) == (6 * 190 * 100, 6 * 150 * 100)
    assert (g.firms, g.excluded) == (2, 1)
    [five] = growth(VALUES, ROSTER, "output_value", P(2025, 5), cumulative=True)
    assert (five.current, five.prior, five.firms) == (5 * 210 * 100, 5 * 160 * 100, 3)


def test_a_missing_row_is_unknown_like_an_empty_cell():
    values = VALUES.filter(~((pl.col("uscc") == "A") & (pl.col("month") == 4)))
    [g] = growth(values, ROSTER, "output_value", P(2025, 4))
    assert (g.firms, g.excluded) == (2, 1)  # B and D; A has no April rows
    assert (g.current, g.prior) == (100 * 100, 60 * 100)


def test_january_and_february_are_published_together():
    [feb] = growth(VALUES, ROSTER, "output_value", P(2025, 2))
    [cum] = growth(VALUES, ROSTER, "output_value", P(2025, 2), cumulative=True)
    assert feb == cum
    assert feb.label == "2025年1—2月"
    assert feb.current == 2 * 210 * 100
    with pytest.raises(ValidationError, match="1—2月"):
        growth(VALUES, ROSTER, "output_value", P(2025, 1))
    [jan] = growth(VALUES, ROSTER, "output_value", P(2025, 1), combine_jan_feb=False)
    assert (jan.label, jan.current) == ("2025年1月", 210 * 100)


def test_grouping_by_district_and_industry():
    groups = growth(
        VALUES, ROSTER, "output_value", P(2025, 3), enterprises=ENTERPRISES, by="district"
    )
    by = {g.group: g for g in groups}
    assert [g.group for g in groups] == ["武侯区", "锦江区", None]  # no district last
    assert (by["锦江区"].current, by["锦江区"].prior, by["锦江区"].firms) == (11000, 10000, 1)
    assert by["武侯区"].growth == Fraction(3, 5)
    assert by[None].growth == Fraction(1)
    assert method.total(groups).growth == Fraction(210, 160) - 1
    industries = growth(
        VALUES, ROSTER, "output_value", P(2025, 6), enterprises=ENTERPRISES, by="industry_code"
    )
    assert [(g.group, g.firms, g.excluded) for g in industries] == [("C26", 0, 1), ("C39", 2, 0)]
    assert industries[0].growth is None


def test_a_firm_absent_from_the_enterprises_table_has_no_group():
    groups = growth(
        VALUES, ROSTER, "output_value", P(2025, 3), enterprises=ENTERPRISES[:1], by="district"
    )
    assert [(g.group, g.firms) for g in groups] == [("锦江区", 1), (None, 2)]


def test_growth_is_none_when_the_prior_is_zero_and_a_known_zero_counts():
    values = panel_frame([("N", 2024, 6, 0), ("N", 2025, 6, 500)])
    [g] = growth(values, roster_frame([("N", 2025)]), "output_value", P(2025, 6))
    assert (g.current, g.prior, g.firms, g.excluded, g.growth) == (50000, 0, 1, 0, None)
    assert g.as_json(indicators.indicator("output_value"))["growth"] is None


def test_no_firm_in_the_set_gives_zero_totals_and_no_growth():
    [g] = growth(VALUES, ROSTER, "output_value", P(2026, 6))
    assert g == GroupGrowth("all", "2026年6月", 0, 0, 0, 0)
    assert g.growth is None


def test_two_year_average_growth_is_geometric():
    values = panel_frame([("A", 2023, 6, 100), ("A", 2024, 6, 90), ("A", 2025, 6, 121)])
    roster = roster_frame([("A", 2025)])
    [g] = growth(values, roster, "output_value", P(2025, 6), lag=2)
    assert g.growth == Fraction(21, 100)
    assert g.label == "2025年6月（比2023年同期）"
    assert method.average_growth(g.growth) == Decimal("0.100000000000")
    assert method.average_growth(Fraction(-19, 100)) == Decimal("-0.100000000000")


def test_contributions_add_up_to_the_total_growth():
    groups = growth(
        VALUES, ROSTER, "output_value", P(2025, 3), enterprises=ENTERPRISES, by="district"
    )
    parts = method.contributions(groups)
    assert sum(c.pull for c in parts) == method.total(groups).growth
    assert sum(c.share for c in parts) == 1
    assert {c.group: c.pull for c in parts}["武侯区"] == Fraction(30, 160)


def test_json_is_exact():
    [g] = growth(VALUES, ROSTER, "output_value", P(2025, 6))
    assert g.as_json(indicators.indicator("output_value")) == {
        "group": "all",
        "label": "2025年6月",
        "current": "190.00",
        "prior": "150.00",
        "growth": "4/15",
        "firms": 2,
        "excluded": 1,
    }
    assert method.exact(123456, False) == "1234.56"


@pytest.mark.parametrize("text", ["2025-6", "2025/06", "202506", "2025-13", "2025-00", ""])
def test_a_bad_period_is_refused(text):
    with pytest.raises(ValidationError) as info:
        Period.parse(text)
    assert info.value.zh and info.value.en and info.value.zh != info.value.en


def test_bad_input_is_refused_in_chinese_and_english():
    with pytest.raises(ValidationError, match=r"未知指标.*unknown indicator"):
        growth(VALUES, ROSTER, "gdp", P(2025, 6))
    with pytest.raises(ValidationError, match=r"缺少列.*lacks the columns: output_value"):
        growth(VALUES.drop("output_value"), ROSTER, "output_value", P(2025, 6))
    with pytest.raises(ValidationError, match="roster"):
        growth(VALUES, ROSTER.drop("year"), "output_value", P(2025, 6))
    with pytest.raises(ValidationError, match="--enterprises"):
        growth(VALUES, ROSTER, "output_value", P(2025, 6), by="district")
    with pytest.raises(ValidationError, match="lag must be at least 1"):
        growth(VALUES, ROSTER, "output_value", P(2025, 6), lag=0)
    with pytest.raises(ValidationError, match="unknown grouping"):
        growth(VALUES, ROSTER, "output_value", P(2025, 6), by="chain")
    with pytest.raises(ValidationError, match="several rows for the same firm"):
        growth(pl.concat([VALUES, VALUES[-1:]]), ROSTER, "output_value", P(2025, 6))
    twice = pl.concat([ENTERPRISES, ENTERPRISES[:1]])
    with pytest.raises(ValidationError, match="listed twice"):
        growth(VALUES, ROSTER, "output_value", P(2025, 6), enterprises=twice, by="district")


def test_month_on_month_is_on_this_years_set():
    groups = method.month_on_month(
        VALUES, ROSTER, "output_value", P(2025, 6), enterprises=ENTERPRISES, by="district"
    )
    # June vs May 2025: A 110/110, B 80/80, D 20/20 (its unknown June 2024 is not needed)
    assert [(g.group, g.growth, g.firms, g.excluded) for g in groups] == [
        ("武侯区", 0, 1, 0),
        ("锦江区", 0, 1, 0),
        (None, 0, 1, 0),
    ]
    assert groups[0].label == "2025年6月环比（未经季调）"
    [jan] = method.month_on_month(VALUES, ROSTER, "output_value", P(2025, 1))
    assert (jan.firms, jan.excluded) == (0, 3)  # no December 2024 values: unknown, not zero
