"""The money rules of a policy and year: the budget, the over-budget rule, no-stacking,
and the allocation of the budget to approved cases.

Bureau staff only. Every change is audited with a reason; allocation never grants more
than the budget minus what is already ordered or paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from lianzhang.accounts import access
from lianzhang.core import bounds
from lianzhang.core.errors import PermissionDenied, ValidationError
from lianzhang.core.money import from_fen, to_fen

from ..models import Budget, Case, Policy
from ..workflow import State
from .audit import audit
from .funding import shares_for, source_budgets, spent_by_source, split

ALLOCATION_RULES = ("ranking", "pro_rata")
#: States whose grant has left the budget (ordered, paid, returned to be paid again, or
#: paid and revoked: a recovery returns money to the treasury, not to this budget)
SPENT = (State.ORDERED, State.PAID, State.PAYMENT_RETURNED, State.REVOKED)


@dataclass(frozen=True)
class Allocation:
    budget: Decimal
    demand: Decimal
    granted: Decimal
    rule: str
    unfunded: list[int]


def _demand_by_source(
    policy: Policy, cases: list[Case], limits: dict[str, Decimal]
) -> dict[str, Decimal]:
    demand = dict.fromkeys(limits, Decimal(0))
    if not limits:
        return demand
    for c in cases:
        for source, amount in split(
            c.award_computed or Decimal(0), shares_for(policy, c.enterprise.district)
        ).items():
            if source in demand:
                demand[source] += amount
    return demand


def _fits(policy: Policy, case: Case, want: Decimal, left: dict[str, Decimal]) -> bool:
    if not left:
        return True
    parts = split(want, shares_for(policy, case.enterprise.district))
    return all(parts.get(source, Decimal(0)) <= room for source, room in left.items())


def _grants(
    policy: Policy,
    cases: list[Case],
    available: Decimal,
    limits: dict[str, Decimal] | None = None,
) -> dict[int, Decimal]:
    """Each case's grant within the total ``available`` and, where funding sources hold
    their own budgets, within what each source has left (``limits``)."""
    limits = limits or {}
    demand = sum((c.award_computed or Decimal(0) for c in cases), Decimal(0))
    by_source = _demand_by_source(policy, cases, limits)
    if demand <= available and all(by_source[s] <= limits[s] for s in limits):
        return {c.pk: c.award_computed or Decimal(0) for c in cases}
    if policy.allocation == "pro_rata":
        # the tightest source sets everyone's share
        share = min(
            [Fraction(available) / Fraction(demand)]
            + [Fraction(limits[s]) / Fraction(by_source[s]) for s in limits if by_source[s]]
        )
        return {c.pk: _share_of(c.award_computed or Decimal(0), share) for c in cases}
    grants: dict[int, Decimal] = {}
    left, room = available, dict(limits)
    for c in sorted(
        cases,
        key=lambda c: (
            -(c.match.score if c.match and c.match.score is not None else Decimal(0)),
            c.eligible_at or timezone.now(),
            c.enterprise_id,
        ),
    ):
        want = c.award_computed or Decimal(0)
        fits = want <= left and _fits(policy, c, want, room)
        grants[c.pk] = want if fits else Decimal(0)
        left -= grants[c.pk]
        if room:
            parts = split(grants[c.pk], shares_for(policy, c.enterprise.district))
            for source, amount in parts.items():
                if source in room:
                    room[source] -= amount
    return grants


def _share_of(amount: Decimal, share: Fraction) -> Decimal:
    """``amount × share`` rounded down to the fen, computed exactly."""
    fen = Fraction(to_fen(amount)) * share
    return from_fen(int(fen))  # int() truncates toward zero: never over budget


@transaction.atomic
def allocate(policy: Policy, year: int, user: Any) -> Allocation:
    """Set the granted award of approved cases within the year's budget, by the policy's rule.

    ranking: highest score first (then earliest eligibility, then USCC), each in full while
    it fits; pro_rata: everyone the same share, rounded down to the fen (never over budget).
    Money already ordered or paid is taken off the budget first.
    """
    budget = Budget.objects.filter(policy=policy, year=year).first()
    if budget is None:
        raise ValidationError(
            f"{policy.title} {year} 年未设预算", f"no {year} budget for {policy.code}"
        )
    cases = list(
        Case.objects.select_for_update(of=("self",))
        .filter(policy=policy, year=year, state=State.APPROVED)
        .select_related("match", "enterprise")
    )
    spent = Case.objects.filter(policy=policy, year=year, state__in=SPENT).aggregate(
        s=Sum("award_granted")
    )["s"] or Decimal(0)
    available = max(Decimal(0), budget.amount - spent)
    demand = sum((c.award_computed or Decimal(0) for c in cases), Decimal(0))
    taken = spent_by_source(policy, year)
    limits = {
        source: max(Decimal(0), amount - taken.get(source, Decimal(0)))
        for source, amount in source_budgets(policy, year).items()
    }
    grants = _grants(policy, cases, available, limits)
    for c in cases:
        Case.objects.filter(pk=c.pk).update(award_granted=grants[c.pk])
    granted = sum(grants.values(), Decimal(0))
    audit(
        user,
        "allocate",
        policy,
        reason=policy.allocation,
        data={
            "year": year,
            "budget": str(budget.amount),
            "spent": str(spent),
            "demand": str(demand),
            "granted": str(granted),
        },
    )
    return Allocation(
        budget.amount,
        demand,
        granted,
        policy.allocation,
        [pk for pk, g in grants.items() if g == 0],
    )


def set_budget(policy: Policy, year: int, amount: Decimal, user: Any, reason: str) -> Budget:
    """Set (or change) a policy's budget for a year; every change is audited with a reason."""
    if not access.is_bureau(user):
        raise PermissionDenied("只有局内人员可以设置预算", "only bureau staff may set budgets")
    bounds.check_year(year)
    bounds.check_money(amount, "预算", "budget", negative=True)  # the sign is checked below
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(
            "预算应为非负金额，精确到分", "a budget is a non-negative amount in fen"
        )
    if not reason.strip():
        raise ValidationError("调整预算须说明理由", "a budget change needs a reason")
    with transaction.atomic():
        old = Budget.objects.select_for_update().filter(policy=policy, year=year).first()
        budget, _ = Budget.objects.update_or_create(
            policy=policy, year=year, defaults={"amount": amount}
        )
        audit(
            user,
            "budget",
            policy,
            reason=reason,
            data={"year": year, "from": str(old.amount) if old else "", "to": str(amount)},
        )
    return budget


