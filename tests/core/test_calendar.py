"""China's working days at the holiday lines of 2024 and 2025, overrides, hours, the CLI."""

import datetime as dt

import pytest
from click.testing import CliRunner

from lianzhang.cli.main import cli
from lianzhang.core import calendar as cal

D = dt.date


@pytest.mark.parametrize(
    ("day", "work"),
    [
        # 2025 (国办发明电〔2024〕12号)
        (D(2025, 1, 26), True),  # Sunday worked before 春节
        (D(2025, 1, 28), False),
        (D(2025, 2, 4), False),
        (D(2025, 2, 8), True),  # Saturday worked
        (D(2025, 4, 27), True),  # Sunday worked before 劳动节
        (D(2025, 5, 1), False),
        (D(2025, 5, 5), False),
        (D(2025, 9, 28), True),
        (D(2025, 10, 8), False),
        (D(2025, 10, 11), True),
        # 2024 (国办发明电〔2023〕7号): 春节 2月10日–17日, 2月4日 and 2月18日 (Sundays) worked;
        # 劳动节 5月1日–5日, 4月28日 (Sunday) and 5月11日 (Saturday) worked;
        # 国庆 10月1日–7日, 9月29日 (Sunday) and 10月12日 (Saturday) worked.
        (D(2024, 2, 4), True),
        (D(2024, 2, 10), False),
        (D(2024, 2, 17), False),
        (D(2024, 2, 18), True),
        (D(2024, 4, 28), True),
        (D(2024, 5, 5), False),
        (D(2024, 5, 11), True),
        (D(2024, 9, 29), True),
        (D(2024, 10, 7), False),
        (D(2024, 10, 12), True),
        (D(2024, 10, 13), False),  # an ordinary Sunday
    ],
)
def test_holiday_lines(day, work):
    assert cal.is_workday(day) is work


def test_add_workdays_across_holidays():
    assert cal.add_workdays(D(2025, 1, 27), 1) == D(2025, 2, 5)
    assert cal.add_workdays(D(2025, 1, 24), 1) == D(2025, 1, 26)
    assert cal.add_workdays(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert cal.add_workdays(D(2025, 9, 30), 2) == D(2025, 10, 10)
    assert cal.add_workdays(D(2025, 9, 30), 3) == D(2025, 10, 11)  # the worked Saturday
    assert cal.add_workdays(D(2024, 4, 30), 1) == D(2024, 5, 6)
    # n = 0: the day itself if it is a working day, else the next one
    assert cal.add_workdays(D(2025, 10, 9), 0) == D(2025, 10, 9)
    assert cal.add_workdays(D(2025, 10, 1), 0) == D(2025, 10, 9)
    with pytest.raises(cal.CalendarError):
        cal.add_workdays(D(2025, 10, 1), -1)


def test_workdays_between_is_the_inverse():
    start = D(2025, 1, 20)
    for n in range(1, 30):
        assert cal.workdays_between(start, cal.add_workdays(start, n)) == n
    assert cal.workdays_between(D(2025, 10, 8), D(2025, 9, 30)) == 0
    assert cal.workdays_between(D(2025, 10, 10), D(2025, 10, 8)) == -2


def test_unknown_year_is_refused_not_guessed():
    first, last = cal.known_years()
    with pytest.raises(cal.CalendarError) as err:
        cal.is_workday(D(last + 1, 3, 2))
    assert "超出" in err.value.zh and "outside" in err.value.en
    with pytest.raises(cal.CalendarError):
        cal.is_workday(D(first - 1, 3, 2))


def test_overrides_as_data(tmp_path):
    path = tmp_path / "local.csv"
    path.write_text("date,kind,note\n2025-03-03,holiday,区停电\n2025-03-08,workday,补班\n", "utf-8")
    overrides = cal.load_overrides(path)
    c = cal.Calendar(overrides=overrides)
    assert not c.is_workday(D(2025, 3, 3)) and c.is_workday(D(2025, 3, 8))
    assert c.add_workdays(D(2025, 2, 28), 1) == D(2025, 3, 4)
    far = cal.Calendar(overrides={D(2099, 1, 1): True})
    assert far.is_workday(D(2099, 1, 1))  # an override answers even outside the package
    path.write_text("date,kind\n2025-03-03,maybe\n", "utf-8")
    with pytest.raises(cal.CalendarError):
        cal.load_overrides(path)


def test_working_hours():
    t = dt.datetime
    assert cal.add_working_hours(t(2025, 1, 27, 16, 30), 2) == t(2025, 2, 5, 10, 0)
    assert cal.add_working_hours(t(2025, 1, 27, 11, 0), 1) == t(2025, 1, 27, 12, 0)
    assert cal.add_working_hours(t(2025, 1, 27, 11, 30), 1) == t(2025, 1, 27, 14, 0)
    assert cal.add_working_hours(t(2025, 1, 27, 20, 0), 0) == t(2025, 2, 5, 9, 0)
    assert cal.working_minutes_between(t(2025, 1, 27, 16, 30), t(2025, 2, 5, 10, 0)) == 120
    c = cal.Calendar(hours=cal.WorkingHours.parse("8:30-12:00,14:00-18:00"))
    assert c.add_working_hours(t(2025, 3, 3, 11, 0), 2) == t(2025, 3, 3, 15, 0)
    with pytest.raises(cal.CalendarError):
        cal.WorkingHours.parse("12:00-9:00")


def test_cli_contract(tmp_path):
    run = CliRunner().invoke
    out = run(cli, ["calendar", "add-workdays", "2025-01-27", "1"])
    assert out.exit_code == 0 and out.output == "2025-02-05\n"
    out = run(cli, ["calendar", "is-workday", "2025-02-08"])
    assert out.exit_code == 0 and out.output == "true\n"
    assert run(cli, ["calendar", "is-workday", "2025-02-01"]).output == "false\n"
    for args in (
        ["calendar", "add-workdays", "2025-13-01", "1"],
        ["calendar", "add-workdays", "2025-01-27", "x"],
        ["calendar", "add-workdays", "2025-01-27", "-1"],
        ["calendar", "is-workday", "2999-01-01"],
    ):
        bad = run(cli, args)
        assert bad.exit_code == 1, args
        lines = bad.output.strip().splitlines()
        assert len(lines) == 1 and " / " in lines[0], bad.output
    path = tmp_path / "o.csv"
    path.write_text("date,kind\n2025-02-05,holiday\n", "utf-8")
    out = run(cli, ["calendar", "add-workdays", "2025-01-27", "1", "--overrides", str(path)])
    assert out.output == "2025-02-06\n"
