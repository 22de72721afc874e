"""Metrics per unit and period from the event log (the counting is ``appeals.metrics``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from lianzhang.accounts import access

from .. import metrics as counting
from ..models import Appeal, Department, Event


def rows(appeals: Any = None) -> list[counting.Row]:
    events = Event.objects.select_related("assignment__department").order_by("at", "id")
    if appeals is not None:
        events = events.filter(appeal__in=appeals)
    return [
        counting.Row(
            appeal=e.appeal_id,
            assignment=e.assignment_id,
            unit=e.assignment.department.code if e.assignment else "",
            kind=e.kind,
            at=e.at,
            data=e.data,
        )
        for e in events
    ]


def _scope(user: Any) -> Any:
    """The bureau sees every unit; others only what they may see."""
    return None if access.is_bureau(user) else Appeal.objects.visible_to(user)


def unit_metrics(
    user: Any, start: dt.datetime, end: dt.datetime
) -> dict[str, counting.UnitMetrics]:
    return counting.compute(rows(_scope(user)), start, end)


def dashboard(user: Any, start: dt.datetime, end: dt.datetime) -> Dashboard:
    """The dashboard's figures, counted once from one read of the event log."""
    events = rows(_scope(user))
    names = dict(Department.objects.values_list("code", "name"))
    return Dashboard(
        units=counting.compute(events, start, end),
        monthly=counting.monthly(events, start, end),
        names=names,
    )


@dataclass
class Dashboard:
    units: dict[str, counting.UnitMetrics]
    monthly: dict[str, Counter[str]]
    names: dict[str, str]  # department code → name (pages never show the code)
