"""绩效评价: the engine on a panel with a known answer, the service, the CLI and the page."""

import io
import json
from decimal import Decimal
from fractions import Fraction

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner
from scipy.stats import t as student

from lianzhang.cli.main import cli
from lianzhang.enterprises.models import Annual
from lianzhang.policies import outcomes
from lianzhang.policies.models import Case

from .conftest import USCCS, make_policy

HERE = ("3973", "小型", "成都高新区")
OTHER_DISTRICT = ("3973", "小型", "武侯区")
LONELY = ("1311", "小型", "成都高新区")  # a cell nobody else is in


def firm(uscc, cell, pre, post):
    """Two panel rows (2023, 2025): (revenue fen, employees) before and after."""
    return [
        {
            "uscc": uscc,
            "year": year,
            "industry_code": cell[0],
            "size_class": cell[1],
            "district": cell[2],
            "revenue": values[0],
            "employees": values[1],
            "rd_expense": None,
            "tax_paid": None,
        }
        for year, values in ((2023, pre), (2025, post))
    ]


def known_panel():
    rows = []
    # two beneficiaries of 2024 and their similar firms (same 中类 397, size and district)
    rows += firm("T1", HERE, (10_000_000, 100), (12_000_000, 130))
    rows += firm("T2", HERE, (20_000_000, 200), (23_000_000, 260))
    rows += firm("C1", HERE, (11_000_000, 110), (12_000_000, 120))
    rows += firm("C2", HERE, (19_000_000, 190), (20_550_000, 200))
    rows += firm("C3", HERE, (50_000_000, 500), (90_000_000, 900))
    # identical to T1 before, but in another district: never a control
    rows += firm("D1", OTHER_DISTRICT, (10_000_000, 100), (90_000_000, 900))
    # 3975 is the same 中类 (397) as 3973: a control like any other, but far from both
    rows += firm("C4", ("3975", "小型", "成都高新区"), (900_000_000, 9000), (1, 1))
    rows += firm("T3", LONELY, (5_000_000, 50), (6_000_000, None))  # post staff unknown
    rows += firm("T4", ("3973", "未知", "成都高新区"), (10_000_000, 100), (11_000_000, 101))
    return pl.DataFrame(rows)


TREATED = {"T1", "T2", "T3", "T4", "T5"}  # T5 has no data at all


def by_name(result):
    return {e.indicator.name: e for e in result.estimates}


def test_the_estimate_is_the_hand_computed_difference_in_differences():
    result = outcomes.evaluate(known_panel(), TREATED, 2024)
    assert (result.pre_year, result.post_year, result.treated_total) == (2023, 2025, 5)
    staff = by_name(result)["employees"]
    # T1: +30 against C1's +10 → 20; T2: +60 against C2's +10 → 50; mean 35
    assert [(p.treated, p.control) for p in staff.pairs] == [("T1", "C1"), ("T2", "C2")]
    assert [p.difference for p in staff.pairs] == [20, 50]
    assert staff.did == 35
    # paired SE: sd(20, 50) = √450, SE = √450 / √2 = 15; t(0.975, 1) = 12.706…
    assert staff.se == 15
    half = Decimal(repr(float(student.ppf(0.975, 1)))) * 15
    assert staff.ci_low == 35 - half and staff.ci_high == 35 + half
    assert staff.mean("treated_pre") == 150 and staff.mean("control_post") == 160
    revenue = by_name(result)["revenue"]
    assert revenue.did == Fraction(1_225_000)  # fen: exact, 12 250 元
    row = outcomes.row_of(revenue)
    assert row["unit"] == "万元" and row["did"] == Decimal("1.23")  # 1.225 万元, half-up
    assert row["treated_pre_mean"] == Decimal("15.00")  # 150 000 元


def test_unknown_is_left_out_and_counted_never_zero():
    result = by_name(outcomes.evaluate(known_panel(), TREATED, 2024))
    staff, revenue = result["employees"], result["revenue"]
    # staff: T3 (post unknown) and T5 (no rows) lack a value; T4's size class is unknown
    assert (staff.treated_n, staff.unknown_value, staff.unknown_cell, staff.no_match) == (
        2,
        2,
        1,
        0,
    )
    # revenue: T3 is known but alone in its cell
    assert (revenue.treated_n, revenue.unknown_value, revenue.unknown_cell) == (2, 1, 1)
    assert revenue.no_match == 1 and revenue.unknown == 3
    # no R&D figures anywhere: nothing estimated, nothing made up
    rd = result["rd_expense"]
    assert rd.treated_n == 0 and rd.did is None and rd.ci_low is None
    assert rd.unknown_value == 5
    assert outcomes.row_of(rd)["did"] is None


