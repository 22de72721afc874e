"""联审: departments that must sign off on a case before it is approved.

A policy lists the departments (``Policy.joint_review``: 税务 on tax figures, 市场监管 on
registration, 应急管理 and 生态环境 on incidents …) and the fields each checks. When a
case reaches the point of decision (confirmed by the enterprise, under review, or under
objection) every department gets a task, in parallel, due in the policy's working days.
A department sees only its task: the enterprise's name, the policy and the fields it
must check. The case is approved only when every department's latest task has passed
(``joint_block`` is the state machine's check); a refusal rejects the case with the
department's reason, which the enterprise reads and may object to, and an objection
sends the refusing departments a new task.

Deciding a task is in ``review`` (it moves the case); this module never moves a case.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from lianzhang.accounts import access
from lianzhang.appeals.models import Department
from lianzhang.core import calendar
from lianzhang.core.errors import PermissionDenied, ValidationError
from lianzhang.enterprises.models import Annual

from ..models import Case, Policy, ReviewTask
from ..workflow import State
from .audit import audit

#: States in which a case of a policy with 联审 waits on the departments' sign-off.
JOINT_REVIEWED = frozenset({State.CONFIRMED, State.UNDER_REVIEW, State.OBJECTION})

#: Figures a department may be shown, by their registry labels: the yearly fields (never
#: bank details).
CHECKABLE: dict[str, str] = {
    f.name: str(f.verbose_name)
    for f in Annual._meta.concrete_fields
    if f.name not in ("id", "enterprise", "year")
}


def set_joint_review(
    policy: Policy, departments: list[dict[str, Any]], days: int, user: Any, reason: str
) -> Policy:
    """Which departments sign off on the policy's cases, what each checks, in how many
    working days (bureau only, audited with a reason). An empty list: no 联审."""
    if not access.is_bureau(user):
        raise PermissionDenied("只有局内人员可以设置联审", "only bureau staff may set joint review")
    if not reason.strip():
        raise ValidationError("修改联审设置须说明理由", "a change of joint review needs a reason")
    if not 1 <= days <= 60:
        raise ValidationError(
            "联审时限应为 1–60 个工作日", "the joint review time limit is 1–60 working days"
        )
    known = set(Department.objects.values_list("code", flat=True))
    stored, seen = [], set()
    for item in departments:
        code = str(item.get("department", "")).strip()
        fields = [str(f) for f in item.get("fields", [])]
        if code not in known:
            raise ValidationError(f"未知部门「{code}」", f"unknown department {code!r}")
        if code in seen:
            raise ValidationError(f"部门「{code}」重复", f"department {code!r} listed twice")
        if bad := sorted(set(fields) - set(CHECKABLE)):
            raise ValidationError(f"无法核对的字段：{bad}", f"fields that cannot be checked: {bad}")
        seen.add(code)
        stored.append({"department": code, "fields": fields, "note": str(item.get("note", ""))})
    with transaction.atomic():
        before = {"departments": policy.joint_review, "days": policy.joint_review_days}
        policy.joint_review, policy.joint_review_days = stored, days
        policy.save(update_fields=["joint_review", "joint_review_days"])
        audit(
            user,
            "joint_review",
            policy,
            reason=reason,
            data={"before": before, "after": {"departments": stored, "days": days}},
        )
        # cases already waiting for a decision get their tasks now
        for case in policy.cases.filter(state__in=JOINT_REVIEWED).select_related("policy"):
            dispatch(case, user)
    return policy


def joint_review_departments() -> QuerySet[Department]:
    """The city departments that may sign off (the appeals module's units)."""
    return Department.objects.filter(level="city").order_by("code")


def _latest(case: Case) -> dict[int, ReviewTask]:
    """Each department's latest task on the case (withdrawn tasks do not count)."""
    latest: dict[int, ReviewTask] = {}
    for task in case.review_tasks.exclude(status=ReviewTask.Status.WITHDRAWN).order_by("pk"):
        latest[task.department_id] = task
    return latest


def dispatch(case: Case, user: Any, today: dt.date | None = None) -> list[ReviewTask]:
    """Give every department of the policy a task on ``case`` unless its latest task is
    pending or passed. Called by the state machine inside the transition's transaction."""
    wanted = case.policy.joint_review or []
    if not wanted:
        return []
    departments = Department.objects.in_bulk([w["department"] for w in wanted], field_name="code")
    latest = _latest(case)
    due = calendar.add_workdays(today or timezone.localdate(), case.policy.joint_review_days)
    created = []
    for want in wanted:
        department = departments.get(want["department"])
        if department is None:
            raise ValidationError(
                f"联审部门「{want['department']}」已不存在，请更新政策的联审设置",
                f"joint review department {want['department']!r} no longer exists",
            )
        last = latest.get(department.pk)
        if last is not None and last.status in (
            ReviewTask.Status.PENDING,
            ReviewTask.Status.PASSED,
        ):
            continue
        task = ReviewTask.objects.create(
            case=case,
            department=department,
            fields=want.get("fields", []),
            note=want.get("note", ""),
            due_on=due,
        )
        audit(
            user,
            "review_task",
            case,
            data={"task": task.pk, "department": department.code, "due_on": str(due)},
        )
        created.append(task)
    return created


def joint_block(case: Case) -> str:
    """Why ``case`` may not be approved yet under 联审 ("" when every department passed)."""
    wanted = [w["department"] for w in case.policy.joint_review or []]
    if not wanted:
        return ""
    latest = {t.department.code: t for t in _latest(case).values()}
    waiting = [code for code in wanted if code not in latest or latest[code].status == "pending"]
    refused = [latest[c] for c in wanted if c in latest and latest[c].status == "refused"]
    if refused:
        names = "、".join(t.department.name for t in refused)
        return f"{names}联审不通过 / refused in joint review"
    if waiting:
        names = "、".join(latest[c].department.name if c in latest else c for c in waiting)
        return f"待{names}联审 / awaiting joint review"
    return ""


def withdraw_open(case: Case, user: Any, why: str) -> int:
    """Withdraw the pending tasks of a case that no longer needs them (it was refused)."""
    open_tasks = case.review_tasks.filter(status=ReviewTask.Status.PENDING)
    n = open_tasks.update(status=ReviewTask.Status.WITHDRAWN, reason=why, decided_at=timezone.now())
    if n:
        audit(user, "review_task_withdrawn", case, reason=why, data={"tasks": n})
    return n


def tasks_for(user: Any) -> QuerySet[ReviewTask]:
    """The tasks ``user`` may see: its department's; the bureau sees all."""
    tasks = ReviewTask.objects.select_related("case__enterprise", "case__policy", "department")
    return access.review_tasks_for(user, tasks)


def task_figures(task: ReviewTask) -> dict[str, Any]:
    """What the department is shown: the latest year's values of the fields it checks."""
    row = (
        Annual.objects.filter(enterprise_id=task.case.enterprise_id)
        .order_by("-year")
        .values("year", *task.fields)
        .first()
    )
    if row is None:
        return {"year": None, "figures": {f: None for f in task.fields}}
    return {"year": row["year"], "figures": {f: row[f] for f in task.fields}}


def field_label(name: str) -> str:
    """A checked field by its registry label (营业收入 …)."""
    return CHECKABLE.get(name, name)
