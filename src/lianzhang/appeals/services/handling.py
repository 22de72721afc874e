"""Routing, the handlers' actions, escalation (提级), closure and the call-back (回访).

Every transition checks the state it starts from (``Conflict`` otherwise), the permission
(``accounts.access``) and, where the rules ask for one, a reason; then it records an event.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q

from lianzhang.accounts import access
from lianzhang.core.errors import Conflict, PermissionDenied, ValidationError

from ..models import (
    Appeal,
    AppealStatus,
    Assignment,
    AssignmentStatus,
    Department,
    EventKind,
    Level,
    Rating,
    Route,
)
from ._common import calendar, deadline, local, need_reason, now_or, profile_for, record

OPEN = (AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED, AssignmentStatus.OVERDUE)
NEXT_LEVEL = {Level.DISTRICT: Level.CITY, Level.CITY: Level.LEADER}


def _coordinate(user: Any, appeal: Appeal) -> None:
    if not access.may_coordinate(user, appeal):
        raise PermissionDenied("无权调度该诉求", "you may not coordinate this appeal")


def _handle(user: Any, assignment: Assignment) -> None:
    if not access.may_handle(user, assignment):
        raise PermissionDenied("无权办理该诉求", "you may not handle this assignment")


def _state(assignment: Assignment, allowed: tuple[str, ...], zh: str, en: str) -> None:
    if assignment.status not in allowed or assignment.appeal.status == AppealStatus.MERGED:
        raise Conflict(
            f"当前状态（{assignment.get_status_display()}）不能{zh}",
            f"cannot {en} an assignment that is {assignment.status}",
        )


def route(appeal: Appeal) -> list[Department]:
    """Departments for the appeal's subject at its level, in its district (or any)."""
    routes = Route.objects.filter(subject=appeal.subject, level=appeal.level)
    if appeal.level == Level.DISTRICT:
        routes = routes.filter(Q(district=appeal.district) | Q(district=""))
    ids = list(routes.values_list("department_id", flat=True).distinct())
    return list(Department.objects.filter(pk__in=ids))


@transaction.atomic
def dispatch(
    user: Any,
    appeal: Appeal,
    departments: list[Department] | None = None,
    *,
    now: dt.datetime | None = None,
) -> list[Assignment]:
    """Assign the appeal to the departments (from the routing table unless given)."""
    at = now_or(now)
    _coordinate(user, appeal)
    if appeal.status not in (AppealStatus.OPEN, AppealStatus.ESCALATED):
        raise Conflict(
            "该诉求已办结或已合并，不能派单", "a closed or merged appeal is not dispatched"
        )
    targets = departments if departments is not None else route(appeal)
    busy = set(appeal.assignments.filter(status__in=OPEN).values_list("department_id", flat=True))
    targets = [d for d in targets if d.pk not in busy]
    if not targets:
        raise Conflict(
            "没有可派的单位（请维护派单规则或指定单位）",
            "no department to dispatch to (maintain the routing table or name one)",
        )
    profile = profile_for(appeal.category, appeal.district)
    made = []
    for department in targets:
        a = Assignment.objects.create(
            appeal=appeal,
            department=department,
            assigned_at=at,
            response_due=deadline(at, profile.response, profile.response_unit),
            resolution_due=deadline(at, profile.resolution, profile.resolution_unit),
        )
        record(
            appeal,
            EventKind.DISPATCHED,
            at,
            actor=user,
            assignment=a,
            unit=department.code,
            response_due=a.response_due,
            resolution_due=a.resolution_due,
        )
        made.append(a)
    latest = max(a.resolution_due for a in made)
    appeal.status = AppealStatus.OPEN
    appeal.resolution_due = max(appeal.resolution_due or latest, latest)
    appeal.save(update_fields=["status", "resolution_due"])
    return made


@transaction.atomic
def accept(user: Any, assignment: Assignment, *, now: dt.datetime | None = None) -> Assignment:
    _handle(user, assignment)
    _state(assignment, (AssignmentStatus.PENDING,), "受理", "accept")
    assignment.status = AssignmentStatus.ACCEPTED
    assignment.save(update_fields=["status"])
    record(assignment.appeal, EventKind.ACCEPTED, now_or(now), actor=user, assignment=assignment)
    return assignment


