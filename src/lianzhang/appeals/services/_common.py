"""Shared by the use cases: the calendar, deadlines from SLA profiles, the event log (a
hash chain kept by ``lianzhang.audit``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from lianzhang.audit.chain import append
from lianzhang.core import calendar as cal
from lianzhang.core.errors import ValidationError

from ..models import Appeal, Assignment, Event, SlaProfile, Unit

#: Used when no SLA profile matches: 1 working day to respond, 15 to resolve (山东 2020).
FALLBACK = SlaProfile(name="default", response=1, resolution=15, max_extension=15)


def calendar() -> cal.Calendar:
    """The platform calendar: the package's, the packaged overrides, then settings'.

    ``APPEALS_CALENDAR_OVERRIDES`` (a CSV path) and ``APPEALS_WORKING_HOURS``
    (``"9:00-12:00,13:30-17:30"``) are optional settings.
    """
    base = cal.default_calendar()
    path = getattr(settings, "APPEALS_CALENDAR_OVERRIDES", None)
    hours = getattr(settings, "APPEALS_WORKING_HOURS", None)
    if not path and not hours:
        return base
    overrides = {**base.overrides, **(cal.load_overrides(path) if path else {})}
    return cal.Calendar(
        overrides=overrides, hours=cal.WorkingHours.parse(hours) if hours else base.hours
    )


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def deadline(start: dt.datetime, amount: int, unit: str) -> dt.datetime:
    """``amount`` working days (the end of that day's working hours) or hours after ``start``."""
    c, moment = calendar(), local(start)
    if unit == Unit.HOURS:
        return c.add_working_hours(moment, amount)
    day = c.add_workdays(moment.date(), amount)
    return dt.datetime.combine(day, c.hours.periods[-1][1], tzinfo=moment.tzinfo)


def profile_for(category: str, district: str) -> SlaProfile:
    """The most specific SLA profile: category and district, then either, then neither."""
    best, score = None, -1
    for p in SlaProfile.objects.all():
        if p.category not in ("", category) or p.district not in ("", district):
            continue
        s = 2 * (p.category == category) + (p.district == district)
        if s > score:
            best, score = p, s
    return best or FALLBACK


def need_reason(reason: str, zh: str, en: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationError(f"{zh}须说明理由", f"{en} needs a reason")
    return text


def record(
    appeal: Appeal,
    kind: str,
    at: dt.datetime,
    *,
    actor: Any = None,
    assignment: Assignment | None = None,
    reason: str = "",
    **data: Any,
) -> Event:
    actor = actor if getattr(actor, "is_authenticated", False) else None
    return append(
        Event,
        appeal=appeal,
        assignment=assignment,
        kind=kind,
        actor=actor,
        reason=reason,
        at=at,
        data={k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in data.items()},
    )