def test_a_firm_in_another_district_is_never_a_control():
    panel = known_panel().filter(pl.col("uscc").is_in(["T1", "D1"]))
    staff = by_name(outcomes.evaluate(panel, {"T1"}, 2024))["employees"]
    assert staff.pairs == () and staff.no_match == 1
    # the same firm moved into T1's district is taken at once
    moved = panel.with_columns(district=pl.lit("成都高新区"))
    staff = by_name(outcomes.evaluate(moved, {"T1"}, 2024))["employees"]
    assert [p.control for p in staff.pairs] == ["D1"]


def test_matching_ties_replacement_and_exclusions():
    rows = []
    rows += firm("T1", HERE, (0, 100), (0, 110))
    rows += firm("T2", HERE, (0, 101), (0, 111))
    rows += firm("C9", HERE, (0, 95), (0, 95))  # 5 below T1
    rows += firm("C5", HERE, (0, 105), (0, 105))  # 5 above T1: a tie, the smaller USCC wins
    rows += firm("C0", HERE, (0, 101), (0, 200))  # as near as can be, but excluded
    panel = pl.DataFrame(rows)
    staff = by_name(outcomes.evaluate(panel, {"T1", "T2"}, 2024, excluded={"C0"}))["employees"]
    assert [(p.treated, p.control) for p in staff.pairs] == [("T1", "C5"), ("T2", "C5")]
    assert staff.control_n == 1 and staff.treated_n == 2  # with replacement
    # T2 (101) is nearer to T1 than C5, but a beneficiary is never a control; without the
    # exclusion C0 serves both
    staff = by_name(outcomes.evaluate(panel, {"T1", "T2"}, 2024))["employees"]
    assert [p.control for p in staff.pairs] == ["C0", "C0"]


def test_one_pair_has_an_estimate_but_no_interval():
    panel = pl.DataFrame(firm("T1", HERE, (0, 10), (0, 15)) + firm("C1", HERE, (0, 10), (0, 11)))
    staff = by_name(outcomes.evaluate(panel, {"T1"}, 2024))["employees"]
    assert staff.did == 4 and staff.se is None and staff.ci_low is None


def test_ratios_are_fractions_and_unknown_without_revenue():
    rows = firm("T1", HERE, (1000, 1), (1000, 1)) + firm("C1", HERE, (0, 1), (1000, 1))
    panel = pl.DataFrame(rows).with_columns(
        rd_expense=pl.Series([100, 300, 50, 50], dtype=pl.Int64)
    )
    intensity = by_name(outcomes.evaluate(panel, {"T1"}, 2024))["rd_intensity"]
    assert intensity.no_match == 1  # C1 had no revenue before: its intensity is unknown
    panel = panel.with_columns(revenue=pl.Series([1000, 1000, 1000, 1000], dtype=pl.Int64))
    intensity = by_name(outcomes.evaluate(panel, {"T1"}, 2024))["rd_intensity"]
    assert intensity.did == Fraction(3, 10) - Fraction(1, 10)
    assert outcomes.row_of(intensity)["did"] == Decimal("0.2000")


def test_money_given_as_decimal_yuan_is_exact():
    rows = firm("T1", HERE, (0, 1), (0, 1)) + firm("C1", HERE, (0, 1), (0, 1))
    panel = pl.DataFrame(rows).with_columns(
        revenue=pl.Series(
            [Decimal("100.01"), Decimal("200.02"), Decimal("100.00"), Decimal("100.00")],
            dtype=pl.Decimal(20, 2),
        )
    )
    revenue = by_name(outcomes.evaluate(panel, {"T1"}, 2024))["revenue"]
    assert revenue.did == 10_001  # fen


def test_size_class_comes_from_the_years_own_figures():
    panel = pl.DataFrame(
        {
            "uscc": ["A", "B", "C"],
            "year": [2023, 2023, 2023],
            "industry_code": ["3973", "3973", None],
            "district": ["x", "x", "x"],
            "employees": [50, 5, 50],
            "revenue": [10_000_000 * 100, 1_000_000 * 100, 10_000_000 * 100],
            "total_assets": [None, None, None],
        }
    )
    sizes = outcomes.with_size_class(panel).sort("uscc")["size_class"].to_list()
    assert sizes == ["小型", "微型", "未知"]


# --- through the database ---------------------------------------------------------------


def annual(uscc, year, revenue, employees):
    Annual.objects.create(
        enterprise_id=uscc,
        year=year,
        revenue=Decimal(revenue),
        employees=employees,
        rd_expense=Decimal("100000"),
        tax_paid=Decimal("50000"),
    )


