"""`lianzhang calendar …`: China's working days, for people and for other tools.

The output is a contract: ``add-workdays`` prints one ISO date, ``is-workday`` prints
``true`` or ``false``; bad input is one bilingual error line and exit code 1. No Django.
"""

from __future__ import annotations

import click

from lianzhang.core import calendar as cal


def _calendar(overrides: str | None) -> cal.Calendar:
    base = cal.default_calendar()
    if not overrides:
        return base
    return cal.Calendar(overrides={**base.overrides, **cal.load_overrides(overrides)})


_OVERRIDES = click.option(
    "--overrides",
    type=click.Path(dir_okay=False, exists=True),
    help="本地调整文件 CSV（date,kind,note）/ local overrides CSV",
)


@click.group(help="工作日历（法定节假日与调休）/ China's working-day calendar")
def calendar() -> None:
    pass


@calendar.command(
    "add-workdays",
    context_settings={"ignore_unknown_options": True},  # "-1" is a bad N, not an option
    help="日期后第 N 个工作日（当日不计）/ the N-th working day after",
)
@click.argument("day")
@click.argument("n")
@_OVERRIDES
def add_workdays(day: str, n: str, overrides: str | None) -> None:
    try:
        count = int(n)
    except ValueError:
        raise cal.CalendarError(
            f"工作日数应为非负整数：{n!r}", f"the number of working days must be an integer: {n!r}"
        ) from None
    click.echo(_calendar(overrides).add_workdays(cal.parse_date(day), count).isoformat())


@calendar.command("is-workday", help="是否工作日：true 或 false / print true or false")
@click.argument("day")
@_OVERRIDES
def is_workday(day: str, overrides: str | None) -> None:
    click.echo("true" if _calendar(overrides).is_workday(cal.parse_date(day)) else "false")
