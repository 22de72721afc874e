"""China's working days and working hours, for every deadline of the platform.

Public holidays and 调休 (weekend days that become working days) are set each year by a
State Council notice; the maintained package ``chinese_calendar`` carries them. A local
calendar can override single days as data (a CSV ``date,kind,note`` with ``kind`` one of
``workday``/``holiday``, or a mapping passed in): a district's own closure, a notice
published after the package's release. A date that neither the overrides nor the package
know is refused with a clear error, never guessed.

Conventions (the CLI ``lianzhang calendar`` prints exactly these):

- ``add_workdays(d, n)`` is the n-th working day *after* ``d``; ``d`` itself is not
  counted. ``n = 0`` means "no working day to wait": ``d`` when it is a working day,
  otherwise the first working day after it.
- ``workdays_between(a, b)`` counts the working days in ``(a, b]`` (after ``a``, up to and
  including ``b``), so ``workdays_between(d, add_workdays(d, n)) == n`` for ``n >= 1``;
  negative when ``b < a``.
- Working hours are periods of each working day (9:00–12:00 and 13:30–17:30 unless
  configured). Datetimes are read on their own wall clock (pass local time);
  ``add_working_hours(t, h)`` is the moment ``h`` working hours after ``t``.

>>> import datetime as dt
>>> add_workdays(dt.date(2025, 1, 24), 1)  # Friday before 春节; Sunday 1月26日 is worked
datetime.date(2025, 1, 26)
>>> add_workdays(dt.date(2025, 1, 27), 1)  # 1月28日–2月4日 off
datetime.date(2025, 2, 5)
>>> is_workday(dt.date(2025, 10, 11))  # a Saturday worked for 国庆
True
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path

import chinese_calendar

from .errors import ValidationError

#: The packaged override file (empty by default: the package is the authority).
OVERRIDES_FILE = Path(__file__).parent / "data" / "calendar_overrides.csv"

_WORK = {"workday", "work", "上班", "工作日"}
_HOLIDAY = {"holiday", "off", "休息", "放假", "节假日"}


class CalendarError(ValidationError):
    """A date the calendar cannot answer for, or a bad argument."""


def _parse_time(text: str) -> dt.time:
    try:
        return dt.time.fromisoformat(text.strip())
    except ValueError:
        raise CalendarError(
            f"时间格式不对：{text!r}（应为 HH:MM）", f"bad time {text!r} (expected HH:MM)"
        ) from None


@dataclass(frozen=True)
class WorkingHours:
    """The working periods of a working day, in order and not overlapping."""

    periods: tuple[tuple[dt.time, dt.time], ...] = (
        (dt.time(9, 0), dt.time(12, 0)),
        (dt.time(13, 30), dt.time(17, 30)),
    )

    def __post_init__(self) -> None:
        previous = dt.time(0, 0)
        if not self.periods:
            raise CalendarError("工作时段不能为空", "working hours need at least one period")
        for start, end in self.periods:
            if not previous <= start < end:
                raise CalendarError(
                    f"工作时段 {start:%H:%M}–{end:%H:%M} 无效或重叠",
                    f"working period {start:%H:%M}-{end:%H:%M} is empty or overlaps",
                )
            previous = end

    @classmethod
    def parse(cls, text: str) -> WorkingHours:
        """``"9:00-12:00,13:30-17:30"`` → the periods.

        >>> WorkingHours.parse("09:00-12:00, 13:30-17:30").minutes_per_day
        420
        """
        periods = []
        for part in text.split(","):
            start, sep, end = part.partition("-")
            if not sep:
                raise CalendarError(
                    f"工作时段格式不对：{part!r}（应为 9:00-12:00）",
                    f"bad working period {part!r} (expected 9:00-12:00)",
                )
            periods.append((_parse_time(start.zfill(5)), _parse_time(end.strip().zfill(5))))
        return cls(tuple(periods))

    @property
    def minutes_per_day(self) -> int:
        return sum(_minutes(end) - _minutes(start) for start, end in self.periods)


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _at(day: dt.date, t: dt.time, like: dt.datetime) -> dt.datetime:
    return dt.datetime.combine(day, t, tzinfo=like.tzinfo)


def load_overrides(path: str | Path) -> dict[dt.date, bool]:
    """Read a ``date,kind[,note]`` CSV into ``{date: is_workday}``."""
    out: dict[dt.date, bool] = {}
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        for n, row in enumerate(csv.DictReader(handle), start=2):
            text, kind = (row.get("date") or "").strip(), (row.get("kind") or "").strip()
            if not text and not kind:
                continue
            day = parse_date(text)
            if kind.lower() in _WORK:
                out[day] = True
            elif kind.lower() in _HOLIDAY:
                out[day] = False
            else:
                raise CalendarError(
                    f"{path} 第 {n} 行：类型应为 workday 或 holiday，而不是 {kind!r}",
                    f"{path} line {n}: kind must be workday or holiday, not {kind!r}",
                )
    return out


def parse_date(text: str) -> dt.date:
    """An ISO date ``YYYY-MM-DD``, or a bilingual error."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CalendarError(
            f"日期格式不对：{text!r}（应为 YYYY-MM-DD）",
            f"bad date {text!r} (expected YYYY-MM-DD)",
        ) from None