@pytest.fixture
def evaluated(city):
    """USCCS[0] paid for 2024; [2] a similar firm; [4] committed in 2025 (never a control);
    [1] identical to [0] before, but in 武侯区."""
    policy = make_policy("local.test.rd", "automatic")
    for uscc, pre, post in (
        (USCCS[0], ("10000000", 50), ("13000000", 60)),
        (USCCS[2], ("11000000", 52), ("12000000", 55)),
        (USCCS[4], ("10000000", 50), ("19000000", 90)),
        (USCCS[1], ("10000000", 50), ("10000000", 10)),
    ):
        annual(uscc, 2023, *pre)
        annual(uscc, 2025, *post)
    Case.objects.create(enterprise_id=USCCS[0], policy=policy, year=2024, state="paid")
    Case.objects.create(enterprise_id=USCCS[4], policy=policy, year=2025, state="approved")
    Case.objects.create(enterprise_id=USCCS[3], policy=policy, year=2024, state="eligible")
    return policy


def run(*args):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.mark.django_db
def test_cli_prints_json_with_the_estimate(evaluated):
    code, out = run("delivery", "outcomes", "local.test.rd", "--year", "2024")
    assert code == 0, out
    data = json.loads(out)
    assert {"policy", "year", "pre_year", "post_year", "method", "limits", "indicators"} <= set(
        data
    )
    assert (data["policy"], data["year"], data["beneficiaries"]) == ("local.test.rd", 2024, 1)
    rows = {r["indicator"]: r for r in data["indicators"]}
    revenue = rows["revenue"]
    assert {
        "label",
        "unit",
        "treated_n",
        "control_n",
        "treated_pre_mean",
        "treated_post_mean",
        "control_pre_mean",
        "control_post_mean",
        "did",
        "ci_low",
        "ci_high",
        "unknown_value",
        "unknown_cell",
        "no_match",
    } <= set(revenue)
    # +300 万元 against the similar firm's +100 万元 (the committed one is never used)
    assert (revenue["treated_n"], revenue["control_n"], revenue["did"]) == (1, 1, "200.00")
    assert revenue["unit"] == "万元" and revenue["ci_low"] is None  # one pair: no interval
    assert rows["employees"]["did"] == "7.0"


@pytest.mark.django_db
def test_cli_writes_a_workbook_and_refuses_what_it_cannot_do(evaluated, tmp_path):
    path = tmp_path / "o.xlsx"
    code, out = run(
        "delivery", "outcomes", "local.test.rd", "--year", "2024", "--output", str(path)
    )
    assert code == 0, out
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["结果 results", "配对 pairs", "方法 method"]
    results = [[c.value for c in row] for row in book["结果 results"].iter_rows()]
    assert results[1][0] == "营业收入" and results[1][12] == 200
    pairs = [[c.value for c in row] for row in book["配对 pairs"].iter_rows()]
    assert pairs[1][2:4] == [USCCS[0], USCCS[2]]
    assert pairs[1][7] == 10_000_000  # yuan, exact
    code, out = run("delivery", "outcomes", "no.such.policy", "--year", "2024")
    assert code == 1 and "没有政策 no.such.policy" in out and "no policy" in out
    code, out = run("delivery", "outcomes", "local.test.rd", "--year", "2024", "--output", "x.csv")
    assert code == 1 and ".xlsx" in out


@pytest.mark.django_db
def test_the_page_is_for_the_bureau(evaluated, people, client):
    url = "/policies/outcomes/local.test.rd/2024/"
    client.force_login(people["analyst"])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="outcome-revenue"' in html and "200.00" in html
    assert 'id="outcomes-method"' in html and "outcome-chart-revenue" in html
    chart = page.context["chart"]["charts"][0]
    assert chart["treated"] == [1000.0, 1300.0] and chart["counterfactual"] == [1000.0, 1100.0]
    download = client.get(url + "?format=xlsx")
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert openpyxl.load_workbook(io.BytesIO(download.content)).sheetnames[0] == "结果 results"
    ledger = client.get("/policies/money/local.test.rd/2024/").content.decode()
    assert 'href="/policies/outcomes/local.test.rd/2024/"' in ledger
    client.force_login(people["firm"])
    assert client.get(url).status_code == 403
    assert client.get(url + "?format=xlsx").status_code == 403


@pytest.mark.django_db
def test_page_names_are_escaped(evaluated, people, client):
    evaluated.title = "<script>alert(1)</script>"
    evaluated.save()
    client.force_login(people["analyst"])
    html = client.get("/policies/outcomes/local.test.rd/2024/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
