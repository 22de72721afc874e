"""Metrics per unit and period from the event log (the counting is ``appeals.metrics``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lianzhang.accounts import access

from .. import metrics as counting
from ..models import Event


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


def unit_metrics(
    user: Any, start: dt.datetime, end: dt.datetime
) -> dict[str, counting.UnitMetrics]:
    """The bureau sees every unit; others only what they may see."""
    from ..models import Appeal

    scope = None if access.is_bureau(user) else Appeal.objects.visible_to(user)
    return counting.compute(rows(scope), start, end)
