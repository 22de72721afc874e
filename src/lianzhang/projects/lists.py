"""三未 lists and 集中开工 batches (pure Python).

**三未** (资阳's list, ``shared/reference/projects.md``): 立项未开工、开工未建设、建设未竣工.
Each template names four milestone nodes — ``approved`` (立项), ``started`` (开工),
``building`` (实质性建设: 形成实物工作量) and ``completed`` (竣工). On an as-of date a
project is

- 立项未开工 when ``approved`` is finished and ``started`` is not;
- 开工未建设 when ``started`` is finished and ``building`` is not;
- 建设未竣工 when ``building`` is finished and ``completed`` is not.

Each entry says since when (the earlier milestone's finish), for how many working days,
the next milestone's deadline and whether that node is overdue; ``only_overdue`` keeps
the late ones, the list the bureaus actually chase.

**集中开工 batch** on a date ``d``: the projects whose start conditions are met by ``d`` —
every node before the ``started`` milestone (its transitive predecessors) finished on or
before ``d`` (with ``forecast``, an unfinished one counts when its planned finish is on or
before ``d``) — and that had not started before ``d``. Totals by category and by
district: count and total investment (exact yuan; unknown amounts are counted apart).

>>> [zh for _code, zh, *_ in KINDS]
['立项未开工', '开工未建设', '建设未竣工']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from lianzhang.core.calendar import Calendar, default_calendar

from .schedule import Project, Status, node_statuses, plan

#: The 三未 kinds: (code, zh, en, from milestone, to milestone).
KINDS = (
    ("approved_not_started", "立项未开工", "approved, not started", "approved", "started"),
    (
        "started_not_building",
        "开工未建设",
        "started, not under construction",
        "started",
        "building",
    ),
    (
        "building_not_completed",
        "建设未竣工",
        "under construction, not completed",
        "building",
        "completed",
    ),
)


@dataclass(frozen=True)
class Unfinished:
    project: str
    kind: str
    since: dt.date
    workdays: int
    next_deadline: dt.date | None
    overdue: bool
    overdue_workdays: int


def three_unfinished(
    projects: Iterable[Project],
    as_of: dt.date,
    only_overdue: bool = False,
    calendar: Calendar | None = None,
) -> dict[str, list[Unfinished]]:
    """The 三未 lists on ``as_of``, by kind, longest in the state first."""
    cal = calendar or default_calendar()
    out: dict[str, list[Unfinished]] = {k[0]: [] for k in KINDS}
    for p in projects:
        milestones = p.template.milestones
        nodes = {n.code: n for n in node_statuses(p, as_of, cal)}
        for kind, _zh, _en, src, dst in KINDS:
            a, b = nodes[milestones[src]], nodes[milestones[dst]]
            if a.finished_on is None or b.status is Status.DONE:
                continue
            late = b.status is Status.OVERDUE
            if only_overdue and not late:
                continue
            out[kind].append(
                Unfinished(
                    p.code,
                    kind,
                    a.finished_on,
                    cal.workdays_between(a.finished_on, as_of),
                    b.deadline,
                    late,
                    b.overdue_workdays,
                )
            )
    for entries in out.values():
        entries.sort(key=lambda e: (-e.workdays, e.project))
    return out


@dataclass
class Totals:
    count: int = 0
    investment: Decimal = Decimal("0.00")
    #: projects whose total investment is unknown (not counted in ``investment``)
    unknown: int = 0

    def add(self, amount: Decimal | None) -> None:
        self.count += 1
        if amount is None:
            self.unknown += 1
        else:
            self.investment += amount


@dataclass
class Batch:
    on: dt.date
    projects: list[str] = field(default_factory=list)
    total: Totals = field(default_factory=Totals)
    by_category: dict[str, Totals] = field(default_factory=dict)
    by_district: dict[str, Totals] = field(default_factory=dict)


def ready_to_start(
    project: Project, on: dt.date, forecast: bool = False, calendar: Calendar | None = None
) -> bool:
    """Whether the project's start conditions are met by ``on`` and it has not started."""
    t = project.template
    started = t.milestones["started"]
    when = project.finished.get(started)
    if when is not None and when < on:
        return False
    planned = {n.code: n for n in plan(project, calendar)} if forecast else {}
    for code in t.ancestors[started]:
        done = project.finished.get(code)
        if done is not None:
            if done > on:
                return False
            continue
        finish = planned[code].deadline if forecast else None
        if finish is None or finish > on:
            return False
    return True


def select_batch(
    projects: Iterable[Project],
    on: dt.date,
    forecast: bool = False,
    calendar: Calendar | None = None,
) -> Batch:
    """The 集中开工 batch on ``on`` (see the module), with its totals."""
    batch = Batch(on)
    for p in projects:
        if not ready_to_start(p, on, forecast, calendar):
            continue
        batch.projects.append(p.code)
        batch.total.add(p.total_investment)
        batch.by_category.setdefault(p.category, Totals()).add(p.total_investment)
        batch.by_district.setdefault(p.district, Totals()).add(p.total_investment)
    return batch


def not_started(batch: Batch, projects: Iterable[Project], by: dt.date) -> list[str]:
    """After the event: the batch's projects whose 开工 node is not finished by ``by``."""
    chosen = set(batch.projects)
    out = []
    for p in projects:
        if p.code in chosen:
            when = p.finished.get(p.template.milestones["started"])
            if when is None or when > by:
                out.append(p.code)
    return sorted(out)
