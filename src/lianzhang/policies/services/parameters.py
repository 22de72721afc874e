"""Dated parameter changes of a policy, under four eyes: bureau staff propose a new value
from a date, an administrator other than the proposer approves or rejects it; approved
values are laid over the policy file's own when the rules are evaluated.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from lianzhang.accounts import access
from lianzhang.core.errors import PermissionDenied, ValidationError

from ..models import ParameterChange, Policy
from ..sandbox import check_parameter
from .audit import audit
from .transitions import InvalidTransition


def propose_parameter(
    policy: Policy, name: str, effective_from: dt.date, value: str, reason: str, user: Any
) -> ParameterChange:
    if not access.is_bureau(user):
        raise PermissionDenied(
            "只有局内人员可以修改参数", "only bureau staff may change parameters"
        )
    if not reason.strip():
        raise ValidationError("修改参数须说明理由", "a parameter change needs a reason")
    check_parameter(policy, name, value.strip(), effective_from)
    with transaction.atomic():
        change = ParameterChange.objects.create(
            policy=policy,
            name=name,
            value=value,
            effective_from=effective_from,
            reason=reason,
            proposed_by=user,
        )
        audit(
            user,
            "propose",
            change,
            to_state="pending",
            reason=reason,
            data={
                "policy": policy.code,
                "name": name,
                "value": value,
                "effective_from": effective_from.isoformat(),
            },
        )
    return change


def review_parameter(
    change_id: int, user: Any, *, approve: bool, note: str = ""
) -> ParameterChange:
    """Four eyes: the proposer cannot approve its own change."""
    with transaction.atomic():
        change = ParameterChange.objects.select_for_update().get(pk=change_id)
        if change.status != ParameterChange.Status.PENDING:
            raise InvalidTransition("该修改已审核", "this change was already reviewed")
        if change.proposed_by_id == getattr(user, "pk", None):
            raise PermissionDenied("不能审核自己提出的修改", "you cannot review your own change")
        if not access.is_admin(user):
            raise PermissionDenied(
                "只有局管理员可以审核参数修改",
                "only a bureau administrator reviews parameter changes",
            )
        change.status = (
            ParameterChange.Status.APPROVED if approve else ParameterChange.Status.REJECTED
        )
        change.reviewed_by, change.reviewed_at, change.review_note = user, timezone.now(), note
        change.save()
        audit(user, "review", change, from_state="pending", to_state=change.status, reason=note)
    return change


def parameter_overrides(policy: Policy) -> dict[str, dict[dt.date, str]]:
    """Approved dated values, to lay over the file's parameters when evaluating."""
    out: dict[str, dict[dt.date, str]] = {}
    for change in policy.changes.filter(status=ParameterChange.Status.APPROVED).order_by(
        "proposed_at"
    ):
        out.setdefault(change.name, {})[change.effective_from] = change.value
    return out
