"""超时序进度 and graded project health (pure Python).

**Time share (时序进度)** of an as-of date ``d`` in its year, ``time_share(d, basis)``:

- ``"month"`` (default): whole months elapsed / 12, a month counting from its last day
  on. Investment is reported monthly, and Sichuan's example reads this way: after Q1 the
  time share is 25 % (``shared/reference/projects.md``: "31.6% after Q1 = 6.6 points above
  25%").
- ``"day"``: days elapsed, ``d`` included, / days in the year.

**Investment pace (超时序进度)**: ``completion = completed / planned`` (the year's
investment completed to date against the year's planned investment); ``gap = completion −
share``. A project is *on pace* when ``completion ≥ share`` (exactly on the time share is
on pace); 超时序进度 is a positive gap. Unknown or zero planned investment, or unknown
completed investment, leave the pace unknown (``None``), never zero.

**Health** (``grade``): red, yellow or green from three signals, with thresholds in
``HealthRules`` (the defaults are editable choices, not from a source):

- red: overdue nodes ≥ ``red_overdue_nodes``, or a node overdue by ≥
  ``red_overdue_workdays`` working days, or the pace gap ≤ −``red_pace_gap``, or open
  blockers ≥ ``red_blockers``;
- yellow (else): overdue nodes ≥ ``yellow_overdue_nodes``, or behind the time share
  (gap < 0), or open blockers ≥ ``yellow_blockers``, or (with ``unknown_pace_is_yellow``)
  an unknown pace;
- green otherwise.

>>> import datetime as dt
>>> time_share(dt.date(2025, 3, 31)), time_share(dt.date(2025, 3, 30))
(Fraction(1, 4), Fraction(1, 6))
>>> p = pace(Decimal("316"), Decimal("1000"), dt.date(2025, 3, 31))
>>> p.gap, p.on_pace
(Fraction(33, 500), True)
>>> grade(0, 0, p.gap, 0)
(<Grade.GREEN: 'green'>, ())
"""

from __future__ import annotations

import calendar as gregorian
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from lianzhang.core.calendar import Calendar
from lianzhang.core.errors import ValidationError
from lianzhang.core.money import to_fen

from .schedule import Project, Status, current_stage, node_statuses

BASES = ("month", "day")


class Grade(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


GRADE_NAMES = {
    Grade.GREEN: ("绿灯", "green"),
    Grade.YELLOW: ("黄灯", "yellow"),
    Grade.RED: ("红灯", "red"),
}


def time_share(as_of: dt.date, basis: str = "month") -> Fraction:
    """The share of ``as_of``'s year elapsed (see the module)."""
    if basis == "month":
        last = gregorian.monthrange(as_of.year, as_of.month)[1]
        return Fraction(as_of.month - (as_of.day < last), 12)
    if basis == "day":
        days = 366 if gregorian.isleap(as_of.year) else 365
        return Fraction(as_of.timetuple().tm_yday, days)
    raise ValidationError(
        f"时序进度口径应为 month 或 day，而不是 {basis!r}",
        f"the time-share basis is month or day, not {basis!r}",
    )


@dataclass(frozen=True)
class Pace:
    completed: Decimal | None
    planned: Decimal | None
    share: Fraction
    completion: Fraction | None
    gap: Fraction | None

    @property
    def on_pace(self) -> bool | None:
        return None if self.gap is None else self.gap >= 0


def _money(value: Decimal | None, what: tuple[str, str]) -> int | None:
    if value is None:
        return None
    if not isinstance(value, Decimal) or value < 0:
        raise ValidationError(
            f"{what[0]}应为非负金额（Decimal 元）：{value!r}",
            f"{what[1]} must be a non-negative amount (Decimal yuan): {value!r}",
        )
    return to_fen(value)


def pace(
    completed: Decimal | None, planned: Decimal | None, as_of: dt.date, basis: str = "month"
) -> Pace:
    """超时序进度 of a year's investment on ``as_of`` (see the module)."""
    share = time_share(as_of, basis)
    done = _money(completed, ("年度完成投资", "the year's completed investment"))
    plan = _money(planned, ("年度计划投资", "the year's planned investment"))
    if done is None or not plan:
        return Pace(completed, planned, share, None, None)
    completion = Fraction(done, plan)
    return Pace(completed, planned, share, completion, completion - share)


@dataclass(frozen=True)
class HealthRules:
    """Thresholds of the health grade (editable choices, not from a source)."""

    yellow_overdue_nodes: int = 1
    red_overdue_nodes: int = 3
    red_overdue_workdays: int = 10
    red_pace_gap: Fraction = Fraction(1, 10)
    yellow_blockers: int = 1
    red_blockers: int = 3
    unknown_pace_is_yellow: bool = False
    basis: str = "month"

    def __post_init__(self) -> None:
        counts = (
            self.yellow_overdue_nodes,
            self.red_overdue_nodes,
            self.red_overdue_workdays,
            self.yellow_blockers,
            self.red_blockers,
        )
        if any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in counts):
            raise ValidationError("健康阈值应为正整数", "health thresholds are positive integers")
        if self.yellow_overdue_nodes > self.red_overdue_nodes:
            raise ValidationError(
                "黄灯超期节点数不能大于红灯的", "the yellow overdue count cannot exceed the red one"
            )
        if self.yellow_blockers > self.red_blockers:
            raise ValidationError(
                "黄灯堵点数不能大于红灯的", "the yellow blocker count cannot exceed the red one"
            )
        if not isinstance(self.red_pace_gap, Fraction) or self.red_pace_gap <= 0:
            raise ValidationError(
                "红灯投资差距应为正分数（如 Fraction(1, 10)）",
                "the red pace gap is a positive Fraction (e.g. Fraction(1, 10))",
            )
        time_share(dt.date(2000, 1, 1), self.basis)


