"""The cadence's deadlines and the warning signals (pure pieces)."""

import datetime as dt
import doctest
import subprocess
import sys
from fractions import Fraction as F

import polars as pl
import pytest

from lianzhang.core.calendar import Calendar
from lianzhang.core.errors import ValidationError
from lianzhang.monitoring import alerts, cadence
from lianzhang.monitoring.growth import Period

from .test_growth import ENTERPRISES, ROSTER, VALUES, panel_frame, roster_frame

D = dt.date


def test_the_module_doctests_pass():
    for module in (alerts, cadence):
        assert doctest.testmod(module).failed == 0


def test_the_pure_modules_import_no_django():
    code = (
        "import sys; import lianzhang.monitoring.growth, lianzhang.monitoring.panel, "
        "lianzhang.monitoring.alerts, lianzhang.monitoring.cadence; "
        "bad = [m for m in sys.modules if m.split('.')[0] == 'django' "
        "or m.startswith('lianzhang.storage')]; print(bad); sys.exit(bool(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_monthly_reports_are_due_on_the_8th_moved_past_days_off():
    assert cadence.monthly_due(2025, 6) == D(2025, 7, 8)  # a Tuesday
    assert cadence.monthly_due(2025, 12) == D(2026, 1, 8)
    assert cadence.monthly_due(2025, 10) == D(2025, 11, 10)  # Saturday 8th → Monday
    assert cadence.monthly_due(2025, 10, roll=False) == D(2025, 11, 8)
    assert cadence.monthly_due(2025, 6, day=10) == D(2025, 7, 10)
    local = Calendar(overrides={D(2025, 7, 8): False})
    assert cadence.monthly_due(2025, 6, calendar=local) == D(2025, 7, 9)
    with pytest.raises(ValidationError, match="the day 1-28"):
        cadence.monthly_due(2025, 6, day=31)


def test_weekly_and_quarterly_deadlines():
    assert cadence.weekly_due(D(2025, 6, 16)) == D(2025, 6, 23)  # the next Monday
    assert cadence.weekly_due(D(2025, 6, 22), workdays=2) == D(2025, 6, 24)
    assert cadence.weekly_due(D(2025, 9, 30)) == D(2025, 10, 9)  # 国庆: 1–8 October off
    assert cadence.quarterly_due(2025, 2, 10) == D(2025, 7, 14)
    assert cadence.quarterly_due(2025, 4, 1) == D(2026, 1, 4)  # Sunday 4 January 2026 worked
    with pytest.raises(ValidationError, match="quarter"):
        cadence.quarterly_due(2025, 5, 1)


def test_the_late_list_counts_working_days():
    late = cadence.late_list(
        D(2025, 9, 30),
        {"甲": D(2025, 9, 30), "乙": D(2025, 10, 9), "丙": None},
        D(2025, 10, 10),
    )
    assert [(x.who, x.submitted, x.workdays_late) for x in late] == [
        ("丙", None, 2),
        ("乙", D(2025, 10, 9), 1),
    ]


def test_colour_grades_follow_the_bands_and_unknown_has_none():
    assert [alerts.grade(F(n, 100)) for n in (120, 100, 99, 90, 89, 51, 50, 0, -30)] == [
        "green", "green", "yellow", "yellow", "orange", "orange", "red", "red", "red",
    ]  # fmt: skip
    bands = ((F(0), "green"), (F(-1, 10), "yellow"))
    assert alerts.grade(F(-5, 100), bands) == "yellow"
    with pytest.raises(ValidationError):
        alerts.grade(F(-1, 2), bands)


@pytest.mark.parametrize(
    ("series", "months", "expected"),
    [
        ([F(-1, 10), F(-1, 10)], 2, True),
        ([F(-1, 10), F(0)], 2, False),  # flat is not a fall
        ([None, F(-1, 10)], 2, None),
        ([F(1, 10), None], 2, False),
        ([F(-1, 10)], 2, None),  # too short to tell
        ([F(5), F(-1, 10), F(-1, 10), F(-1, 10)], 3, True),
    ],
)
def test_runs_of_declines_are_three_valued(series, months, expected):
    assert alerts.declined_for(series, months) is expected


def test_the_share_of_firms_declining():
    values = VALUES.with_columns(
        pl.when((pl.col("uscc") == "B") & (pl.col("year") == 2025))
        .then(10 * 100)
        .otherwise(pl.col("output_value"))
        .alias("output_value")
    )
    [whole] = alerts.declining(values, ROSTER, "output_value", Period(2025, 3))
    assert (whole.declining, whole.firms, whole.share) == (1, 3, F(1, 3))
    groups = alerts.declining(
        values, ROSTER, "output_value", Period(2025, 6), enterprises=ENTERPRISES, by="district"
    )
    assert [(g.group, g.declining, g.firms) for g in groups] == [("武侯区", 1, 1), ("锦江区", 0, 1)]
    with pytest.raises(ValidationError):
        alerts.declining(values, ROSTER, "output_value", Period(2025, 6), by="district")


def test_electricity_up_while_output_falls():
    rows = [("A", 2024, 6, 100), ("A", 2025, 6, 90), ("B", 2024, 6, 100), ("B", 2025, 6, 110)]
    rows += [("C", 2024, 6, 0), ("C", 2025, 6, 50)]
    values = panel_frame(rows).with_columns(
        pl.Series("electricity_kwh", [1000, 1200, 1000, 1100, 500, 600], dtype=pl.Int64)
    )
    roster = roster_frame([("A", 2025), ("B", 2025), ("C", 2025)])
    [flag] = alerts.divergence(values, roster, Period(2025, 6))
    assert (flag.uscc, flag.rising, flag.falling) == ("A", F(1, 5), F(-1, 10))