@transaction.atomic
def refuse(
    user: Any, assignment: Assignment, reason: str, *, now: dt.datetime | None = None
) -> Assignment:
    """不属本单位: the reason is required; the coordinator re-dispatches or escalates."""
    _handle(user, assignment)
    reason = need_reason(reason, "退回（不属本单位）", "refusing")
    _state(assignment, (AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED), "退回", "refuse")
    assignment.status, assignment.reason = AssignmentStatus.REFUSED, reason
    assignment.save(update_fields=["status", "reason"])
    record(
        assignment.appeal,
        EventKind.REFUSED,
        now_or(now),
        actor=user,
        assignment=assignment,
        reason=reason,
    )
    _maybe_close(assignment.appeal, now_or(now), user)
    return assignment


@transaction.atomic
def extend(
    user: Any, assignment: Assignment, days: int, reason: str, *, now: dt.datetime | None = None
) -> Assignment:
    """Extension (延期) by working days, asked before expiry with a reason, within the profile."""
    at = now_or(now)
    _handle(user, assignment)
    reason = need_reason(reason, "延期", "an extension")
    _state(assignment, (AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED), "延期", "extend")
    if at >= assignment.resolution_due:
        raise Conflict("已超期，不能再申请延期", "the deadline has passed: no extension any more")
    appeal = assignment.appeal
    allowed = profile_for(appeal.category, appeal.district).max_extension
    if days < 1 or assignment.extension_days + days > allowed:
        raise ValidationError(
            f"延期须为 1 至 {allowed - assignment.extension_days} 个工作日",
            f"an extension must be 1 to {allowed - assignment.extension_days} working days",
        )
    c = calendar()
    due = local(assignment.resolution_due)
    assignment.resolution_due = dt.datetime.combine(c.add_workdays(due.date(), days), due.timetz())
    assignment.extension_days += days
    assignment.reminded_at = None
    assignment.save(update_fields=["resolution_due", "extension_days", "reminded_at"])
    if appeal.resolution_due is None or appeal.resolution_due < assignment.resolution_due:
        appeal.resolution_due = assignment.resolution_due
        appeal.save(update_fields=["resolution_due"])
    record(
        appeal,
        EventKind.EXTENDED,
        at,
        actor=user,
        assignment=assignment,
        reason=reason,
        days=days,
        resolution_due=assignment.resolution_due,
    )
    return assignment


@transaction.atomic
def complete(
    user: Any,
    assignment: Assignment,
    answer: str,
    evidence: str = "",
    *,
    now: dt.datetime | None = None,
) -> Assignment:
    """办结 with an answer (required) and evidence; closes the appeal when nothing is open."""
    at = now_or(now)
    _handle(user, assignment)
    answer = need_reason(answer, "办结", "completing")
    _state(assignment, OPEN, "办结", "complete")
    assignment.status, assignment.answer, assignment.evidence = (
        AssignmentStatus.DONE,
        answer,
        evidence.strip(),
    )
    assignment.save(update_fields=["status", "answer", "evidence"])
    record(assignment.appeal, EventKind.DONE, at, actor=user, assignment=assignment, reason=answer)
    _maybe_close(assignment.appeal, at, user)
    return assignment


def called_back(appeal_id: int, percent: int) -> bool:
    """Is this appeal in the call-back sample of a profile that calls back ``percent``%?

    Deterministic, so the sample can be recomputed and audited: appeal ids spread evenly
    over 0–99 by a multiplicative hash (Knuth's), and the first ``percent`` buckets are in.

    >>> [called_back(i, 100) for i in (1, 2)], [called_back(i, 0) for i in (1, 2)]
    ([True, True], [False, False])
    >>> sum(called_back(i, 30) for i in range(1, 1001))
    300
    """
    return (appeal_id * 2654435761) % 2**32 * 100 // 2**32 < percent


def _maybe_close(appeal: Appeal, at: dt.datetime, user: Any) -> None:
    statuses = set(appeal.assignments.values_list("status", flat=True))
    if statuses & set(OPEN) or AssignmentStatus.DONE not in statuses:
        return
    if appeal.status not in (AppealStatus.OPEN, AppealStatus.ESCALATED):
        return
    appeal.status, appeal.closed_at = AppealStatus.CLOSED, at
    profile = profile_for(appeal.category, appeal.district)
    if called_back(appeal.pk, profile.callback_percent):  # 回访 the next working day
        appeal.callback_due = calendar().add_workdays(local(at).date(), 1)
    appeal.save(update_fields=["status", "closed_at", "callback_due"])
    record(appeal, EventKind.CLOSED, at, actor=user)


