"""The bureau's side of a 申报 case: assigning a reviewer, the reviewer's declaration of
no conflict of interest, the review decision and the final decision on an objection.

Decisions are recorded twice on purpose: on the case (``decision_reason``, shown to the
enterprise) and on the reviewer's declaration (``Review``), so who decided what stays
visible even after the case moves on.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from lianzhang.accounts import access
from lianzhang.core.errors import NotFound, PermissionDenied, ValidationError

from ..models import Case, Review, ReviewTask
from ..workflow import State
from .audit import audit
from .cases import notify_enterprise
from .transitions import InvalidTransition, _transition


def assign(case_id: int, user: Any, reviewer: Any) -> Case:
    """Put a submitted application in the hands of one bureau reviewer."""
    if not access.is_bureau(reviewer):
        raise ValidationError("评审人须为局内人员", "the reviewer must be bureau staff")
    return _transition(
        case_id,
        "assign",
        user,
        changes={"reviewer_id": reviewer.pk},
        reason=f"assigned to {reviewer.username}",
    )


def declare(case_id: int, reviewer: Any, *, conflict: bool, statement: str = "") -> Review:
    """A reviewer's conflict-of-interest declaration; a conflicted reviewer is unassigned."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case_id)
        if case.reviewer_id != reviewer.pk:
            raise PermissionDenied(
                "只有分配的评审人可以声明", "only the assigned reviewer declares"
            )
        review = Review.objects.create(
            case=case, reviewer=reviewer, conflict=conflict, statement=statement
        )
        audit(reviewer, "declare", case, reason=statement, data={"conflict": conflict})
        if conflict:  # recusal: back to the queue for another reviewer
            Case.objects.filter(pk=case.pk).update(
                state=State.SUBMITTED, reviewer=None, version=F("version") + 1
            )
            audit(reviewer, "recuse", case, from_state=case.state, to_state=State.SUBMITTED)
    return review


def decide(
    case_id: int, reviewer: Any, decision: str, reason: str, expected_version: int | None = None
) -> Case:
    """approve / reject / return, with a reason; recorded on the reviewer's declaration."""
    if decision not in ("approve", "reject", "return"):
        raise ValidationError(f"未知决定 {decision!r}", f"unknown decision {decision!r}")
    if not reason.strip():
        raise ValidationError("评审决定须说明理由", "a decision needs a reason")
    case = _transition(
        case_id,
        decision,
        reviewer,
        reason=reason,
        expected_version=expected_version,
        changes={"decision_reason": reason},
    )
    Review.objects.filter(case=case, reviewer=reviewer, decision="").update(
        decision=decision, reason=reason
    )
    return case


def final_decision(case_id: int, user: Any, uphold: bool, reason: str) -> Case:
    """The bureau's last word on an objection, shown to the enterprise as the reason."""
    if not reason.strip():
        raise ValidationError("复核决定须说明理由", "a final decision needs a reason")
    return _transition(
        case_id,
        "uphold" if uphold else "dismiss",
        user,
        reason=reason,
        changes={"decision_reason": reason},
    )


def decide_task(task_id: int, user: Any, passed: bool, reason: str) -> ReviewTask:
    """A department's 联审 decision. A refusal rejects the case with the department's
    reason (the enterprise reads it and may object); under objection it is recorded and
    the bureau's final decision follows."""
    if not passed and not reason.strip():
        raise ValidationError("联审不通过须说明理由", "a refusal in joint review needs a reason")
    with transaction.atomic():
        task = (
            ReviewTask.objects.select_for_update(of=("self",))
            .select_related("department")
            .filter(pk=task_id)
            .first()
        )
        if task is None:
            raise NotFound("没有该联审任务", "no such joint review task")
        if not access.may_decide_task(user, task):
            raise PermissionDenied(
                "只有该联审任务所属部门可以作出决定",
                "only the department the task is for may decide it",
            )
        if task.status != ReviewTask.Status.PENDING:
            raise InvalidTransition("该联审任务已处理", "this joint review task is already decided")
        case = Case.objects.get(pk=task.case_id)
        if not passed and case.state in (State.CONFIRMED, State.UNDER_REVIEW):
            why = f"{task.department.name}联审不通过：{reason.strip()}"
            _transition(case.pk, "joint_refuse", user, reason=why, changes={"decision_reason": why})
            notify_enterprise(
                case, f"「{case.policy.title}」不予支持：{why}。如有异议可在事项页提出。"
            )
        task.status = ReviewTask.Status.PASSED if passed else ReviewTask.Status.REFUSED
        task.reason, task.decided_by, task.decided_at = reason.strip(), user, timezone.now()
        task.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        audit(
            user,
            "review_task_passed" if passed else "review_task_refused",
            case,
            reason=reason,
            data={"task": task.pk, "department": task.department.code},
        )
    return task
