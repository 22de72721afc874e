"""Paying granted awards: payment runs, the bank's answers, and the ledger that checks
the year's money adds up.

A payment run can be interrupted and run again: each case is ordered in its own
transaction with its state change, and a case holds at most one live order (a database
constraint), so nobody is paid twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from lianzhang.accounts import access
from lianzhang.core import bounds
from lianzhang.core.errors import Conflict, PermissionDenied, ValidationError

from .. import workflow
from ..models import Budget, Case, PaymentOrder, PaymentRun, Policy, Recovery
from ..workflow import State
from .audit import audit, checkpoint_on_commit
from .funding import split_case
from .transitions import InvalidTransition, _transition, payee_name


def create_payment_run(policy: Policy, year: int, user: Any) -> PaymentRun:
    if not access.is_bureau(user):
        raise PermissionDenied("只有局内人员可以发起支付", "only bureau staff may order payments")
    run = PaymentRun.objects.create(policy=policy, year=year, created_by=user)
    with transaction.atomic():
        audit(user, "payment_run", run, data={"policy": policy.code, "year": year})
    return run


def open_payment_run(policy: Policy, year: int, user: Any) -> PaymentRun:
    """The interrupted run of this policy and year, to resume; else a new run."""
    bounds.check_year(year)
    unfinished = PaymentRun.objects.filter(policy=policy, year=year, finished_at__isnull=True)
    return unfinished.order_by("pk").first() or create_payment_run(policy, year, user)


def execute_payment_run(
    run: PaymentRun, user: Any, progress: Callable[[Case], None] | None = None
) -> int:
    """Order payment for every approved, funded case; safe to run again after a failure.

    Each case is checked against the credit register as it is ordered (``_transition``):
    a listed enterprise's case is held with the listing as its reason, not ordered.
    """
    done = 0
    pending = Case.objects.filter(
        policy=run.policy,
        year=run.year,
        state__in=(State.APPROVED, State.PAYMENT_RETURNED),
        award_granted__gt=0,
    ).order_by("pk")
    for case in pending.select_related("policy", "enterprise").iterator():
        try:
            shares = {source: str(v) for source, v in split_case(case).items()}
            with transaction.atomic():
                # checks the credit register now: a listed enterprise's case is held instead
                moved = _transition(case.pk, "order", user, reason=f"payment run {run.pk}")
                if moved.state != State.ORDERED:
                    continue
                PaymentOrder.objects.create(
                    case=case,
                    run=run,
                    amount=case.award_granted,
                    bank_account=case.bank_account or "",
                    payee_name=payee_name(moved),
                    bank_name=case.bank_name,
                    shares=shares,
                )
        except (IntegrityError, InvalidTransition, Conflict):
            continue  # ordered meanwhile by another run: nothing to do
        except ValidationError:
            continue  # no payer for the district's share: stays approved, on the ledger
        done += 1
        if progress:
            progress(case)
    PaymentRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    checkpoint_on_commit()  # publish the audit chain's head once the run is in
    return done


def settle(order_id: int, user: Any, *, paid: bool, note: str = "") -> PaymentOrder:
    """Record the bank's answer for an order: paid, or returned (e.g. a closed account)."""
    with transaction.atomic():
        order = PaymentOrder.objects.select_for_update().get(pk=order_id)
        if order.status != PaymentOrder.Status.ORDERED:
            raise InvalidTransition("该支付指令已结算", "this order is already settled")
        order.status = PaymentOrder.Status.PAID if paid else PaymentOrder.Status.RETURNED
        order.settled_at = timezone.now()
        order.note = note
        order.save(update_fields=["status", "settled_at", "note"])
        _transition(order.case_id, "settle" if paid else "bounce", user, reason=note)
    return order


@dataclass(frozen=True)
class Ledger:
    budget: Decimal
    granted: Decimal
    ordered: Decimal
    paid: Decimal
    returned: Decimal
    problems: list[str]
    #: 追回: paid money revoked (a negative entry) and what has come back of it
    revoked: Decimal = Decimal(0)
    recovered: Decimal = Decimal(0)


def reconcile(policy: Policy, year: int) -> Ledger:
    """Totals of the year's money and every way they fail to add up (empty when they do)."""
    budget = Budget.objects.filter(policy=policy, year=year).first()
    total_budget = budget.amount if budget else Decimal(0)
    cases = Case.objects.filter(policy=policy, year=year)
    orders = PaymentOrder.objects.filter(case__in=cases)

    def total(qs: Any, field: str) -> Decimal:
        return qs.aggregate(s=Sum(field))["s"] or Decimal(0)

    granted = total(cases.filter(state__in=workflow.COMMITTED), "award_granted")
    ordered = total(orders.filter(status=PaymentOrder.Status.ORDERED), "amount")
    paid = total(orders.filter(status=PaymentOrder.Status.PAID), "amount")
    returned = total(orders.filter(status=PaymentOrder.Status.RETURNED), "amount")
    problems = []
    if granted > total_budget:
        problems.append(f"granted {granted} exceeds budget {total_budget}")
    paid_cases = total(cases.filter(state__in=(State.PAID, State.REVOKED)), "award_granted")
    if paid != paid_cases:
        problems.append(f"paid orders {paid} != granted of paid cases {paid_cases}")
    live_cases = total(cases.filter(state=State.ORDERED), "award_granted")
    if ordered != live_cases:
        problems.append(f"open orders {ordered} != granted of ordered cases {live_cases}")
    twice = cases.annotate(n=Sum("payments__amount", filter=Q(payments__status="paid"))).filter(
        n__gt=F("award_granted")
    )
    problems += [f"case {c.pk} paid more than granted" for c in twice]
    recoveries = Recovery.objects.filter(case__in=cases)
    revoked = total(recoveries, "amount")
    revoked_cases = total(cases.filter(state=State.REVOKED), "award_granted")
    if revoked != revoked_cases:
        problems.append(f"clawbacks {revoked} != granted of revoked cases {revoked_cases}")
    recovered = total(recoveries, "recovered")
    return Ledger(total_budget, granted, ordered, paid, returned, problems, revoked, recovered)
