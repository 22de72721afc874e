"""市区分担: who pays which part of an award, the budgets each funding source holds, and
the ledger per source.

A policy declares its cost sharing as fractions (``Policy.cost_shares``): the city's and
the district's share, with other shares for districts that differ. A funding source is
``city`` or ``district:<区名>``; an award splits into the sources exactly to the fen
(each share rounded down, the fen left over go to the city, which pays through the
treasury and settles with the districts). Each order keeps its split as ordered, so a
later change of the rule changes nothing already sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction

from lianzhang.accounts import access
from lianzhang.core import bounds
from lianzhang.core.errors import PermissionDenied, ValidationError
from lianzhang.core.money import from_fen, to_fen

from .. import workflow
from ..models import Case, PaymentOrder, Policy, SourceBudget
from ..workflow import State
from .audit import audit

CITY = "city"


def district_source(district: str) -> str:
    return f"district:{district}"


def source_label(source: str) -> str:
    """A funding source as people say it: 市级, or the district's name (区级)."""
    if source == CITY:
        return "市级"
    return f"{source.removeprefix('district:')}（区级）"


def _fraction(text: Any, where: str) -> Fraction:
    try:
        value = Fraction(str(text).strip())
    except (ValueError, ZeroDivisionError):
        raise ValidationError(
            f"{where}的分担比例「{text}」不是分数或小数",
            f"the share {text!r} of {where} is not a fraction or a decimal",
        ) from None
    if not 0 <= value <= 1:
        raise ValidationError(
            f"{where}的分担比例应在 0 到 1 之间", f"the share of {where} must lie in [0, 1]"
        )
    return value


def _pair(rule: Any, where: str) -> tuple[Fraction, Fraction]:
    if not isinstance(rule, dict) or set(rule) - {"city", "district"}:
        raise ValidationError(
            f"{where}的分担规则应写明 city 与 district 两项",
            f"the sharing rule of {where} has the keys city and district",
        )
    city = _fraction(rule.get("city", 0), where)
    district = _fraction(rule.get("district", 0), where)
    if city + district != 1:
        raise ValidationError(
            f"{where}的市、区分担比例之和应为 1（现为 {city + district}）",
            f"the city and district shares of {where} must add up to 1 (they are "
            f"{city + district})",
        )
    return city, district


def check_cost_shares(rule: Any) -> dict[str, Any]:
    """The rule as stored, after checking every fraction adds up; raises ValidationError."""
    if not rule:
        return {}
    if not isinstance(rule, dict):
        raise ValidationError("分担规则格式有误", "the cost-sharing rule is malformed")
    base = {k: v for k, v in rule.items() if k != "by_district"}
    _pair(base, "默认")
    by_district = rule.get("by_district") or {}
    if not isinstance(by_district, dict):
        raise ValidationError("分区分担规则格式有误", "by_district is malformed")
    for district, pair in by_district.items():
        _pair(pair, str(district))
    return {
        **{k: str(v) for k, v in base.items()},
        "by_district": {d: {k: str(v) for k, v in p.items()} for d, p in by_district.items()},
    }


def shares_for(policy: Policy, district: str) -> dict[str, Fraction]:
    """The fraction each funding source pays of an award to an enterprise in ``district``."""
    rule = policy.cost_shares or {}
    if not rule:
        return {CITY: Fraction(1)}
    pair = (rule.get("by_district") or {}).get(district) or {
        k: v for k, v in rule.items() if k != "by_district"
    }
    city, local = _pair(pair, district or "默认")
    shares = {CITY: city}
    if local:
        if not district:
            raise ValidationError(
                "企业没有登记所在区，无法确定区级分担",
                "the enterprise has no district: the district's share has no payer",
            )
        shares[district_source(district)] = local
    return shares


def split(amount: Decimal, shares: dict[str, Fraction]) -> dict[str, Decimal]:
    """``amount`` by funding source, exact to the fen: each share rounded down, the fen left
    over to the city. The parts always add up to ``amount``."""
    fen = to_fen(amount)
    parts = {source: int(fen * share) for source, share in shares.items() if source != CITY}
    parts = {CITY: fen - sum(parts.values()), **parts}
    return {source: from_fen(value) for source, value in parts.items() if value or source == CITY}


def split_case(case: Case) -> dict[str, Decimal]:
    shares = shares_for(case.policy, case.enterprise.district)
    return split(case.award_granted or Decimal(0), shares)