@cache  # the package's table is fixed for the process; rescanning it cost ~45 µs a day
def known_years() -> tuple[int, int]:
    """The first and last year the package has the State Council's holidays for."""
    years = [day.year for day in chinese_calendar.constants.holidays]
    return min(years), max(years)


@dataclass(frozen=True)
class Calendar:
    """Working days and hours: the package's calendar with local overrides on top."""

    overrides: Mapping[dt.date, bool] = field(default_factory=dict)
    hours: WorkingHours = field(default_factory=WorkingHours)

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return bool(self.overrides[day])
        first, last = known_years()
        if not first <= day.year <= last:
            raise CalendarError(
                f"{day.isoformat()} 超出节假日数据范围（{first}–{last} 年）："
                "请更新 chinesecalendar 或在本地覆盖文件中补充该日",
                f"{day.isoformat()} is outside the known holiday years ({first}-{last}): "
                "upgrade chinesecalendar or add the day to the local overrides",
            )
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError as exc:  # pragma: no cover - the range check comes first
            raise CalendarError(
                f"{day.isoformat()} 没有节假日数据", f"no holiday data for {day}"
            ) from exc

    def add_workdays(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after ``day`` (``day`` not counted); n = 0: see the module."""
        if n < 0:
            raise CalendarError(
                f"工作日数不能为负：{n}", f"the number of working days cannot be negative: {n}"
            )
        cursor = day
        if n == 0:
            while not self.is_workday(cursor):
                cursor += dt.timedelta(days=1)
            return cursor
        while n:
            cursor += dt.timedelta(days=1)
            if self.is_workday(cursor):
                n -= 1
        return cursor

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in ``(start, end]``; negative when ``end < start``."""
        if end < start:
            return -self.workdays_between(end, start)
        days = (start + dt.timedelta(days=k) for k in range(1, (end - start).days + 1))
        return sum(1 for d in days if self.is_workday(d))

    def workdays(self, start: dt.date, end: dt.date) -> Iterable[dt.date]:
        """The working days in ``[start, end]``."""
        day = start
        while day <= end:
            if self.is_workday(day):
                yield day
            day += dt.timedelta(days=1)

    def next_working_moment(self, moment: dt.datetime) -> dt.datetime:
        """``moment`` if inside working hours, else the start of the next working period."""
        return self.add_working_minutes(moment, 0)

    def add_working_minutes(self, moment: dt.datetime, minutes: int) -> dt.datetime:
        if minutes < 0:
            raise CalendarError(
                f"工作时长不能为负：{minutes}", f"working time cannot be negative: {minutes}"
            )
        day, now = moment.date(), moment
        while True:
            if self.is_workday(day):
                for start, end in self.hours.periods:
                    begin = max(now, _at(day, start, moment))
                    stop = _at(day, end, moment)
                    if begin >= stop:
                        continue
                    available = int((stop - begin).total_seconds() // 60)
                    if minutes <= available:
                        return begin + dt.timedelta(minutes=minutes)
                    minutes -= available
            day += dt.timedelta(days=1)
            now = _at(day, dt.time(0, 0), moment)

    def add_working_hours(
        self, moment: dt.datetime, hours: int | Decimal | Fraction
    ) -> dt.datetime:
        """The moment ``hours`` working hours after ``moment`` (whole minutes)."""
        minutes = Fraction(hours) * 60
        if minutes.denominator != 1:
            raise CalendarError(
                f"工作时长须为整分钟：{hours} 小时", f"working hours must be whole minutes: {hours}"
            )
        return self.add_working_minutes(moment, int(minutes))

    def working_minutes_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Working minutes in ``[start, end]``; negative when ``end < start``."""
        if end < start:
            return -self.working_minutes_between(end, start)
        total = 0
        for day in self.workdays(start.date(), end.date()):
            for a, b in self.hours.periods:
                lo, hi = max(start, _at(day, a, start)), min(end, _at(day, b, start))
                if hi > lo:
                    total += int((hi - lo).total_seconds() // 60)
        return total


_DEFAULT: Calendar | None = None


def default_calendar() -> Calendar:
    """The package's calendar with the packaged overrides (read once)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Calendar(overrides=load_overrides(OVERRIDES_FILE))
    return _DEFAULT


def is_workday(day: dt.date) -> bool:
    return default_calendar().is_workday(day)


def add_workdays(day: dt.date, n: int) -> dt.date:
    return default_calendar().add_workdays(day, n)


def workdays_between(start: dt.date, end: dt.date) -> int:
    return default_calendar().workdays_between(start, end)


def add_working_hours(moment: dt.datetime, hours: int | Decimal | Fraction) -> dt.datetime:
    return default_calendar().add_working_hours(moment, hours)


def working_minutes_between(start: dt.datetime, end: dt.datetime) -> int:
    return default_calendar().working_minutes_between(start, end)
