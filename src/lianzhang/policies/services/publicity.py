"""公示: a policy-year's approved cases published before payment, and the public's objections.

A policy that asks for 公示 (``Policy.publicity_days`` working days; 0: none) is paid only
after its list has ended with no objection left open: ``transitions.publicity_block`` is
the payment run's check. Anyone may object while the list runs, with a name and contact
details (the public page needs no login); an objection holds the payment until a reviewer
resolves it with a reason, and an upheld one holds the case (back to review).

The public list shows the enterprise's name, the policy and the amount, never the bank
account or the payee.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from lianzhang.accounts import access
from lianzhang.core import bounds, calendar
from lianzhang.core.errors import NotFound, PermissionDenied, ValidationError

from .. import workflow
from ..models import Case, Objection, Policy, Publicity
from ..workflow import State
from .audit import audit, audit_many
from .transitions import _transition


def _first_workday(day: dt.date) -> dt.date:
    while not calendar.is_workday(day):
        day += dt.timedelta(days=1)
    return day


def _needing_a_list(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Those not on a list yet, or whose latest list upheld an objection against them (one
    query for any number of cases)."""
    latest = Publicity.objects.filter(cases=OuterRef("pk")).order_by("-ends_on", "-pk")
    upheld = Objection.objects.filter(
        case=OuterRef("pk"), publicity=OuterRef("latest"), upheld=True
    )
    return (
        cases.annotate(latest=Subquery(latest.values("pk")[:1]))
        .annotate(upheld_on_latest=Exists(upheld))
        .filter(Q(latest=None) | Q(upheld_on_latest=True))
    )


def publicize(policy: Policy, year: int, user: Any, starts_on: dt.date | None = None) -> Publicity:
    """Publish the policy-year's approved cases not yet publicized, for its working days."""
    if not access.is_bureau(user):
        raise PermissionDenied("只有局内人员可以发布公示", "only bureau staff may publish a list")
    bounds.check_year(year)
    if policy.publicity_days == 0:
        raise ValidationError(
            "该政策未设置公示期（在政策页设置公示工作日数）",
            "this policy has no publicity period (set its working days on the policy page)",
        )
    approved = Case.objects.filter(policy=policy, year=year, state=State.APPROVED)
    cases = list(_needing_a_list(approved).order_by("pk"))
    if not cases:
        raise ValidationError("没有待公示的已批准事项", "no approved case awaits publicity")
    start = _first_workday(starts_on or timezone.localdate())
    end = calendar.add_workdays(start, policy.publicity_days - 1)
    with transaction.atomic():
        publicity = Publicity.objects.create(
            policy=policy,
            year=year,
            starts_on=start,
            ends_on=end,
            days=policy.publicity_days,
            created_by=user,
        )
        publicity.cases.set(cases)
        data = {"publicity": publicity.pk, "from": str(start), "until": str(end)}
        audit_many(user, "publicize", [(c, "", data) for c in cases])
    return publicity


def _clean(text: str, limit: int, zh: str, en: str) -> str:
    text = "".join(ch for ch in (text or "") if ch.isprintable() or ch == "\n").strip()
    if not text:
        raise ValidationError(f"请填写{zh}", f"{en} is required")
    if len(text) > limit:
        raise ValidationError(f"{zh}不能超过 {limit} 字", f"{en} is at most {limit} characters")
    return text


def file_objection(
    publicity_id: int, case_id: int, name: str, contact: str, text: str
) -> Objection:
    """Anyone's objection to one entry of a running list (no login)."""
    publicity = Publicity.objects.filter(pk=publicity_id).first()
    if publicity is None or not publicity.cases.filter(pk=case_id).exists():
        raise NotFound("公示中没有该项", "no such entry on the list")
    # Open from publication (a list published on a Saturday is public before its first
    # working day) until the list's last day.
    if timezone.localdate() > publicity.ends_on:
        raise ValidationError(
            f"公示期为 {publicity.starts_on} 至 {publicity.ends_on}，现在不能提出异议",
            f"the list runs {publicity.starts_on} to {publicity.ends_on}: objections are closed",
        )
    with transaction.atomic():
        objection = Objection.objects.create(
            publicity=publicity,
            case_id=case_id,
            name=_clean(name, 100, "姓名或单位", "a name"),
            contact=_clean(contact, 100, "联系方式", "a contact"),
            text=_clean(text, 2000, "异议内容", "the objection"),
        )
        case = Case.objects.get(pk=case_id)
        audit(None, "public_objection", case, reason=objection.text[:500])
    return objection


def resolve_objection(objection_id: int, user: Any, upheld: bool, reason: str) -> Objection:
    """A reviewer's answer to an objection, with a reason; upheld holds the case."""
    if not access.is_bureau(user):
        raise PermissionDenied(
            "只有局内人员可以处理异议", "only bureau staff may resolve objections"
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("处理异议须说明理由", "resolving an objection needs a reason")
    with transaction.atomic():
        objection = Objection.objects.select_for_update().filter(pk=objection_id).first()
        if objection is None:
            raise NotFound("没有该异议", "no such objection")
        if objection.resolved_at is not None:
            raise ValidationError("该异议已处理", "this objection is already resolved")
        objection.upheld = upheld
        objection.resolution = reason
        objection.resolved_by = user
        objection.resolved_at = timezone.now()
        objection.save()
        audit(
            user,
            "objection_upheld" if upheld else "objection_dismissed",
            objection.case,
            reason=reason,
        )
        # a case already held (say by the credit register) stays held; the upheld
        # objection is on record and blocks its payment until it is publicized again
        if upheld and workflow.target("hold", objection.case.state) is not None:
            _transition(objection.case_id, "hold", user, reason=f"公示异议成立：{reason}")
    return objection


def set_publicity_days(policy: Policy, days: int, user: Any, reason: str) -> Policy:
    """How many working days the policy's lists run before payment (0: no 公示), audited."""
    if not access.is_bureau(user):
        raise PermissionDenied("只有局内人员可以修改", "only bureau staff may change this")
    if not 0 <= days <= 60:
        raise ValidationError("公示期应为 0–60 个工作日", "publicity is 0 to 60 working days")
    if not (reason or "").strip():
        raise ValidationError(
            "修改公示期须说明理由", "changing the publicity period needs a reason"
        )
    with transaction.atomic():
        before = policy.publicity_days
        Policy.objects.filter(pk=policy.pk).update(publicity_days=days)
        audit(user, "publicity_days", policy, reason=reason, data={"from": before, "to": days})
    policy.refresh_from_db()
    return policy
