"""The appeals API (mounted at ``/api/v1/appeals``): file, list, read, act, metrics.

Thin: parse, call ``services``, shape the answer; who may do what is decided by the services
through ``accounts.access``. Dates are ISO, rates exact fractions as strings (``"2/3"``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from lianzhang.core.errors import NotFound
from lianzhang.web.bounded import Count, Day, Name, Text
from lianzhang.web.errors import Error

from . import services
from .models import Appeal

router = Router(tags=["appeals"])
E = {400: Error, 403: Error, 404: Error, 409: Error}


class AppealIn(Schema):
    uscc: Name
    channel: Name = "web"
    category: Name
    subject: Name
    title: Name
    text: Text
    chain_code: Name = ""


class AssignmentOut(Schema):
    id: int
    unit: str
    status: str
    reason: str
    response_due: dt.datetime
    resolution_due: dt.datetime
    answer: str


class AppealOut(Schema):
    id: int
    uscc: str
    channel: str
    category: str
    subject: str
    title: str
    text: str
    district: str
    level: str
    status: str
    overdue: bool
    received_at: dt.datetime
    resolution_due: dt.datetime | None
    rating: str
    merged_into: int | None
    assignments: list[AssignmentOut]


class ActionIn(Schema):
    action: str
    assignment: int | None = None
    reason: str = ""
    answer: str = ""
    evidence: str = ""
    days: Count = 0
    rating: str = ""
    handler_cause: bool = False


def _out(a: Appeal) -> dict[str, Any]:
    return {
        "id": a.pk,
        "uscc": a.enterprise_id,
        "channel": a.channel,
        "category": a.category,
        "subject": a.subject,
        "title": a.title,
        "text": a.text,
        "district": a.district,
        "level": a.level,
        "status": a.status,
        "overdue": a.overdue,
        "received_at": a.received_at,
        "resolution_due": a.resolution_due,
        "rating": a.rating,
        "merged_into": a.merged_into_id,
        "assignments": [
            {
                "id": x.pk,
                "unit": x.department.code,
                "status": x.status,
                "reason": x.reason,
                "response_due": x.response_due,
                "resolution_due": x.resolution_due,
                "answer": x.answer,
            }
            for x in a.assignments.select_related("department")
        ],
    }


def _get(request: HttpRequest, pk: int) -> Appeal:
    found = Appeal.objects.visible_to(request.user).filter(pk=pk).first()
    if found is None:
        raise NotFound(f"没有诉求 {pk}", f"no appeal {pk}")
    return found


@router.get("", response={200: list[AppealOut], **E})
def list_appeals(request: HttpRequest, status: str = "") -> Any:
    found = Appeal.objects.visible_to(request.user)
    if status:
        found = found.filter(status=status)
    return [_out(a) for a in found[:500]]


@router.post("", response={201: AppealOut, **E})
def file_appeal(request: HttpRequest, body: AppealIn) -> Any:
    appeal = services.file_appeal(request.user, **body.dict())
    return Status(201, _out(appeal))


@router.get("/metrics", response={200: dict[str, dict[str, Any]], **E})
def metrics(request: HttpRequest, start: Day, end: Day) -> Any:
    """Each unit's rates over [start, end) (dates within ``core.bounds``, start ≤ end)."""
    if end < start:
        from lianzhang.core.errors import ValidationError

        raise ValidationError(
            f"结束日期 {end} 早于开始日期 {start}", f"end {end} is before start {start}"
        )
    moments = [timezone.make_aware(dt.datetime.combine(d, dt.time())) for d in (start, end)]
    names = ("on_time_response", "completion", "on_time_completion", "satisfaction", "reopen")
    found = services.unit_metrics(request.user, moments[0], moments[1])
    return {
        unit: {"dispatched": m.dispatched}
        | {n: None if getattr(m, n) is None else str(getattr(m, n)) for n in names}
        for unit, m in found.items()
    }


@router.get("/{pk}", response={200: AppealOut, **E})
def get_appeal(request: HttpRequest, pk: int) -> Any:
    return _out(_get(request, pk))


@router.post("/{pk}/actions", response={200: AppealOut, **E})
def act(request: HttpRequest, pk: int, body: ActionIn) -> Any:
    appeal, user = _get(request, pk), request.user
    if body.action in ("accept", "refuse", "extend", "complete"):
        a = appeal.assignments.filter(pk=body.assignment or 0).first()
        if a is None:
            raise NotFound(f"没有承办记录 {body.assignment}", f"no assignment {body.assignment}")
        if body.action == "accept":
            services.accept(user, a)
        elif body.action == "refuse":
            services.refuse(user, a, body.reason)
        elif body.action == "extend":
            services.extend(user, a, body.days, body.reason)
        else:
            services.complete(user, a, body.answer, body.evidence)
    elif body.action == "dispatch":
        services.dispatch(user, appeal)
    elif body.action == "escalate":
        services.escalate(user, appeal, body.reason)
    elif body.action == "callback":
        services.callback(user, appeal, body.rating, body.reason, handler_cause=body.handler_cause)
    else:
        from lianzhang.core.errors import ValidationError

        raise ValidationError(f"未知操作 {body.action}", f"unknown action {body.action}")
    appeal.refresh_from_db()
    return _out(appeal)
