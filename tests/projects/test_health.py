"""超时序进度 and the health grade at their lines."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from lianzhang.core.errors import ValidationError
from lianzhang.projects.health import Grade, HealthRules, grade, pace, project_health, time_share
from lianzhang.projects.schedule import Project

D = dt.date
F = Fraction


@pytest.mark.parametrize(
    ("day", "basis", "share"),
    [
        (D(2025, 3, 31), "month", F(1, 4)),  # Sichuan: after Q1 the time share is 25 %
        (D(2025, 3, 30), "month", F(2, 12)),
        (D(2025, 1, 15), "month", F(0)),
        (D(2025, 12, 31), "month", F(1)),
        (D(2024, 2, 29), "month", F(2, 12)),  # leap-year February ends on the 29th
        (D(2025, 3, 31), "day", F(90, 365)),
        (D(2024, 3, 31), "day", F(91, 366)),
        (D(2025, 1, 1), "day", F(1, 365)),
    ],
)
def test_time_share(day, basis, share):
    assert time_share(day, basis) == share


def test_bad_basis():
    with pytest.raises(ValidationError, match="month or day"):
        time_share(D(2025, 1, 1), "week")


def test_sichuan_example_six_point_six_points_above_the_time_share():
    p = pace(Decimal("3160000.00"), Decimal("10000000.00"), D(2025, 3, 31))
    assert p.completion == F(316, 1000)
    assert p.gap == F(66, 1000)
    assert p.on_pace is True


def test_investment_exactly_on_the_time_share_is_on_pace():
    on = pace(Decimal("250.00"), Decimal("1000.00"), D(2025, 3, 31))
    assert (on.gap, on.on_pace) == (0, True)
    short = pace(Decimal("249.99"), Decimal("1000.00"), D(2025, 3, 31))
    assert short.on_pace is False
    # day basis: 90/365 of 365 yuan is exactly 90 yuan
    assert pace(Decimal("90"), Decimal("365"), D(2025, 3, 31), "day").gap == 0
    assert pace(Decimal("89.99"), Decimal("365"), D(2025, 3, 31), "day").on_pace is False


def test_unknown_investment_is_not_zero():
    assert pace(None, Decimal("10"), D(2025, 3, 31)).on_pace is None
    assert pace(Decimal("1"), None, D(2025, 3, 31)).gap is None
    assert pace(Decimal("1"), Decimal("0"), D(2025, 3, 31)).completion is None


def test_bad_amounts():
    with pytest.raises(ValidationError, match="non-negative"):
        pace(Decimal("-1"), Decimal("10"), D(2025, 3, 31))
    with pytest.raises(ValidationError, match="fen"):
        pace(Decimal("0.001"), Decimal("10"), D(2025, 3, 31))
    with pytest.raises(ValidationError, match="Decimal"):
        pace(1.5, Decimal("10"), D(2025, 3, 31))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overdue", "days", "gap", "blockers", "expected"),
    [
        (0, 0, F(0), 0, Grade.GREEN),
        (0, 0, None, 0, Grade.GREEN),
        (1, 1, F(0), 0, Grade.YELLOW),
        (2, 9, F(0), 0, Grade.YELLOW),
        (3, 1, F(0), 0, Grade.RED),
        (1, 10, F(0), 0, Grade.RED),
        (0, 0, F(-1, 1000), 0, Grade.YELLOW),
        (0, 0, F(-99, 1000), 0, Grade.YELLOW),
        (0, 0, F(-1, 10), 0, Grade.RED),  # 10 points behind is red
        (0, 0, F(0), 1, Grade.YELLOW),
        (0, 0, F(0), 2, Grade.YELLOW),
        (0, 0, F(0), 3, Grade.RED),
    ],
)
def test_grade_lines(overdue, days, gap, blockers, expected):
    assert grade(overdue, days, gap, blockers)[0] is expected


def test_grade_reasons_are_bilingual_and_rules_are_parameters():
    g, reasons = grade(1, 10, F(-1, 5), 0)
    assert g is Grade.RED
    assert reasons == (
        ("节点超期 10 个工作日", "a node is 10 working days overdue"),
        ("投资落后时序进度 20.0 个百分点", "investment 20.0 points behind"),
    )
    strict = HealthRules(red_overdue_nodes=1, red_pace_gap=F(1, 20), unknown_pace_is_yellow=True)
    assert grade(1, 1, F(0), 0, strict)[0] is Grade.RED
    assert grade(0, 0, F(-1, 20), 0, strict)[0] is Grade.RED
    assert grade(0, 0, None, 0, strict)[0] is Grade.YELLOW


@pytest.mark.parametrize(
    "kwargs",
    [
        {"red_overdue_nodes": 0},
        {"yellow_overdue_nodes": 4},
        {"yellow_blockers": 5},
        {"red_pace_gap": F(0)},
        {"red_pace_gap": 0.1},
        {"basis": "week"},
    ],
)
def test_bad_rules(kwargs):
    with pytest.raises(ValidationError):
        HealthRules(**kwargs)


def test_project_health():
    p = Project(
        "P",
        "livelihood",
        D(2025, 9, 26),
        limits={"proposal": 3},
        year_planned=Decimal("1000"),
        year_completed=Decimal("750"),
    )
    on_time = project_health(p, D(2025, 9, 30))  # share 9/12 on the last day of September
    assert (on_time.grade, on_time.due_nodes, on_time.pace.on_pace) == (Grade.GREEN, 1, True)
    late = project_health(p, D(2025, 10, 9))
    assert (late.grade, late.overdue_nodes, late.max_overdue_workdays) == (Grade.YELLOW, 1, 1)
    assert late.stage == "planning"
    with pytest.raises(ValidationError, match="blockers"):
        project_health(Project("P", "livelihood", D(2025, 9, 26), open_blockers=-1), D(2025, 10, 9))
