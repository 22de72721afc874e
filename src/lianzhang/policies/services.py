"""Delivery use cases: the only writers of cases, reviews, budgets, payments and the audit log.

Every state change goes through ``transition``: it locks the case row, checks the action
is allowed from the current state and by this user, bumps the version with a conditional
UPDATE (so two reviewers deciding at once cannot both win, even without row locks), and
appends a hash-chained audit event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from lianzhang.accounts import access
from lianzhang.accounts.models import Profile, Role
from lianzhang.core.errors import Conflict, PermissionDenied, ValidationError
from lianzhang.core.money import format_yuan
from lianzhang.enterprises.models import Enterprise

from . import workflow
from .models import (
    AuditEvent,
    Budget,
    Case,
    Match,
    Notice,
    ParameterChange,
    PaymentOrder,
    PaymentRun,
    Policy,
    Review,
)
from .workflow import Mode, State

GENESIS = "0" * 64


class InvalidTransition(Conflict):
    """The action is not allowed from the case's current state."""


# --- audit ------------------------------------------------------------------------------


def _actor(user: Any) -> str:
    return getattr(user, "username", "") or "system"


def audit(
    user: Any,
    action: str,
    obj: Any,
    *,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an event to the hash chain (inside the caller's transaction)."""
    if connection.vendor == "postgresql":  # serialise appends so the chain never forks
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(7514)")
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    event = AuditEvent(
        actor=_actor(user),
        action=action,
        object_type=type(obj).__name__.lower(),
        object_id=str(obj.pk),
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data or {},
        prev_hash=last or GENESIS,
    )
    event.hash = event.digest()
    event.save()
    return event


def verify_audit_chain() -> list[int]:
    """Ids of events whose content or link no longer matches: empty when untouched."""
    broken, previous = [], GENESIS
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != previous or event.digest() != event.hash:
            broken.append(event.pk)
        previous = event.hash
    return broken


# --- who may act ------------------------------------------------------------------------


def _is_bureau(user: Any) -> bool:
    return access.role_of(user) in (Role.ADMIN, Role.ANALYST)


def _check_actor(user: Any, case: Case, who: str) -> None:
    if user is None:  # the platform itself (scheduled runs, payment batches)
        if who == "enterprise":
            raise PermissionDenied("只有企业本身可以执行此操作", "only the enterprise may do this")
        return
    if who == "enterprise":
        if (
            access.role_of(user) != Role.ENTERPRISE
            or not access.enterprises_for(user, "view").filter(pk=case.enterprise_id).exists()
        ):
            raise PermissionDenied(
                "只有该企业的用户可以执行此操作", "only a user of this enterprise may do this"
            )
    elif who == "reviewer":
        if case.policy.mode == Mode.APPLICATION or case.state == State.UNDER_REVIEW:
            if case.reviewer_id != getattr(user, "pk", None):
                raise PermissionDenied(
                    "只有分配的评审人可以作出评审决定", "only the assigned reviewer may decide"
                )
            declared = Review.objects.filter(case=case, reviewer=user).order_by("-at").first()
            if declared is None or declared.conflict:
                raise PermissionDenied(
                    "作出决定前须声明无利益冲突（有冲突者须回避）",
                    "declare no conflict of interest before deciding (recuse if conflicted)",
                )
        elif not _is_bureau(user):
            raise PermissionDenied("只有局内人员可以审批", "only bureau staff may approve")
    elif not _is_bureau(user):
        raise PermissionDenied("只有局内人员可以执行此操作", "only bureau staff may do this")


# --- transitions ------------------------------------------------------------------------


@transaction.atomic
def transition(
    case_id: int,
    action: str,
    user: Any,
    *,
    reason: str = "",
    expected_version: int | None = None,
    changes: dict[str, Any] | None = None,
) -> Case:
    """Move a case by ``action``; raises Conflict when someone else moved it first."""
    case = Case.objects.select_for_update().select_related("policy").get(pk=case_id)
    if expected_version is not None and case.version != expected_version:
        raise Conflict(
            "该事项已被他人处理，请刷新后再操作", "the case was changed by someone else; reload it"
        )
    to = workflow.target(action, case.state)
    if to is None:
        raise InvalidTransition(
            f"当前状态「{State(case.state).label}」下不能执行「{action}」",
            f"action {action!r} is not allowed in state {case.state!r}",
        )
    _check_actor(user, case, workflow.TRANSITIONS[action][2])
    if action in workflow.NEEDS_REASON and not reason.strip():
        raise ValidationError(f"此操作须说明理由（{action}）", f"action {action!r} needs a reason")
    if action in ("approve", "uphold"):
        _check_stacking(case)
    fields = dict(changes or {})
    if action == "submit" and "prereview" not in fields:  # every submission is pre-reviewed
        from .applications import prereview

        fields["prereview"] = prereview(case)
    if to == State.APPROVED and case.award_computed is None:
        from .applications import confirmed_award  # 申报: the formula, checks now confirmed

        award = confirmed_award(case)
        if award is not None:
            fields["award_computed"] = award
    updated = Case.objects.filter(pk=case.pk, version=case.version, state=case.state).update(
        state=to, version=F("version") + 1, updated_at=timezone.now(), **fields
    )
    if updated != 1:
        raise Conflict(
            "该事项已被他人处理，请刷新后再操作", "the case was changed by someone else; reload it"
        )
    audit(
        user,
        action,
        case,
        from_state=case.state,
        to_state=to,
        reason=reason,
        data={k: str(v) for k, v in fields.items()},
    )
    case.refresh_from_db()
    return case


def _check_stacking(case: Case) -> None:
    """A policy that does not stack with another cannot be granted alongside it."""
    policy = case.policy
    others = (
        Case.objects.filter(
            enterprise_id=case.enterprise_id, year=case.year, state__in=workflow.COMMITTED
        )
        .exclude(pk=case.pk)
        .select_related("policy")
    )
    for other in others:
        if other.policy.code in policy.no_stack_with or policy.code in other.policy.no_stack_with:
            raise ValidationError(
                f"与已获支持的「{other.policy.title}」不可叠加享受",
                f"does not stack with {other.policy.code}, already granted",
            )


def bank_account(text: str) -> str:
    account = text.replace(" ", "")
    if not (account.isdigit() and 8 <= len(account) <= 32):
        raise ValidationError("银行账号应为 8–32 位数字", "the bank account must be 8–32 digits")
    return account


def confirm(case_id: int, user: Any, bank_account_text: str) -> Case:
    """免申即享: the enterprise confirms its intent and the account to be paid into."""
    account = bank_account(bank_account_text)
    return transition(case_id, "confirm", user, changes={"bank_account": account})


def assign(case_id: int, user: Any, reviewer: Any) -> Case:
    if access.role_of(reviewer) not in (Role.ADMIN, Role.ANALYST):
        raise ValidationError("评审人须为局内人员", "the reviewer must be bureau staff")
    return transition(
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
    case = transition(
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


# --- money ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Allocation:
    budget: Decimal
    demand: Decimal
    granted: Decimal
    rule: str
    unfunded: list[int]


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
        .select_related("match")
    )
    spent = Case.objects.filter(
        policy=policy, year=year, state__in=(State.ORDERED, State.PAID, State.PAYMENT_RETURNED)
    ).aggregate(s=Sum("award_granted"))["s"] or Decimal(0)
    available = max(Decimal(0), budget.amount - spent)
    demand = sum((c.award_computed or Decimal(0) for c in cases), Decimal(0))
    grants: dict[int, Decimal] = {}
    if demand <= available:
        grants = {c.pk: c.award_computed or Decimal(0) for c in cases}
    elif policy.allocation == "pro_rata":
        share = available / demand
        grants = {
            c.pk: ((c.award_computed or Decimal(0)) * share).quantize(
                Decimal("0.01"), rounding=ROUND_DOWN
            )
            for c in cases
        }
    else:
        left = available
        for c in sorted(
            cases,
            key=lambda c: (
                -(c.match.score if c.match and c.match.score is not None else Decimal(0)),
                c.eligible_at or timezone.now(),
                c.enterprise_id,
            ),
        ):
            want = c.award_computed or Decimal(0)
            grants[c.pk] = want if want <= left else Decimal(0)
            left -= grants[c.pk]
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


ALLOCATION_RULES = ("ranking", "pro_rata")


def set_budget(policy: Policy, year: int, amount: Decimal, user: Any, reason: str) -> Budget:
    """Set (or change) a policy's budget for a year; every change is audited with a reason."""
    if not _is_bureau(user):
        raise PermissionDenied("只有局内人员可以设置预算", "only bureau staff may set budgets")
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
    if not _is_bureau(user):
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


def create_payment_run(policy: Policy, year: int, user: Any) -> PaymentRun:
    if not _is_bureau(user):
        raise PermissionDenied("只有局内人员可以发起支付", "only bureau staff may order payments")
    run = PaymentRun.objects.create(policy=policy, year=year, created_by=user)
    with transaction.atomic():
        audit(user, "payment_run", run, data={"policy": policy.code, "year": year})
    return run


def open_payment_run(policy: Policy, year: int, user: Any) -> PaymentRun:
    """The interrupted run of this policy and year, to resume; else a new run."""
    unfinished = PaymentRun.objects.filter(policy=policy, year=year, finished_at__isnull=True)
    return unfinished.order_by("pk").first() or create_payment_run(policy, year, user)


def execute_payment_run(
    run: PaymentRun, user: Any, progress: Callable[[Case], None] | None = None
) -> int:
    """Order payment for every approved, funded case; safe to run again after a failure.

    Each case is ordered in its own transaction together with its state change, and a case
    can hold only one live order (database constraint), so a resumed run pays nobody twice.
    """
    done = 0
    pending = Case.objects.filter(
        policy=run.policy,
        year=run.year,
        state__in=(State.APPROVED, State.PAYMENT_RETURNED),
        award_granted__gt=0,
    ).order_by("pk")
    for case in pending.iterator():
        try:
            with transaction.atomic():
                PaymentOrder.objects.create(
                    case=case,
                    run=run,
                    amount=case.award_granted,
                    bank_account=case.bank_account or "",
                )
                transition(case.pk, "order", user, reason=f"payment run {run.pk}")
        except (IntegrityError, InvalidTransition, Conflict):
            continue  # ordered meanwhile by another run: nothing to do
        done += 1
        if progress:
            progress(case)
    PaymentRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
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
        transition(order.case_id, "settle" if paid else "bounce", user, reason=note)
    return order


@dataclass(frozen=True)
class Ledger:
    budget: Decimal
    granted: Decimal
    ordered: Decimal
    paid: Decimal
    returned: Decimal
    problems: list[str]


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
    paid_cases = total(cases.filter(state=State.PAID), "award_granted")
    if paid != paid_cases:
        problems.append(f"paid orders {paid} != granted of paid cases {paid_cases}")
    live_cases = total(cases.filter(state=State.ORDERED), "award_granted")
    if ordered != live_cases:
        problems.append(f"open orders {ordered} != granted of ordered cases {live_cases}")
    twice = cases.annotate(n=Sum("payments__amount", filter=Q(payments__status="paid"))).filter(
        n__gt=F("award_granted")
    )
    problems += [f"case {c.pk} paid more than granted" for c in twice]
    return Ledger(total_budget, granted, ordered, paid, returned, problems)


# --- cases from matches -----------------------------------------------------------------


BATCH = 2000


def open_cases(matches: Iterable[Match], year: int, user: Any = None) -> list[Case]:
    """A case for every eligible match not yet claimed this year; notifies the enterprise.

    Unverified policies never take the automatic path: they need an application. Cases
    are written in batches (a city's match run opens tens of thousands at once), each
    batch with its audit events in one transaction.
    """
    chosen = [m for m in matches if m.verdict == Match.Verdict.ELIGIBLE and m.policy.active]
    created: list[Case] = []
    for i in range(0, len(chosen), BATCH):
        created += _open_batch(chosen[i : i + BATCH], year, user)
    _notify_enterprises(created)
    return created


@transaction.atomic
def _open_batch(matches: list[Match], year: int, user: Any) -> list[Case]:
    from .applications import latest_figures, prefill

    usccs = {m.enterprise_id for m in matches}
    taken = set(
        Case.objects.filter(year=year, enterprise_id__in=usccs).values_list(
            "enterprise_id", "policy_id"
        )
    )
    fresh: dict[tuple[str, int], Match] = {}
    for m in matches:
        fresh.setdefault((m.enterprise_id, m.policy_id), m)
    now = timezone.now()
    cases = []
    for key, m in fresh.items():
        if key in taken:
            continue
        mode = Mode.AUTOMATIC if m.policy.automatic_grant_allowed else Mode.APPLICATION
        cases.append(
            Case(
                enterprise_id=m.enterprise_id,
                policy=m.policy,
                year=year,
                state=workflow.first_state(mode),
                match=m,
                eligible_at=now,
                award_computed=m.award,
            )
        )
    drafts = [c for c in cases if c.state == State.DRAFT]  # 申报: the registry fills the form
    figures = latest_figures({c.enterprise_id for c in drafts})
    firms = Enterprise.objects.in_bulk({c.enterprise_id for c in drafts})
    for case in drafts:
        case.enterprise = firms[case.enterprise_id]
        case.application = prefill(case, figures)
    try:
        with transaction.atomic():
            Case.objects.bulk_create(cases)
    except IntegrityError:  # opened meanwhile by another run: leave those to it
        cases = [c for c in cases if _open_one(c)]
    audit_many(
        user,
        "open",
        [(c, c.state, {"match": c.match_id, "award": str(c.award_computed)}) for c in cases],
    )
    return cases


def _open_one(case: Case) -> bool:
    try:
        with transaction.atomic():
            case.save(force_insert=True)
    except IntegrityError:
        return False
    return True


def audit_many(user: Any, action: str, items: list[tuple[Any, str, dict[str, Any]]]) -> None:
    """``audit`` for many objects at once: one lock, one insert, the same hash chain."""
    if not items:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(7514)")
    previous = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    previous = previous or GENESIS
    events = []
    for obj, to_state, data in items:
        event = AuditEvent(
            actor=_actor(user),
            action=action,
            object_type=type(obj).__name__.lower(),
            object_id=str(obj.pk),
            to_state=to_state,
            data=data,
            prev_hash=previous,
        )
        event.hash = previous = event.digest()
        events.append(event)
    AuditEvent.objects.bulk_create(events, batch_size=1000)


def _notify_enterprises(cases: list[Case]) -> None:
    """An in-app notice for each user of the enterprise, and an e-mail when they have one."""
    users: dict[str, list[Any]] = {}
    profiles = Profile.objects.filter(enterprise_id__in={c.enterprise_id for c in cases})
    for profile in profiles.select_related("user"):
        users.setdefault(str(profile.enterprise_id), []).append(profile.user)
    notices = []
    for case in cases:
        award = f"，预计 {format_yuan(case.award_computed)}" if case.award_computed else ""
        action = (
            "请确认享受意向和收款账户" if case.state == State.ELIGIBLE else "请核对预填的申报材料"
        )
        text = f"您符合「{case.policy.title}」{award}：{action}。"
        for user in users.get(case.enterprise_id, []):
            notices.append(Notice(user=user, text=text, link=f"/policies/cases/{case.pk}/"))
            if user.email:
                send_mail("政策找企业：新的匹配政策", text, None, [user.email], fail_silently=True)
    Notice.objects.bulk_create(notices, batch_size=1000)


# --- parameter changes ------------------------------------------------------------------


def propose_parameter(
    policy: Policy, name: str, effective_from: dt.date, value: str, reason: str, user: Any
) -> ParameterChange:
    if not _is_bureau(user):
        raise PermissionDenied(
            "只有局内人员可以修改参数", "only bureau staff may change parameters"
        )
    if not reason.strip():
        raise ValidationError("修改参数须说明理由", "a parameter change needs a reason")
    from .sandbox import check_parameter

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
        if access.role_of(user) != Role.ADMIN:
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
