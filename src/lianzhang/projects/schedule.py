"""Node deadlines in working days, and each node's status on a date (pure Python).

Planning: a node without predecessors starts on the project's start date; any other node
starts when its last predecessor finishes — on the predecessor's actual finish date when it
has one, else on its planned finish (its deadline). Nodes with the same predecessors thus
start together (parallel); a chain is serial. A node's deadline is ``limit`` working days
after its start (``Calendar.add_workdays``: the start day itself is not counted; a limit of
0 is the start day, or the next working day).

Status on an as-of date ``d`` (``Status``):

- ``done``: finished on or before ``d`` (``late`` when after its deadline);
- ``waiting``: not finished, some predecessor not finished — it cannot be blamed yet;
- ``open``: workable, at least one working day left before its deadline;
- ``due``: workable, no working day left and none lost: ``d`` is the deadline, or a
  non-working day after it (a node due on the Tuesday before 国庆 stays ``due`` through
  the holiday);
- ``overdue``: workable, and ``overdue_workdays = workdays_between(deadline, d) ≥ 1``.

Planned dates beyond the holiday calendar's last known day (``chinesecalendar`` carries
the State Council's notices up to the current year) are unknown (``None``), never guessed;
so are the dates of the nodes that follow them. The project's start and the as-of date
must be days the calendar knows.

>>> import datetime as dt
>>> from .templates import template
>>> p = Project("P1", "industrial", dt.date(2025, 9, 1))
>>> first = node_statuses(p, dt.date(2025, 9, 28))[0]  # 20 working days; Sunday 9月28日 is worked
>>> first.code, first.deadline, first.status
('proposal', datetime.date(2025, 9, 28), <Status.DUE: 'due'>)
>>> node_statuses(p, dt.date(2025, 9, 29))[0].overdue_workdays
1
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from lianzhang.core.calendar import Calendar, CalendarError, default_calendar
from lianzhang.core.errors import ValidationError

from .stages import BY_CODE as STAGES
from .templates import Template, template


class Status(StrEnum):
    DONE = "done"
    WAITING = "waiting"
    OPEN = "open"
    DUE = "due"
    OVERDUE = "overdue"


STATUS_NAMES = {
    Status.DONE: ("已完成", "done"),
    Status.WAITING: ("待前置", "waiting for predecessors"),
    Status.OPEN: ("办理中", "open"),
    Status.DUE: ("今日到期", "due"),
    Status.OVERDUE: ("已超期", "overdue"),
}


@dataclass(frozen=True)
class Project:
    """What the pure functions need of a project: its template, dates and figures.

    ``limits`` refines the template's default limits (working days) per node;
    ``finished`` holds the nodes' actual finish dates. Money is yuan as ``Decimal``
    (exact to the fen); ``None`` is unknown, never zero.
    """

    code: str
    category: str
    start: dt.date
    limits: Mapping[str, int] = field(default_factory=dict)
    finished: Mapping[str, dt.date] = field(default_factory=dict)
    district: str = ""
    total_investment: Decimal | None = None
    year_planned: Decimal | None = None
    year_completed: Decimal | None = None
    open_blockers: int = 0

    @property
    def template(self) -> Template:
        return template(self.category)


@dataclass(frozen=True)
class PlannedNode:
    code: str
    stage: str
    start: dt.date | None
    deadline: dt.date | None
    finished_on: dt.date | None

    @property
    def finish(self) -> dt.date | None:
        """The actual finish when known, else the planned one (the deadline)."""
        return self.finished_on or self.deadline


@dataclass(frozen=True)
class NodeStatus:
    code: str
    stage: str
    start: dt.date | None
    deadline: dt.date | None
    finished_on: dt.date | None
    status: Status
    #: done after the deadline
    late: bool = False
    #: working days after the deadline: of an overdue node, or a late node's lateness
    overdue_workdays: int = 0
    #: working days left before the deadline (0 when due or overdue; None when done)
    workdays_left: int | None = None


def _limits(t: Template, limits: Mapping[str, int], code: str) -> dict[str, int]:
    unknown = sorted(set(limits) - set(t.by_code))
    if unknown:
        raise ValidationError(
            f"项目 {code}：时限中的节点不在模板 {t.category} 中：{', '.join(unknown)}",
            f"project {code}: limits name nodes not in template {t.category}: "
            + ", ".join(unknown),
        )
    out = {n.code: n.days for n in t.nodes}
    for node, days in limits.items():
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise ValidationError(
                f"项目 {code} 节点 {node}：时限应为非负整数工作日，而不是 {days!r}",
                f"project {code} node {node}: a limit is a whole number of working days ≥ 0,"
                f" not {days!r}",
            )
        out[node] = days
    return out


def plan(project: Project, calendar: Calendar | None = None) -> tuple[PlannedNode, ...]:
    """Every node's start and deadline, in the template's topological order."""
    cal = calendar or default_calendar()
    t = project.template
    limits = _limits(t, project.limits, project.code)
    unknown = sorted(set(project.finished) - set(t.by_code))
    if unknown:
        raise ValidationError(
            f"项目 {project.code}：完成日期中的节点不在模板中：{', '.join(unknown)}",
            f"project {project.code}: finish dates name unknown nodes: {', '.join(unknown)}",
        )
    cal.is_workday(project.start)  # refuses a start the calendar does not know
    done: dict[str, PlannedNode] = {}
    for code in t.order:
        spec = t.by_code[code]
        finishes = [done[a].finish for a in spec.after]
        known = [f for f in finishes if f is not None]
        start = max(known, default=project.start) if len(known) == len(finishes) else None
        deadline = None if start is None else _add(cal, start, limits[code])
        done[code] = PlannedNode(code, spec.stage, start, deadline, project.finished.get(code))
    return tuple(done.values())


def _add(cal: Calendar, start: dt.date, days: int) -> dt.date | None:
    """``add_workdays``, or None past the calendar's last known day."""
    try:
        return cal.add_workdays(start, days)
    except CalendarError:
        return None


