"""A generated year of delivery on the demo city: the ledger reconciles to the cent.

The demo city is generated and imported, matched, and a seeded year of activity follows:
enterprises confirm or decline, the bureau approves or rejects, budgets are cut below
demand (ranking and pro rata) and raised mid-year, monthly payment runs are sometimes
interrupted and resumed, the bank pays or returns orders, returned ones are ordered again.
The test keeps its own books of what the bank paid and returned and compares them with
the platform's ledger, to the fen.
"""

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db.models import F

from lianzhang.accounts.services import create_user
from lianzhang.demo.loader import create_demo_users
from lianzhang.demo.loader import load_demo as load_registry
from lianzhang.policies import matching, services
from lianzhang.policies.models import Budget, Case, PaymentOrder, PaymentRun, Policy

pytestmark = pytest.mark.django_db
YEAR = 2026


class Crash(Exception):
    """A payment run dying halfway (the process killed, the network gone)."""


def users_for(cases):
    out = {}
    for uscc in {c.enterprise_id for c in cases}:
        out[uscc] = create_user(f"e{uscc.lower()}", "pw-year-1", "enterprise", uscc=uscc)
    return out


def squeeze_budgets(admin, rng):
    """Budgets at 40–90% of the formula demand, half of the policies pro rata."""
    for i, policy in enumerate(Policy.objects.filter(cases__isnull=False).distinct()):
        demand = sum((c.award_computed or Decimal(0) for c in policy.cases.all()), Decimal(0))
        if not demand:
            continue
        share = Decimal(rng.randint(40, 90)) / 100
        services.set_budget(policy, YEAR, (demand * share).quantize(Decimal("1")), admin, "压缩")
        rule = "pro_rata" if i % 2 else "ranking"
        services.set_money_rules(policy, rule, policy.no_stack_with, admin, "测试")


def month(rng, admin, firms, books, crashes):
    for case in Case.objects.filter(state="eligible"):
        roll = rng.random()
        if roll < 0.35:
            services.confirm(
                case.pk, firms[case.enterprise_id], f"6222{rng.randrange(10**12):012d}"
            )
        elif roll < 0.38:
            services.decline(case.pk, firms[case.enterprise_id], "不需要")
    for case in Case.objects.filter(state="confirmed"):
        roll = rng.random()
        if roll < 0.6:
            services.approve(case.pk, admin, "符合")
        elif roll < 0.65:
            services.reject(case.pk, admin, "数据有误")
    for policy in Policy.objects.filter(
        cases__state__in=["approved", "payment_returned"]
    ).distinct():
        if Budget.objects.filter(policy=policy, year=YEAR).exists():
            services.allocate(policy, YEAR, admin)
        run = services.create_payment_run(policy, YEAR, admin)
        if rng.random() < 0.3:  # dies after a few orders, then resumed
            stop = rng.randint(1, 3)
            seen = []

            def progress(case, seen=seen, stop=stop):
                seen.append(case.pk)
                if len(seen) == stop:
                    raise Crash

            try:
                services.execute_payment_run(run, admin, progress)
            except Crash:
                crashes.append(run.pk)
        services.execute_payment_run(run, admin)
    for order in PaymentOrder.objects.filter(status="ordered"):
        roll = rng.random()
        if roll < 0.85:
            services.settle(order.pk, admin, paid=True, note="回单")
            books["paid"][order.case.policy_id] += order.amount
        elif roll < 0.95:
            services.settle(order.pk, admin, paid=False, note="账户错误")
            books["returned"][order.case.policy_id] += order.amount
            Case.objects.filter(pk=order.case_id).update(bank_account="6222000011112222")


def test_a_year_of_activity_reconciles_to_the_fen():
    load_registry(seed=5, enterprises=300, echo=lambda line: None)
    create_demo_users()
    admin = create_user("year-admin", "pw-year-1", "admin")
    rng = random.Random(2026)
    matching.sync_library(year=YEAR)
    run = matching.run_match(dt.date(YEAR, 6, 30), admin)
    opened = services.open_cases(run.matches.filter(verdict="eligible"), YEAR)
    assert len(opened) > 100
    firms = users_for(opened)
    squeeze_budgets(admin, rng)
    books = {"paid": defaultdict(Decimal), "returned": defaultdict(Decimal)}
    crashes = []
    for m in range(12):
        if m == 6:  # mid-year: one budget raised
            budget = Budget.objects.filter(year=YEAR).order_by("policy__code").first()
            services.set_budget(budget.policy, YEAR, budget.amount * 2, admin, "年中追加预算")
        month(rng, admin, firms, books, crashes)

    assert crashes, "the seed should interrupt at least one payment run"
    assert PaymentRun.objects.filter(finished_at__isnull=True).count() == 0  # all resumed
    paid_total = Decimal(0)
    for policy in Policy.objects.filter(cases__isnull=False).distinct():
        ledger = services.reconcile(policy, YEAR)
        assert ledger.problems == [], (policy.code, ledger.problems)
        assert ledger.paid == books["paid"][policy.pk], policy.code
        assert ledger.returned == books["returned"][policy.pk], policy.code
        if ledger.budget:
            assert ledger.granted <= ledger.budget
        paid_total += ledger.paid
    assert paid_total > 0
    for order in PaymentOrder.objects.all():
        assert order.amount == order.amount.quantize(Decimal("0.01"))
    # nobody paid twice for the same item; every paid case paid exactly its grant
    for case in Case.objects.filter(state="paid"):
        paid = list(case.payments.filter(status="paid"))
        assert len(paid) == 1 and paid[0].amount == case.award_granted
    assert not Case.objects.exclude(state="paid").filter(payments__status="paid").exists()
    # the budget was short: pro rata paid part of the formula, ranking left some with nothing
    assert Case.objects.filter(award_granted__gt=0, award_granted__lt=F("award_computed")).exists()
    assert Case.objects.filter(state="approved", award_granted=0).exists()
    states = set(Case.objects.values_list("state", flat=True))
    assert {"paid", "declined", "rejected"} <= states
    assert services.verify_audit_chain() == []