def set_cost_shares(policy: Policy, rule: Any, user: Any, reason: str) -> Policy:
    """Set a policy's 市区分担 rule (bureau only, audited with a reason)."""
    if not access.is_bureau(user):
        raise PermissionDenied("只有局内人员可以设置分担规则", "only bureau staff may set this")
    if not reason.strip():
        raise ValidationError("修改分担规则须说明理由", "a change of cost sharing needs a reason")
    stored = check_cost_shares(rule)
    with transaction.atomic():
        before = policy.cost_shares
        policy.cost_shares = stored
        policy.save(update_fields=["cost_shares"])
        audit(user, "cost_shares", policy, reason=reason, data={"from": before, "to": stored})
    return policy


def set_source_budget(
    policy: Policy, year: int, source: str, amount: Decimal, user: Any, reason: str
) -> SourceBudget:
    """Set the budget a funding source holds for a policy-year (audited with a reason)."""
    if not access.is_bureau(user):
        raise PermissionDenied("只有局内人员可以设置预算", "only bureau staff may set budgets")
    bounds.check_year(year)
    if source != CITY and not (source.startswith("district:") and source[9:].strip()):
        raise ValidationError(
            f"资金来源「{source}」应为 city 或 district:区名",
            f"the funding source {source!r} is city or district:<name>",
        )
    bounds.check_money(amount, "预算", "budget")
    if not reason.strip():
        raise ValidationError("调整预算须说明理由", "a budget change needs a reason")
    with transaction.atomic():
        old = SourceBudget.objects.filter(policy=policy, year=year, source=source).first()
        budget, _ = SourceBudget.objects.update_or_create(
            policy=policy, year=year, source=source, defaults={"amount": amount}
        )
        audit(
            user,
            "source_budget",
            policy,
            reason=reason,
            data={
                "year": year,
                "source": source,
                "from": str(old.amount) if old else "",
                "to": str(amount),
            },
        )
    return budget


def source_budgets(policy: Policy, year: int) -> dict[str, Decimal]:
    return {b.source: b.amount for b in SourceBudget.objects.filter(policy=policy, year=year)}


def spent_by_source(policy: Policy, year: int) -> dict[str, Decimal]:
    """What live and paid orders of the policy-year took from each source, as ordered."""
    spent: dict[str, Decimal] = {}
    orders = PaymentOrder.objects.filter(case__policy=policy, case__year=year).exclude(
        status=PaymentOrder.Status.RETURNED
    )
    for shares in orders.values_list("shares", flat=True):
        for source, amount in (shares or {}).items():
            spent[source] = spent.get(source, Decimal(0)) + Decimal(amount)
    return spent


@dataclass
class SourceLine:
    """One funding source's money for a policy-year."""

    source: str
    label: str
    budget: Decimal | None  # None: the source holds no budget of its own
    granted: Decimal = Decimal(0)
    ordered: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    returned: Decimal = Decimal(0)
    problems: list[str] = field(default_factory=list)


def source_ledger(policy: Policy, year: int) -> list[SourceLine]:
    """The ledger per funding source; each line's problems are where it fails to add up.

    Granted money not yet ordered splits by today's rule; ordered money by the split each
    order recorded. The lines add up to the policy-year's totals (``payments.reconcile``).
    """
    budgets = source_budgets(policy, year)
    lines: dict[str, SourceLine] = {}

    def line(source: str) -> SourceLine:
        if source not in lines:
            lines[source] = SourceLine(source, source_label(source), budgets.get(source))
        return lines[source]

    for source in budgets:
        line(source)
    cases = Case.objects.filter(policy=policy, year=year, state__in=workflow.COMMITTED)
    for case in cases.select_related("enterprise", "policy"):
        if case.state in (State.APPROVED, State.PAYMENT_RETURNED):
            for source, amount in split_case(case).items():
                line(source).granted += amount
    orders = PaymentOrder.objects.filter(case__policy=policy, case__year=year)
    for order in orders.select_related("case__enterprise", "case__policy"):
        shares = order.shares or {k: str(v) for k, v in split_case(order.case).items()}
        for source, text in shares.items():
            amount, item = Decimal(text), line(source)
            if order.status == PaymentOrder.Status.RETURNED:
                item.returned += amount
                continue
            item.granted += amount
            if order.status == PaymentOrder.Status.PAID:
                item.paid += amount
            else:
                item.ordered += amount
    for item in lines.values():
        if item.budget is not None and item.granted > item.budget:
            item.problems.append(f"{item.label} 已批 {item.granted} 超出预算 {item.budget}")
    return sorted(lines.values(), key=lambda x: (x.source != CITY, x.source))
