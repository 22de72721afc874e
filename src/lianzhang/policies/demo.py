"""Delivery demo: the policy library, budgets, a match run and cases in every state.

Called by the demo loader after the registry is loaded. Idempotent: a second call finds
the cases and does nothing. Every step goes through the services, so the audit log of
the demo is as real as any other.

The enterprises have no logins of their own in the demo: for the few cases the demo moves
past the enterprise's own step, it creates that enterprise's account (an unknown random
password, nobody logs in with it). The ``qiye`` login keeps cases to act on itself.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count
from django.test.utils import override_settings
from django.utils import timezone

from lianzhang.accounts import access
from lianzhang.accounts.models import Profile, Role
from lianzhang.accounts.services import create_user
from lianzhang.appeals.models import Department, Handler
from lianzhang.enterprises.models import CreditListing

from . import matching, services
from .models import Case, MatchRun, Policy
from .workflow import Mode, State

#: How far the demo moves the n-th case of a policy (cycled); the rest stay where opened.
AUTOMATIC_PLAN = (
    "eligible",
    "confirmed",
    "approved",
    "paid",
    "ordered",
    "paid",
    "returned",
    "held",
)
APPLICATION_PLAN = (
    "draft",
    "submitted",
    "under_review",
    "correction",
    "paid",
    "rejected",
    "objection",
    "final_rejected",
    "approved",
)
PER_POLICY = 28  # cases moved per policy; the others wait (and fill 应享未享)
#: 专精特新 and 小巨人 awards are paid at the higher level only (就高不重复)
NO_STACK = {"local.example.specialized-award": ["local.example.little-giant-award"]}


def _bureau() -> tuple[Any, Any]:
    from lianzhang.demo.loader import create_demo_users

    create_demo_users()
    admin = access.first_of_role(Role.ADMIN) or access.first_admin()
    analyst = access.first_of_role(Role.ANALYST)
    if admin is None or analyst is None:
        raise RuntimeError("the demo needs an admin and an analyst login")
    return admin, analyst


def _enterprise_user(uscc: str) -> Any:
    found = access.enterprise_login(uscc)
    if found is not None:
        return found
    return _hidden_user(f"qy-{uscc.lower()}", Role.ENTERPRISE, uscc=uscc)


def _hidden_user(username: str, role: str, uscc: str = "") -> Any:
    # nobody logs in with it: a quick hash of a random secret, then no usable password
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        user = create_user(username, secrets.token_urlsafe(18), role, uscc=uscc)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


def _account(uscc: str) -> str:
    return "6222" + "".join(str(ord(c) % 10) for c in uscc)[:12]


def _automatic(case: Case, goal: str, admin: Any, analyst: Any) -> None:
    firm = _enterprise_user(case.enterprise_id)
    services.confirm(case.pk, firm, _account(case.enterprise_id))
    if goal == "held":  # listed after it was found eligible: the approval holds it
        CreditListing.objects.get_or_create(
            uscc=case.enterprise_id,
            kind=CreditListing.Kind.SERIOUS_DISHONEST,
            listed_on=timezone.localdate() - dt.timedelta(days=40),
            source="信用中国（演示）",
            defaults={"reference": "川信用〔演示〕1号"},
        )
    if goal != "confirmed":
        services.approve(case.pk, analyst, "数据比对符合条件（演示）")


def _application(case: Case, goal: str, admin: Any, analyst: Any) -> None:
    firm = _enterprise_user(case.enterprise_id)
    if goal == "draft":
        return
    services.save_application(
        case.pk,
        firm,
        {
            "contact": "张经理",
            "phone": "028-8888 0000",
            "statement": "数据属实",
            "bank_account": _account(case.enterprise_id),
        },
    )
    services.submit(case.pk, firm)
    if goal == "submitted":
        return
    services.assign(case.pk, admin, analyst)
    services.declare(case.pk, analyst, conflict=False, statement="与该企业无利害关系")
    if goal == "under_review":
        return
    if goal == "correction":
        services.decide(case.pk, analyst, "return", "请补充上年度审计报告")
        return
    if goal in ("rejected", "objection", "final_rejected"):
        services.decide(case.pk, analyst, "reject", "经核查，主营业务收入口径与审计报告不符")
        if goal != "rejected":
            services.object_to(case.pk, firm, "已按审计报告口径重新核算，请复核")
        if goal == "final_rejected":
            services.final_decision(case.pk, admin, False, "复核后维持原决定")
        return
    services.decide(case.pk, analyst, "approve", "材料齐全，符合条件（演示）")


MONEY_GOALS = ("paid", "ordered", "returned")


def _plan(cases: list[Case], own: str | None) -> list[tuple[Case, str]]:
    """The goal of each case the demo moves: the n-th case of a policy takes plan[n]."""
    by_policy: dict[int, list[Case]] = {}
    for case in cases:
        if case.enterprise_id != own:
            by_policy.setdefault(case.policy_id, []).append(case)
    out = []
    for group in by_policy.values():
        plan = AUTOMATIC_PLAN if group[0].state == State.ELIGIBLE else APPLICATION_PLAN
        for i, case in enumerate(group[:PER_POLICY]):
            goal = plan[i % len(plan)]
            if goal not in ("eligible", "draft"):
                out.append((case, goal))
    return out


def _move(plan: list[tuple[Case, str]], admin: Any, analyst: Any, money: bool) -> None:
    for case, goal in plan:
        if (goal in MONEY_GOALS) != money:
            continue
        target = "approved" if money else goal
        step = _automatic if case.state == State.ELIGIBLE else _application
        step(case, target, admin, analyst)


def _pay(plan: list[tuple[Case, str]], year: int, admin: Any) -> None:
    """Allocate and order every approved case, then record the bank's answers."""
    goals = {case.pk: goal for case, goal in plan if goal in MONEY_GOALS}
    for policy in Policy.objects.filter(cases__pk__in=list(goals), budgets__year=year).distinct():
        services.allocate(policy, year, admin)
        services.execute_payment_run(services.create_payment_run(policy, year, admin), admin)
    for case in Case.objects.filter(pk__in=list(goals), state=State.ORDERED):
        order = case.payments.get(status="ordered")
        if goals[case.pk] == "paid":
            services.settle(order.pk, admin, paid=True, note="银行回单（演示）")
        elif goals[case.pk] == "returned":
            services.settle(order.pk, admin, paid=False, note="账户已销户（演示）")