def set_money_rules(
    policy: Policy, allocation: str, no_stack_with: list[str], user: Any, reason: str
) -> Policy:
    """The over-budget rule and the policies this one does not stack with."""
    if not access.is_bureau(user):
        raise PermissionDenied("只有局内人员可以修改", "only bureau staff may change this")
    if allocation not in ALLOCATION_RULES:
        raise ValidationError(
            "超预算规则应为 ranking（排序）或 pro_rata（按比例）",
            "the over-budget rule is ranking or pro_rata",
        )
    known = set(Policy.objects.values_list("code", flat=True))
    unknown = sorted(set(no_stack_with) - known - {""})
    if unknown or policy.code in no_stack_with:
        raise ValidationError(
            f"不可叠加的政策编号有误：{unknown or [policy.code]}",
            f"wrong policy ids for no-stacking: {unknown or [policy.code]}",
        )
    with transaction.atomic():
        before = {"allocation": policy.allocation, "no_stack_with": policy.no_stack_with}
        policy.allocation, policy.no_stack_with = allocation, sorted(set(no_stack_with) - {""})
        policy.save(update_fields=["allocation", "no_stack_with"])
        audit(
            user,
            "money_rules",
            policy,
            reason=reason,
            data={
                "before": before,
                "after": {"allocation": allocation, "no_stack_with": policy.no_stack_with},
            },
        )
    return policy