DEFAULT_RULES = HealthRules()


def grade(
    overdue_nodes: int,
    max_overdue_workdays: int,
    gap: Fraction | None,
    open_blockers: int,
    rules: HealthRules = DEFAULT_RULES,
) -> tuple[Grade, tuple[tuple[str, str], ...]]:
    """The grade and its reasons (zh, en), the red reasons when red."""
    red: list[tuple[str, str]] = []
    yellow: list[tuple[str, str]] = []
    if overdue_nodes >= rules.red_overdue_nodes:
        red.append((f"{overdue_nodes} 个节点超期", f"{overdue_nodes} nodes overdue"))
    if max_overdue_workdays >= rules.red_overdue_workdays:
        red.append(
            (
                f"节点超期 {max_overdue_workdays} 个工作日",
                f"a node is {max_overdue_workdays} working days overdue",
            )
        )
    if overdue_nodes >= rules.yellow_overdue_nodes and not red:
        yellow.append((f"{overdue_nodes} 个节点超期", f"{overdue_nodes} nodes overdue"))
    if gap is not None and gap <= -rules.red_pace_gap:
        red.append(
            (
                f"投资落后时序进度 {_points(gap)} 个百分点",
                f"investment {_points(gap)} points behind",
            )
        )
    elif gap is not None and gap < 0:
        yellow.append(
            (
                f"投资落后时序进度 {_points(gap)} 个百分点",
                f"investment {_points(gap)} points behind",
            )
        )
    elif gap is None and rules.unknown_pace_is_yellow:
        yellow.append(("投资完成情况未知", "investment progress unknown"))
    if open_blockers >= rules.red_blockers:
        red.append((f"{open_blockers} 个堵点未解决", f"{open_blockers} open blockers"))
    elif open_blockers >= rules.yellow_blockers:
        yellow.append((f"{open_blockers} 个堵点未解决", f"{open_blockers} open blockers"))
    if red:
        return Grade.RED, tuple(red)
    if yellow:
        return Grade.YELLOW, tuple(yellow)
    return Grade.GREEN, ()


def _points(gap: Fraction) -> str:
    return f"{float(-gap * 100):.1f}"


@dataclass(frozen=True)
class Health:
    project: str
    grade: Grade
    reasons: tuple[tuple[str, str], ...]
    stage: str
    done_nodes: int
    due_nodes: int
    overdue_nodes: int
    max_overdue_workdays: int
    pace: Pace
    open_blockers: int


def project_health(
    project: Project,
    as_of: dt.date,
    rules: HealthRules = DEFAULT_RULES,
    calendar: Calendar | None = None,
) -> Health:
    """One project's health on ``as_of``."""
    if isinstance(project.open_blockers, bool) or project.open_blockers < 0:
        raise ValidationError(
            f"项目 {project.code}：堵点数应为非负整数", f"project {project.code}: blockers ≥ 0"
        )
    nodes = node_statuses(project, as_of, calendar)
    overdue = [n.overdue_workdays for n in nodes if n.status is Status.OVERDUE]
    p = pace(project.year_completed, project.year_planned, as_of, rules.basis)
    g, reasons = grade(len(overdue), max(overdue, default=0), p.gap, project.open_blockers, rules)
    return Health(
        project=project.code,
        grade=g,
        reasons=reasons,
        stage=current_stage(project, as_of),
        done_nodes=sum(n.status is Status.DONE for n in nodes),
        due_nodes=sum(n.status is Status.DUE for n in nodes),
        overdue_nodes=len(overdue),
        max_overdue_workdays=max(overdue, default=0),
        pace=p,
        open_blockers=project.open_blockers,
    )
