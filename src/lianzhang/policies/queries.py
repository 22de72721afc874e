"""Read side of policy delivery: "my policies", the bureau's dashboards and 应享未享."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import get_language

from lianzhang.core import gbt4754
from lianzhang.core.money import format_yuan
from lianzhang.enterprises.models import Enterprise
from lianzhang.rules.explain import money_unit, shown
from lianzhang.rules.policy import Library

from . import workflow
from .matching import evaluate_registry, explanations, library
from .models import AuditEvent, Case, Match, MatchRun, PaymentOrder, Policy
from .workflow import State

CATEGORY_ORDER = {"eligible": 0, "review": 1, "undetermined": 2, "near": 3}
#: The label of a verdict that rests on a manual or unverified clause, in every view.
NEEDS_REVIEW_ZH = "须人工审核"

#: Confirmed or applied for and not yet decided (an objection is being decided again).
IN_PROGRESS = (
    State.CONFIRMED,
    State.SUBMITTED,
    State.UNDER_REVIEW,
    State.CORRECTION,
    State.OBJECTION,
)


@dataclass
class MyPolicy:
    policy: Policy
    verdict: str
    #: eligible | review (eligible as computed, but resting on a manual or unverified
    #: clause: 须人工审核, not an entitlement) | undetermined (missing data) | near
    category: str
    award: Decimal | None
    score: float | None
    reasons: list[str]
    case: Case | None = None
    criteria: list[dict[str, Any]] = field(default_factory=list)
    needs_review: bool = False


def reason(c: dict[str, Any]) -> str:
    """One criterion in plain Chinese: 研发费用占比 2.60%，低于 3.00%，差 0.40%.

    "低于" for a floor, "高于" for a ceiling (e.g. 资产负债率), from the value itself.
    """
    if c["passed"] is None:
        return f"{c['label']}：缺少数据或需人工核实"
    if c["margin"] is None or c["value"] is None or c["threshold"] is None:
        return f"{c['label']}：{'满足' if c['passed'] else '不满足'}"
    unit, measure = c["unit"], c.get("measure") or ""
    money = money_unit([c["threshold"], c["value"]]) if unit == "yuan" else None
    value, line = (
        shown(c["value"], unit, money, measure),
        shown(c["threshold"], unit, money, measure),
    )
    gap = shown(abs(c["margin"]), unit, None, measure)
    if c["passed"]:
        # a ceiling (资产负债率, 职工人数) is met from below: 不超过, not 达到
        met = "不超过" if c["value"] < c["threshold"] else "达到"
        return f"{c['label']}：{value}，{met} {line}"
    side = "低于" if c["value"] < c["threshold"] else "高于"
    return f"{c['label']}：{value}，{side} {line}，差 {gap}"


def active_policies(as_of: dt.date, lib: Library | None = None) -> list[Policy]:
    """The active policies in force on ``as_of`` whose file is in the library."""
    in_library = (lib or library()).policies  # a file may have left the library
    return [
        p
        for p in Policy.objects.filter(active=True).defer("source")
        if (p.effective_from is None or p.effective_from <= as_of)
        and (p.effective_to is None or as_of <= p.effective_to)
        and p.code in in_library
    ]


def my_policies(uscc: str, as_of: dt.date | None = None) -> list[MyPolicy]:
    """Every active policy the enterprise qualifies for, may qualify for, or just misses.

    Evaluated live for this one enterprise with the same engine as the match runs
    (``services.served`` reads the latest run's stored results instead when they hold).
    """
    as_of = as_of or timezone.localdate()
    active = active_policies(as_of)
    if not active:
        return []
    ev = evaluate_registry(as_of, active, usccs=[uscc])
    rows = ev.results().join(explanations(ev), on=["uscc", "policy"], how="left").to_dicts()
    for row in rows:  # what a match run stores as a near miss (``matching.run_match``)
        row["near_miss"] = (
            row["verdict"] == "ineligible" and row["failed"] == 1 and row["near"] == 1
        )
    return policy_items(uscc, as_of, active, rows)


def policy_items(
    uscc: str, as_of: dt.date, active: list[Policy], rows: list[dict[str, Any]]
) -> list[MyPolicy]:
    """Result rows (policy id, verdict, needs_review, near_miss, award_fen, score, criteria:
    live or as a match run stored them) → the page's items, with the enterprise's cases."""
    by_code = {p.code: p for p in active}
    cases = {c.policy_id: c for c in _claims(Case.objects.filter(enterprise_id=uscc), as_of.year)}
    out = []
    for row in rows:
        criteria = row["criteria"] or []
        if row["verdict"] == "eligible":
            category = "review" if row["needs_review"] else "eligible"
        elif row["verdict"] == "undetermined":
            category = "undetermined"
        elif row["near_miss"]:
            category = "near"
        else:
            continue
        # why it qualifies for a qualifying policy (not the alternatives it did not need);
        # what is short or missing for the others
        if category in ("eligible", "review"):
            wanted = [c for c in criteria if c["passed"] is True] or criteria
        else:
            wanted = [c for c in criteria if c["passed"] is not True] or criteria
        policy = by_code[row["policy"]]
        out.append(
            MyPolicy(
                policy=policy,
                verdict=row["verdict"],
                category=category,
                award=None if row["award_fen"] is None else Decimal(row["award_fen"]) / 100,
                score=row["score"],
                reasons=[reason(c) for c in wanted],
                criteria=criteria,
                case=cases.get(policy.pk),
                needs_review=bool(row["needs_review"]),
            )
        )
    return sorted(out, key=lambda m: (CATEGORY_ORDER[m.category], m.policy.code))


def _claims(cases: Any, year: int) -> Any:
    """The cases that claim a policy in ``year``: the year's, and one-off awards' (keyed by
    their trigger, opened in any year), latest last."""
    return cases.filter(Q(year=year) | ~Q(trigger_key="")).order_by("year", "pk")


def _cases(year: int, scope: Any = None) -> Any:
    """The year's cases, restricted to the ``scope`` enterprises (None: all of them)."""
    cases = Case.objects.filter(year=year)
    return cases if scope is None else cases.filter(enterprise__in=scope)


def coverage(year: int, scope: Any = None) -> list[dict[str, Any]]:
    """Per policy: cases eligible / confirmed / approved / paid, and the money."""
    rows = []
    for policy in Policy.objects.filter(cases__in=_cases(year, scope)).distinct():
        cases = _cases(year, scope).filter(policy=policy)
        counts = dict(cases.values_list("state").annotate(n=Count("id")))
        paid = PaymentOrder.objects.filter(case__in=cases, status="paid").aggregate(
            s=Sum("amount")
        )["s"] or Decimal(0)
        rows.append(
            {
                "policy": policy.code,
                "title": policy.title,
                "mode": policy.mode,
                "cases": sum(counts.values()),
                "awaiting": counts.get(State.ELIGIBLE, 0) + counts.get(State.DRAFT, 0),
                "confirmed": sum(counts.get(s, 0) for s in IN_PROGRESS),
                "approved": sum(counts.get(s, 0) for s in workflow.COMMITTED),
                "paid": counts.get(State.PAID, 0),
                "paid_amount": paid,
            }
        )
    return rows


def amounts_by(year: int, dimension: str, scope: Any = None) -> list[dict[str, Any]]:
    """Granted and paid money by ``district``, ``industry`` (门类), ``chain`` or ``policy``."""
    if dimension == "chain":
        return _amounts_by_chain(year, scope)
    key = {
        "district": "enterprise__district",
        "industry": "enterprise__industry_code",
        "policy": "policy__code",
    }[dimension]
    groups: dict[str, dict[str, Any]] = {}
    rows = (
        _cases(year, scope)
        .filter(state__in=workflow.COMMITTED)
        .values(key)
        .annotate(
            granted=Sum("award_granted"),
            n=Count("id"),
            paid=Sum("payments__amount", filter=Q(payments__status="paid")),
        )
    )
    for row in rows:
        label = row[key] or "—"
        if dimension == "industry":
            found = gbt4754.table().get(label)
            label = f"{found.section} {gbt4754.name(found.section)}" if found else "—"
        g = groups.setdefault(
            label, {"group": label, "cases": 0, "granted": Decimal(0), "paid": Decimal(0)}
        )
        g["cases"] += row["n"]
        g["granted"] += row["granted"] or Decimal(0)
        g["paid"] += row["paid"] or Decimal(0)
    return sorted(groups.values(), key=lambda g: -g["granted"])


def days_to_payment(year: int, scope: Any = None) -> dict[str, float | int | None]:
    """Days from eligibility to the payment being confirmed paid (count, median, p90)."""
    days = sorted(
        (o.settled_at - o.case.eligible_at).total_seconds() / 86400
        for o in PaymentOrder.objects.filter(
            case__in=_cases(year, scope), status="paid", case__eligible_at__isnull=False
        ).select_related("case")
        if o.settled_at is not None and o.case.eligible_at is not None
    )
    if not days:
        return {"count": 0, "median": None, "p90": None}
    return {
        "count": len(days),
        "median": statistics.median(days),
        "p90": days[min(len(days) - 1, int(len(days) * 0.9))],
    }


def entitled_not_received(run: MatchRun | None = None) -> list[dict[str, Any]]:
    """应享未享: eligible in the latest run but not paid, each with the reason why.

    A verdict that needs review (须人工审核) is not an entitlement: it is left out here
    and listed by :func:`awaiting_review`.
    """
    run = run or MatchRun.objects.filter(finished_at__isnull=False).first()
    if run is None:
        return []
    year = run.as_of.year
    cases = {
        (c.enterprise_id, c.policy_id): c
        for c in _claims(Case.objects.all(), year).select_related("policy")
    }
    out = []
    matches = Match.objects.filter(run=run, verdict="eligible", needs_review=False).select_related(
        "enterprise", "policy"
    )
    for m in matches.order_by("policy__code", "enterprise_id"):
        case = cases.get((m.enterprise_id, m.policy_id))
        if case is not None and case.state == State.PAID:
            continue
        out.append(
            {
                "uscc": m.enterprise_id,
                "name": m.enterprise.name,
                "district": m.enterprise.district,
                "policy": m.policy.code,
                "title": m.policy.title,
                "award": m.award,
                "state": case.state if case else "",
                "reason": _why_not_paid(case, m),
            }
        )
    return out


def awaiting_review(run: MatchRun | None = None) -> list[dict[str, Any]]:
    """须人工审核: eligible as computed in the latest run, but resting on a manual or
    unverified clause, so not counted as entitled until a reviewer decides."""
    run = run or MatchRun.objects.filter(finished_at__isnull=False).first()
    if run is None:
        return []
    matches = Match.objects.filter(run=run, needs_review=True).exclude(verdict="ineligible")
    out = []
    for m in matches.select_related("enterprise", "policy").order_by(
        "policy__code", "enterprise_id"
    ):
        out.append(
            {
                "uscc": m.enterprise_id,
                "name": m.enterprise.name,
                "district": m.enterprise.district,
                "policy": m.policy.code,
                "title": m.policy.title,
                "award": m.award,
                "verdict": m.verdict,
                "status": NEEDS_REVIEW_ZH,
                "reason": _review_reason(m),
            }
        )
    return out


def _review_reason(m: Match) -> str:
    """须人工审核, and the clauses left to the reviewer when the run could not decide them."""
    pending = "；".join(c["label"] for c in m.criteria if c.get("passed") is None)
    return f"{NEEDS_REVIEW_ZH}：{pending}" if pending else NEEDS_REVIEW_ZH


def entitled_count(run: MatchRun) -> int:
    """Eligible matches of ``run`` that count as entitled (not 须人工审核)."""
    return Match.objects.filter(run=run, verdict="eligible", needs_review=False).count()


def _why_not_paid(case: Case | None, match: Match) -> str:
    if case is None:
        return "尚未生成享受事项（待下一次推送）"
    waiting = (timezone.now() - case.updated_at).days
    reasons = {
        State.ELIGIBLE: f"等待企业确认意向和账户（已 {waiting} 天）",
        State.DRAFT: f"企业尚未提交申报（已 {waiting} 天）",
        State.CONFIRMED: "等待审批",
        State.SUBMITTED: "等待分配评审",
        State.UNDER_REVIEW: "评审中",
        State.CORRECTION: f"退回补正，等待企业补充（已 {waiting} 天）",
        State.REJECTED: f"未通过：{case.decision_reason}",
        State.FINAL_REJECTED: f"复核后未通过：{case.decision_reason}",
        State.OBJECTION: "企业提出异议，复核中",
        State.DECLINED: "企业放弃享受",
        State.ORDERED: "已下达支付指令，等待银行回执",
        State.PAYMENT_RETURNED: "支付被退回（账户问题），待重新支付",
    }
    if case.state == State.APPROVED:
        if case.award_granted == 0:
            return "预算不足，未获分配"
        if case.award_granted is None:
            return "已批准，待分配预算"
        return f"已批准 {format_yuan(case.award_granted)}，待支付"
    return reasons.get(State(case.state), case.state)


def _amounts_by_chain(year: int, scope: Any = None) -> list[dict[str, Any]]:
    """By industrial chain (confirmed links); an enterprise on two chains counts in both."""
    from lianzhang.chains.models import EnterpriseLink, LinkStatus

    chains: dict[str, set[str]] = {}
    for uscc, name in EnterpriseLink.objects.filter(status=LinkStatus.CONFIRMED).values_list(
        "enterprise_id", "node__chain__name"
    ):
        chains.setdefault(uscc, set()).add(name)
    groups: dict[str, dict[str, Any]] = {}
    cases = (
        _cases(year, scope)
        .filter(state__in=workflow.COMMITTED)
        .annotate(paid=Sum("payments__amount", filter=Q(payments__status="paid")))
    )
    for case in cases:
        for label in sorted(chains.get(case.enterprise_id, {"未入链"})):
            g = groups.setdefault(
                label, {"group": label, "cases": 0, "granted": Decimal(0), "paid": Decimal(0)}
            )
            g["cases"] += 1
            g["granted"] += case.award_granted or Decimal(0)
            g["paid"] += case.paid or Decimal(0)
    return sorted(groups.values(), key=lambda g: -g["granted"])


def near_misses(run: MatchRun | None = None, limit: int = 1000) -> list[dict[str, Any]]:
    """Enterprises that fail one criterion by a small margin: whom to call (outreach)."""
    run = run or MatchRun.objects.filter(finished_at__isnull=False).first()
    if run is None:
        return []
    found = (
        Match.objects.filter(run=run, near_miss=True)
        .select_related("enterprise", "policy")
        .order_by("policy__code", "enterprise_id")[:limit]
    )
    out = []
    for m in found:
        failing = [c for c in m.criteria if c.get("passed") is False]
        out.append(
            {
                "uscc": m.enterprise_id,
                "name": m.enterprise.name,
                "district": m.enterprise.district,
                "policy": m.policy.code,
                "title": m.policy.title,
                "reason": "；".join(reason(c) for c in failing),
            }
        )
    return out


#: How long a dashboard list is kept at most, for what its key does not see (a policy's
#: title edited in the admin); every case change and registry change is in the key.
LIST_SECONDS = 300


def dashboard_list(kind: str) -> list[dict[str, Any]]:
    """``entitled_not_received``, ``awaiting_review`` or ``near_misses`` of the latest run,
    computed once per state of the data they read and kept in the cache: the dashboard and
    its long lists read them on every visit, the exports compute them afresh.

    The key: the run, the newest audit event (every case change appends one), the newest
    registry change (``Enterprise.data_changed_at``) and the language of the reasons.
    """
    if kind not in ("unclaimed", "review", "near-misses"):
        raise ValueError(kind)
    run = MatchRun.objects.filter(finished_at__isnull=False).first()
    if run is None:
        return []
    audit = AuditEvent.objects.aggregate(m=Max("pk"))["m"]
    changed = Enterprise.objects.aggregate(m=Max("data_changed_at"))["m"]
    stamp = changed.timestamp() if changed else 0
    key = f"lianzhang:dashboard:{kind}:{run.pk}:{audit}:{stamp}:{get_language()}"
    rows: list[dict[str, Any]] | None = cache.get(key)
    if rows is None:
        if kind == "unclaimed":
            rows = entitled_not_received(run)
        elif kind == "review":
            rows = awaiting_review(run)
        else:
            rows = near_misses(run, limit=1_000_000)
        cache.set(key, rows, LIST_SECONDS)
    return rows


def timeline(case: Case) -> list[AuditEvent]:
    """Every recorded step of a case, oldest first (who, when, what, why)."""
    return list(AuditEvent.objects.filter(object_type="case", object_id=str(case.pk)))


def policy_history(policy: Policy) -> list[AuditEvent]:
    """Changes to a policy: its parameters, budgets, money rules, allocations."""
    change_ids = [str(pk) for pk in policy.changes.values_list("pk", flat=True)]
    return list(
        AuditEvent.objects.filter(
            Q(object_type="policy", object_id=str(policy.pk))
            | Q(object_type="parameterchange", object_id__in=change_ids)
        ).order_by("-id")
    )


def summary(year: int, visible: Any = None) -> dict[str, Any]:
    """Headline figures for the dashboard, restricted to ``visible`` enterprises."""
    cases = _cases(year, visible)
    counts = dict(cases.values_list("state").annotate(n=Count("id")))
    orders = PaymentOrder.objects.filter(case__in=cases)
    return {
        "cases": sum(counts.values()),
        "awaiting": counts.get(State.ELIGIBLE, 0) + counts.get(State.DRAFT, 0),
        "in_progress": sum(counts.get(s, 0) for s in IN_PROGRESS),
        "approved": sum(counts.get(s, 0) for s in workflow.COMMITTED),
        "paid": counts.get(State.PAID, 0),
        "paid_amount": orders.filter(status="paid").aggregate(s=Sum("amount"))["s"] or Decimal(0),
        "ordered_amount": orders.filter(status="ordered").aggregate(s=Sum("amount"))["s"]
        or Decimal(0),
        "by_state": counts,
    }