def _own_case(own: str | None, admin: Any, analyst: Any) -> None:
    """The qiye login: its first money case left to confirm itself, a second one paid."""
    if own is None:
        return
    money = (
        Case.objects.filter(
            enterprise_id=own,
            policy__mode=Mode.AUTOMATIC,
            state=State.ELIGIBLE,
            award_computed__gt=0,
        )
        .select_related("policy")
        .order_by("policy__code")
    )
    if money.count() < 2:
        return
    first = money[1]
    _automatic(first, "approved", admin, analyst)
    services.allocate(first.policy, first.year, admin)
    run = services.create_payment_run(first.policy, first.year, admin)
    services.execute_payment_run(run, admin)
    order = first.payments.filter(status="ordered").first()
    if order is not None:
        services.settle(order.pk, admin, paid=True, note="银行回单（演示）")


def _applications(run: MatchRun, own: str | None) -> list[Case]:
    """申报 policies with money: some enterprises apply on their own initiative."""
    out = []
    for policy in Policy.objects.filter(mode=Mode.APPLICATION, budgets__isnull=False).distinct():
        if policy.automatic_grant_allowed:
            continue
        candidates = (
            run.matches.filter(policy=policy, verdict="undetermined")
            .exclude(enterprise_id=own or "")
            .order_by("enterprise_id")
            .values_list("enterprise_id", flat=True)[:PER_POLICY]
        )
        for uscc in candidates:
            out.append(services.start_application(_enterprise_user(uscc), uscc, policy))
    return out


