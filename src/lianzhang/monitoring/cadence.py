"""The cadence's deadlines (周监测·月调度·季盘点) on China's working-day calendar (pure).

- **月调度**: a district's monthly report for month M is due on the ``day``-th of month
  M+1; the 8th is the practice of the 岳阳 notice (MEDIUM, docs/monitoring.en.md). Whether a
  deadline on a day off moves to the next working day was not found: ``roll`` (default
  True, the usual reading of an administrative deadline) says.
- **周监测**: the key-firm quick report for a week (Monday to Sunday) is due ``workdays``
  working days after the week (default 1: the first working day of the next week). No
  source fixes this; it is a setting.
- **季盘点**: the joint meeting's pack is due ``workdays`` working days after the quarter
  ends; no source fixes the number, so it has no default.

Lateness is counted in working days (``core.calendar``: a report one working day after the
due date is 1 late).

>>> import datetime as dt
>>> monthly_due(2025, 9)  # 8 October 2025 is inside the 国庆 holiday: the 9th is worked
datetime.date(2025, 10, 9)
>>> monthly_due(2025, 9, roll=False)
datetime.date(2025, 10, 8)
>>> weekly_due(dt.date(2025, 9, 24))  # the week of 22–28 September → Monday 29th
datetime.date(2025, 9, 29)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from lianzhang.core.calendar import Calendar, default_calendar
from lianzhang.core.errors import ValidationError

#: The practice of the 岳阳 notice (MEDIUM): monthly reports by the 8th of the next month.
MONTHLY_DAY = 8


def _calendar(calendar: Calendar | None) -> Calendar:
    return calendar if calendar is not None else default_calendar()


def monthly_due(
    year: int,
    month: int,
    day: int = MONTHLY_DAY,
    *,
    roll: bool = True,
    calendar: Calendar | None = None,
) -> dt.date:
    """The due date of the report on ``year``-``month``: the ``day``-th of the next month."""
    if not 1 <= month <= 12 or not 1 <= day <= 28:
        raise ValidationError(
            f"月份应为 1–12，日期应为 1–28：{month}、{day}",
            f"the month must be 1-12 and the day 1-28: {month}, {day}",
        )
    due = dt.date(year + month // 12, month % 12 + 1, day)
    return _calendar(calendar).add_workdays(due, 0) if roll else due


def weekly_due(day: dt.date, workdays: int = 1, *, calendar: Calendar | None = None) -> dt.date:
    """The due date of the quick report on the week (Monday–Sunday) holding ``day``."""
    sunday = day + dt.timedelta(days=6 - day.weekday())
    return _calendar(calendar).add_workdays(sunday, workdays)


def quarterly_due(
    year: int, quarter: int, workdays: int, *, calendar: Calendar | None = None
) -> dt.date:
    """The due date of the quarter's joint-meeting pack: ``workdays`` after its last day."""
    if quarter not in (1, 2, 3, 4):
        raise ValidationError(f"季度应为 1–4：{quarter}", f"the quarter must be 1-4: {quarter}")
    last = dt.date(year + quarter // 4, quarter * 3 % 12 + 1, 1) - dt.timedelta(days=1)
    return _calendar(calendar).add_workdays(last, workdays)


@dataclass(frozen=True)
class Late:
    """A reporter past the due date: ``submitted`` None when still missing."""

    who: str
    due: dt.date
    submitted: dt.date | None
    #: working days past the due date (to the submission, or to today when missing)
    workdays_late: int


def late_list(
    due: dt.date,
    submitted: Mapping[str, dt.date | None],
    today: dt.date,
    *,
    calendar: Calendar | None = None,
) -> list[Late]:
    """Who is late (for the 简报's named list): missing after the due date, or in after it;
    the latest first, then by name.

    >>> due = dt.date(2025, 7, 8)
    >>> [(x.who, x.workdays_late) for x in late_list(
    ...     due, {"锦江区": dt.date(2025, 7, 8), "武侯区": dt.date(2025, 7, 10), "高新区": None},
    ...     dt.date(2025, 7, 14))]
    [('高新区', 4), ('武侯区', 2)]
    """
    cal = _calendar(calendar)
    out = []
    for who, on in submitted.items():
        until = on if on is not None else today
        if until > due:
            out.append(Late(who, due, on, cal.workdays_between(due, until)))
    return sorted(out, key=lambda x: (-x.workdays_late, x.who))
