"""追回: revoking a paid case and recovering the money.

A paid case is revoked with a reason (false data found, a later listing within the
policy's clawback window). Revoking books a recovery (``Recovery``: the amount paid, a
date to repay by, what has come back), which the ledger shows as a negative entry; the
enterprise is flagged in the registry while any recovery of it exists, and its next
automatic (免申即享) approvals are held for a reviewer (``clawback_hold``).

The window (``Policy.clawback_years``) only decides which paid cases are *proposed* for
clawback after a later listing (``candidates``); a revocation for false data is allowed
at any time, as the policies' own 追回 clauses say.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from lianzhang.accounts import access
from lianzhang.core import bounds
from lianzhang.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from lianzhang.enterprises.models import CreditListing

from ..models import Case, PaymentOrder, Policy, Recovery
from ..workflow import State
from .audit import audit
from .cases import notify_enterprise
from .transitions import _transition, clawback_hold, flagged

#: Days to repay when the bureau names no date. No source fixes it; the notice to the
#: enterprise states the date, and the bureau may set another.
DEFAULT_REPAY_DAYS = 30


def revoke(case_id: int, user: Any, why: str, *, due_on: dt.date | None = None) -> Recovery:
    """Revoke a paid case: the case becomes 已撤销, a recovery of what was paid is due."""
    if not access.is_bureau(user):
        raise PermissionDenied("只有局内人员可以撤销追回", "only bureau staff may claw back")
    if not why.strip():
        raise ValidationError("撤销追回须说明理由", "a clawback needs a reason")
    today = timezone.localdate()
    due = due_on or today + dt.timedelta(days=DEFAULT_REPAY_DAYS)
    if due < today:
        raise ValidationError("追回期限不能早于今天", "the repayment date cannot be in the past")
    with transaction.atomic():
        case = _transition(case_id, "revoke", user, reason=why)
        # Any: the money field's stub types it as its integer column; it takes yuan
        paid: Any = PaymentOrder.objects.filter(
            case=case, status=PaymentOrder.Status.PAID
        ).aggregate(s=Sum("amount"))["s"] or Decimal(0)
        recovery = Recovery.objects.create(
            case=case, amount=paid, reason=why, due_on=due, created_by=user
        )
        audit(
            user,
            "clawback",
            case,
            reason=why,
            data={"recovery": recovery.pk, "amount": str(paid), "due_on": str(due)},
        )
        notify_enterprise(
            case, f"「{case.policy.title}」的奖补已撤销：{why}。请于 {due} 前退回 {paid} 元。"
        )
    return recovery


def record_recovery(recovery_id: int, amount: Decimal, user: Any, note: str = "") -> Recovery:
    """Book money the enterprise paid back; the recovery closes when it is all back."""
    if not access.is_bureau(user):
        raise PermissionDenied("只有局内人员可以登记追回款", "only bureau staff may book this")
    bounds.check_money(amount, "追回金额", "amount recovered")
    if amount <= 0:
        raise ValidationError("追回金额应大于零", "the amount recovered must be positive")
    with transaction.atomic():
        recovery = Recovery.objects.select_for_update().filter(pk=recovery_id).first()
        if recovery is None:
            raise NotFound("没有该追回事项", "no such recovery")
        if recovery.recovered + amount > recovery.amount:
            raise Conflict(
                f"登记后将超过应追回金额 {recovery.amount} 元（已追回 {recovery.recovered} 元）",
                f"this exceeds the {recovery.amount} due ({recovery.recovered} recovered)",
            )
        recovery.recovered += amount
        if recovery.recovered == recovery.amount:
            recovery.closed_at = timezone.now()
        recovery.save(update_fields=["recovered", "closed_at"])
        audit(
            user,
            "recovered",
            recovery.case,
            reason=note,
            data={"recovery": recovery.pk, "amount": str(amount), "total": str(recovery.recovered)},
        )
    return recovery


@dataclass(frozen=True)
class Candidate:
    case: Case
    listing: CreditListing
    paid_on: dt.date


def candidates(policy: Policy, year: int) -> list[Candidate]:
    """Paid cases whose enterprise was listed after payment, within the clawback window."""
    if policy.clawback_years == 0:
        return []
    out = []
    paid = PaymentOrder.objects.filter(
        case__policy=policy, case__year=year, case__state=State.PAID, status="paid"
    ).select_related("case__enterprise", "case__policy")
    for order in paid:
        paid_on = timezone.localdate(order.settled_at) if order.settled_at else None
        if paid_on is None:
            continue
        until = _years_after(paid_on, policy.clawback_years)
        listing = (
            CreditListing.objects.filter(
                uscc=order.case.enterprise_id, listed_on__gte=paid_on, listed_on__lte=until
            )
            .order_by("listed_on")
            .first()
        )
        if listing is not None:
            out.append(Candidate(order.case, listing, paid_on))
    return out


__all__ = ["candidates", "clawback_hold", "flagged", "record_recovery", "revoke"]


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