def _publicity(year: int, admin: Any) -> None:
    """One policy publishes its approved cases (公示) and a citizen objects to one entry."""
    approved = Case.objects.filter(year=year, state=State.APPROVED, policy__budgets__year=year)
    first = approved.order_by("policy__code", "pk").select_related("policy").first()
    if first is None:
        return
    services.set_publicity_days(first.policy, 5, admin, "兑付前公示 5 个工作日（演示）")
    listed = services.publicize(first.policy, year, admin)
    services.file_objection(
        listed.pk, first.pk, "王先生", "028-6666 0000", "该企业去年已停产，请核实（演示）"
    )


#: 绩效评价 needs a paid year with annual data before and after it, and the demo city's
#: data end in 2025: one policy gets an earlier round, budget year 2024, paid in full. Its
#: cases come from the current match run (a demo shortcut: the real 2024 round would have
#: been matched on 2023 data).
PAST_POLICY = "local.example.rd-subsidy"
PAST_YEAR = 2024
PAST_CASES = 40


def _past_round(run: MatchRun, own: str | None, admin: Any, analyst: Any) -> None:
    policy = Policy.objects.filter(code=PAST_POLICY).first()
    if policy is None:
        return
    matches = (
        run.matches.filter(policy=policy, verdict="eligible")
        .exclude(enterprise_id=own or "")
        .select_related("policy")
        .order_by("enterprise_id")[:PAST_CASES]
    )
    for case in services.open_cases(list(matches), PAST_YEAR):
        _automatic(case, "approved", admin, analyst)
    budget = Decimal(50_000_000)
    services.set_budget(policy, PAST_YEAR, budget, admin, "往年预算（演示，供绩效评价）")
    services.allocate(policy, PAST_YEAR, admin)
    services.execute_payment_run(services.create_payment_run(policy, PAST_YEAR, admin), admin)
    for case in Case.objects.filter(policy=policy, year=PAST_YEAR, state=State.ORDERED):
        for order in case.payments.filter(status="ordered"):
            services.settle(order.pk, admin, paid=True, note="银行回单（演示）")


#: 联审 departments of the demo: code, name, fields checked, what to check, demo login
JOINT_DEPARTMENTS: tuple[tuple[str, str, list[str], str, str], ...] = (
    ("jr-tax", "市税务局", ["tax_paid", "revenue"], "纳税情况与营业收入", "shuiwu"),
    ("jr-market", "市市场监督管理局", [], "登记状态与经营异常名录", "jr-market-reviewer"),
)
#: 市区分担 of the demo's first policy with money: half each, 高新区 pays 70%
DEMO_SHARES = {
    "city": "1/2",
    "district": "1/2",
    "by_district": {"成都高新区": {"city": "3/10", "district": "7/10"}},
}


def _cost_shares(year: int, admin: Any) -> None:
    """One policy shares its cost with the districts; the city holds a budget of its own."""
    busiest = (
        Case.objects.filter(
            year=year, policy__mode=Mode.AUTOMATIC, policy__budgets__year=year, award_computed__gt=0
        )
        .values("policy")
        .annotate(n=Count("pk"))
        .order_by("-n", "policy")
        .first()
    )
    if busiest is None:
        return
    policy = Policy.objects.get(pk=busiest["policy"])
    services.set_cost_shares(policy, DEMO_SHARES, admin, "市区按比例分担（演示）")
    total = policy.budgets.get(year=year).amount
    services.set_source_budget(policy, year, "city", total, admin, "市级资金（演示）")