@transaction.atomic
def escalate(user: Any, appeal: Appeal, reason: str, *, now: dt.datetime | None = None) -> Appeal:
    """提级: 区 → 市 → 市领导, with a reason; the new level dispatches again."""
    _coordinate(user, appeal)
    reason = need_reason(reason, "提级", "escalation")
    if appeal.status not in (AppealStatus.OPEN, AppealStatus.ESCALATED):
        raise Conflict("已办结或已合并的诉求不能提级", "a closed or merged appeal is not escalated")
    higher = NEXT_LEVEL.get(Level(appeal.level))
    if higher is None:
        raise Conflict("已是市领导层级，不能再提级", "already at the city leaders: no higher level")
    at, before = now_or(now), appeal.level
    appeal.level, appeal.status = higher, AppealStatus.ESCALATED
    appeal.save(update_fields=["level", "status"])
    record(
        appeal,
        EventKind.ESCALATED,
        at,
        actor=user,
        reason=reason,
        source=before,
        target=str(higher),
    )
    # the lower level's open shares end here: the higher level dispatches its own, and the
    # sweep must not chase a unit for work that was taken from it
    for a in appeal.assignments.filter(status__in=OPEN):
        a.status = AssignmentStatus.HANDED_UP
        a.save(update_fields=["status"])
        record(appeal, EventKind.HANDED_UP, at, actor=user, assignment=a, reason=reason)
    return appeal


@transaction.atomic
def callback(
    user: Any,
    appeal: Appeal,
    rating: str,
    reason: str = "",
    *,
    handler_cause: bool = False,
    now: dt.datetime | None = None,
) -> Appeal:
    """回访 after closure. 不满意 needs a reason; for a cause the handler owns it reopens (重办):
    the completed assignments are redone with fresh deadlines."""
    at = now_or(now)
    _coordinate(user, appeal)
    if appeal.status != AppealStatus.CLOSED:
        raise Conflict("只能回访已办结的诉求", "only closed appeals are called back")
    if rating not in Rating.values:
        raise ValidationError(f"满意度无效：{rating!r}", f"unknown rating {rating!r}")
    if rating == Rating.UNSATISFIED:
        reason = need_reason(reason, "不满意", "an unsatisfied rating")
    elif handler_cause:
        raise ValidationError("只有不满意才能重办", "only an unsatisfied rating reopens")
    appeal.rating = rating
    appeal.save(update_fields=["rating"])
    record(
        appeal,
        EventKind.CALLBACK,
        at,
        actor=user,
        reason=reason.strip(),
        rating=rating,
        handler_cause=handler_cause,
    )
    if rating == Rating.UNSATISFIED and handler_cause:
        _reopen(user, appeal, reason, at)
    return appeal


def _reopen(user: Any, appeal: Appeal, reason: str, at: dt.datetime) -> None:
    profile = profile_for(appeal.category, appeal.district)
    due = deadline(at, profile.resolution, profile.resolution_unit)
    for a in appeal.assignments.filter(status=AssignmentStatus.DONE):
        a.status, a.resolution_due = AssignmentStatus.ACCEPTED, due
        a.reminded_at = a.chased_at = a.notified_at = None
        a.save(
            update_fields=["status", "resolution_due", "reminded_at", "chased_at", "notified_at"]
        )
        record(
            appeal,
            EventKind.REOPENED,
            at,
            actor=user,
            assignment=a,
            reason=reason,
            resolution_due=due,
        )
    appeal.status, appeal.closed_at, appeal.callback_due = AppealStatus.OPEN, None, None
    appeal.reopen_count += 1
    # a fresh deadline: the appeal is late again only if the redo is (the earlier lateness
    # stays in the events, which the metrics count)
    appeal.resolution_due, appeal.overdue = due, False
    appeal.save(
        update_fields=[
            "status",
            "closed_at",
            "callback_due",
            "reopen_count",
            "resolution_due",
            "overdue",
        ]
    )