def node_statuses(
    project: Project, as_of: dt.date, calendar: Calendar | None = None
) -> tuple[NodeStatus, ...]:
    """Each node's status on ``as_of`` (see the module); finish dates after it are refused."""
    cal = calendar or default_calendar()
    later = sorted(c for c, d in project.finished.items() if d > as_of)
    if later:
        raise ValidationError(
            f"项目 {project.code}：节点完成日期晚于评估日 {as_of}：{', '.join(later)}",
            f"project {project.code}: nodes finished after the as-of date {as_of}: "
            + ", ".join(later),
        )
    cal.is_workday(as_of)  # refuses an as-of date the calendar does not know
    t = project.template
    out = []
    for node in plan(project, cal):
        if node.finished_on is not None:
            due = node.deadline
            late = due is not None and node.finished_on > due
            lateness = cal.workdays_between(due, node.finished_on) if due and late else 0
            out.append(NodeStatus(*_base(node), Status.DONE, late, lateness))
        elif any(a not in project.finished for a in t.by_code[node.code].after):
            out.append(NodeStatus(*_base(node), Status.WAITING))
        else:
            out.append(_workable(node, as_of, cal))
    return tuple(out)


def _base(
    node: PlannedNode,
) -> tuple[str, str, dt.date | None, dt.date | None, dt.date | None]:
    return node.code, node.stage, node.start, node.deadline, node.finished_on


def _workable(node: PlannedNode, as_of: dt.date, cal: Calendar) -> NodeStatus:
    if node.deadline is None:  # past the calendar's known days, so after as_of
        return NodeStatus(*_base(node), Status.OPEN)
    if as_of < node.deadline:
        left = cal.workdays_between(as_of, node.deadline)
        return NodeStatus(*_base(node), Status.OPEN, workdays_left=left)
    lost = cal.workdays_between(node.deadline, as_of)
    if lost == 0:
        return NodeStatus(*_base(node), Status.DUE, workdays_left=0)
    return NodeStatus(*_base(node), Status.OVERDUE, overdue_workdays=lost, workdays_left=0)


def current_stage(project: Project, as_of: dt.date) -> str:
    """The earliest stage with a node unfinished on ``as_of``; the last stage when all are."""
    t = project.template
    finished = project.finished
    open_stages = [
        n.stage for n in t.nodes if not (n.code in finished and finished[n.code] <= as_of)
    ]
    if not open_stages:
        return max((n.stage for n in t.nodes), key=lambda s: STAGES[s].order)
    return min(open_stages, key=lambda s: STAGES[s].order)