def _joint_review(year: int, admin: Any, analyst: Any) -> None:
    """One automatic policy asks two departments to sign off: one case passes both and is
    approved, one is refused by 市场监管 with its reason, the rest wait on the tasks."""
    reviewers = {}
    for code, name, _fields, _note, login in JOINT_DEPARTMENTS:
        department, _ = Department.objects.get_or_create(
            code=code, defaults={"name": name, "level": "city"}
        )
        user = User.objects.filter(username=login).first() or _hidden_user(login, Role.DEPARTMENT)
        Handler.objects.get_or_create(user=user, defaults={"department": department})
        reviewers[code] = user
    waiting = Case.objects.filter(year=year, state=State.CONFIRMED, policy__mode=Mode.AUTOMATIC)
    first = waiting.order_by("policy__code", "pk").select_related("policy").first()
    if first is None:
        return
    wanted = [{"department": c, "fields": f, "note": n} for c, _, f, n, _ in JOINT_DEPARTMENTS]
    services.set_joint_review(first.policy, wanted, 5, admin, "奖补须税务、市场监管联审（演示）")
    cases = list(waiting.filter(policy=first.policy).order_by("pk"))
    if len(cases) >= 2:
        for task in cases[0].review_tasks.all():
            services.decide_task(task.pk, reviewers[task.department.code], True, "核对无误")
        services.approve(cases[0].pk, analyst, "联审通过，数据比对符合条件（演示）")
        market = cases[1].review_tasks.get(department__code="jr-market")
        services.decide_task(
            market.pk, reviewers["jr-market"], False, "该企业在经营异常名录中，尚未移出（演示）"
        )


def _clawback(year: int, admin: Any, own: str | None) -> None:
    """One paid award is found to rest on false data: revoked, and half of it is back."""
    paid = Case.objects.filter(year=year, state=State.PAID, policy__mode=Mode.AUTOMATIC).exclude(
        enterprise_id=own or ""
    )
    case = paid.order_by("-policy__code", "pk").first()
    if case is None:
        return
    recovery = services.revoke(case.pk, admin, "核查发现申报的研发费用与税务数据不符（演示）")
    services.record_recovery(recovery.pk, (recovery.amount / 2).quantize(Decimal("0.01")), admin)


def load_demo(echo: Callable[[str], None] = print) -> str:
    """Library, budgets, match, cases in every state; returns a one-line summary."""
    if Case.objects.exists():
        n = Case.objects.count()
        return f"政策兑现演示已存在（{n} 个事项），跳过 / delivery demo already loaded ({n} cases)"
    admin, analyst = _bureau()
    today = timezone.localdate()
    echo("同步政策库 / syncing the policy library")
    matching.sync_library(year=today.year)
    for code, others in NO_STACK.items():
        policy = Policy.objects.filter(code=code).first()
        if policy is not None and Policy.objects.filter(code__in=others).count() == len(others):
            services.set_money_rules(policy, policy.allocation, others, admin, "就高不重复（演示）")
    echo("匹配全部政策 / running a match of the whole library")
    run = MatchRun.objects.filter(finished_at__isnull=False).first() or matching.run_match(
        today, admin
    )
    eligible = run.matches.filter(verdict="eligible").select_related("policy")
    opened = services.open_cases(eligible.order_by("policy__code", "enterprise_id"), today.year)
    own = Profile.objects.filter(user__username="qiye").values_list("enterprise_id", flat=True)
    own_uscc = own.first()
    opened += _applications(run, own_uscc)
    echo(f"推进 {len(opened)} 个事项 / moving cases along both delivery paths")
    _past_round(run, own_uscc, admin, analyst)  # first: the current year's moves come after
    plan = _plan(opened, own_uscc)
    _cost_shares(today.year, admin)
    _move(plan, admin, analyst, money=True)
    _pay(plan, today.year, admin)
    _own_case(own_uscc, admin, analyst)
    _move(plan, admin, analyst, money=False)  # after the payment runs: stays approved
    _publicity(today.year, admin)
    _joint_review(today.year, admin, analyst)
    _clawback(today.year, admin, own_uscc)
    paid = sum(
        (c.award_granted or Decimal(0) for c in Case.objects.filter(state=State.PAID)),
        Decimal(0),
    )
    return (
        f"政策兑现：{Policy.objects.count()} 项政策，匹配 {run.eligible} 条符合，"
        f"{len(opened)} 个事项，已支付 {paid} 元 / delivery: {len(opened)} cases, {paid} yuan paid"
    )
