"""A model-based test of the money (issue 11): for any sequence of match runs over several
years, confirmations, approvals, credit listings and removals, 公示 lists, objections and
their answers, payment runs (some of them crashing half-way and run again), bank answers
and clawbacks, with the yearly award's cost shared between the city and the districts,

- no entitlement is paid twice: a one-off award at most once per enterprise and grant, a
  yearly award at most once per enterprise and year, no case paid more than it was granted;
- no enterprise listed in the credit register at the moment of a payment run is ordered
  money by it, and no case of a policy with 公示 is ordered before its list ended with no
  open or upheld objection;
- the ledger of every policy and year reconciles to the fen, and so does each funding
  source's: the sources add up to the policy-year's totals, none over its budget.

Hypothesis drives the platform's own services on the real database; each example starts
with new enterprises and policies (the audit trail, append-only, is never cleaned).
"""

import contextlib
import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db.models import Count, Q
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from lianzhang.accounts.services import create_user
from lianzhang.core.errors import ValidationError
from lianzhang.core.uscc import make
from lianzhang.enterprises.models import CreditListing, Enterprise, Honour
from lianzhang.policies import services
from lianzhang.policies.models import (
    Budget,
    Case,
    Match,
    MatchRun,
    Objection,
    PaymentOrder,
    Policy,
    Publicity,
)

pytestmark = pytest.mark.django_db

YEARS = (2026, 2027, 2028)
FIRMS = 3
_serial = itertools.count(1)
SHARES = {
    "city": "1/3",
    "district": "2/3",
    "by_district": {"武侯区": {"city": "1", "district": "0"}},
}


class Crash(Exception):
    """A power cut in the middle of a payment run."""


class Money(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        n = next(_serial)
        self.firms = []
        self.users = []
        for i in range(FIRMS):
            uscc = make(f"91510100MA7{n:03d}{i:03d}")
            firm = Enterprise.objects.create(
                uscc=uscc, name=f"机测{n}-{i}有限公司", district=("成都高新区", "武侯区")[i % 2]
            )
            Honour.objects.create(
                enterprise=firm, title="little_giant", granted_on=dt.date(2025, 7, 1)
            )
            self.firms.append(firm)
            self.users.append(create_user(f"m{n}-{i}", "pw-123456", "enterprise", uscc=uscc))
        self.analyst = create_user(f"a{n}", "pw-123456", "analyst")
        self.one_off = self._policy(f"m{n}.giant", "title_grant:little_giant")
        self.yearly = self._policy(f"m{n}.yearly", "")
        self.yearly.publicity_days = 2  # paid only after 公示
        self.yearly.save()
        services.set_cost_shares(self.yearly, SHARES, self.analyst, "市区分担")
        for year in YEARS:  # the city's half of the yearly award holds less than its demand
            services.set_source_budget(
                self.yearly, year, "city", Decimal("400000"), self.analyst, "市级资金"
            )
        self.policies = [self.one_off, self.yearly]
        #: orders a payment run made for an enterprise listed at that moment (must stay empty)
        self.ordered_while_listed: list[int] = []
        #: orders made for a case whose 公示 had not ended cleanly (must stay empty)
        self.ordered_before_clean_list: list[int] = []

    def _policy(self, code: str, once_per: str) -> Policy:
        policy = Policy.objects.create(
            code=code, title=code, mode="automatic", source="id: " + code, once_per=once_per
        )
        for year in YEARS:
            Budget.objects.create(policy=policy, year=year, amount=Decimal("1000000"))
        return policy

    @rule(year=st.sampled_from(YEARS), firms=st.sets(st.integers(0, FIRMS - 1), min_size=1))
    def match_run(self, year: int, firms: set[int]) -> None:
        run = MatchRun.objects.create(as_of=dt.date(year, 6, 30))
        matches = [
            Match.objects.create(
                run=run,
                enterprise=self.firms[i],
                policy=p,
                verdict="eligible",
                award=Decimal("300000.10"),
            )
            for i in sorted(firms)
            for p in self.policies
        ]
        services.open_cases(matches, year)

    @initialize()
    def a_first_year(self) -> None:
        """Start where money is about to move: every firm eligible and approved in 2026."""
        self.match_run(2026, set(range(FIRMS)))
        self.advance()

    @rule()
    def advance(self) -> None:
        """The enterprises confirm, the bureau approves and allocates every year's budget."""
        for case in Case.objects.filter(enterprise__in=self.firms, state="eligible"):
            i = self.firms.index(case.enterprise)
            services.confirm(case.pk, self.users[i], "6222020202020202")
        for case in Case.objects.filter(enterprise__in=self.firms, state="confirmed"):
            services.approve(case.pk, self.analyst, "符合")
        for policy in self.policies:
            for year in YEARS:
                services.allocate(policy, year, self.analyst)

    @rule(i=st.integers(0, FIRMS - 1), listed=st.booleans())
    def credit(self, i: int, listed: bool) -> None:
        firm = self.firms[i]
        if listed:
            CreditListing.objects.get_or_create(
                uscc=firm.pk, kind="serious_dishonest", listed_on=dt.date(2026, 1, 1), source="机测"
            )
        else:
            CreditListing.objects.filter(uscc=firm.pk).update(removed_on=dt.date(2026, 1, 2))

    @rule(year=st.sampled_from(YEARS), ended=st.booleans())
    def publicize(self, year: int, ended: bool) -> None:
        start = dt.date(2026, 6, 1) if ended else None  # a list long over, or one from today
        with contextlib.suppress(ValidationError):  # nothing approved to publish
            services.publicize(self.yearly, year, self.analyst, starts_on=start)

    @rule(i=st.integers(0, FIRMS - 1))
    def object_to(self, i: int) -> None:
        for listed in Publicity.objects.filter(policy=self.yearly, cases__enterprise=self.firms[i]):
            case = listed.cases.filter(enterprise=self.firms[i]).first()
            with contextlib.suppress(ValidationError):  # the list has ended
                services.file_objection(listed.pk, case.pk, "机测", "138", "异议")

    @rule(upheld=st.booleans())
    def resolve(self, upheld: bool) -> None:
        for objection in Objection.objects.filter(case__policy=self.yearly, resolved_at=None):
            services.resolve_objection(objection.pk, self.analyst, upheld, "核实")

    @rule(year=st.sampled_from(YEARS), crash_after=st.none() | st.integers(1, 3))
    def pay(self, year: int, crash_after: int | None) -> None:
        listed = {
            e.uscc
            for e in CreditListing.objects.filter(uscc__in=[f.pk for f in self.firms])
            if e.removed_on is None
        }
        before = set(PaymentOrder.objects.values_list("pk", flat=True))
        seen: list[int] = []

        def progress(case: Case) -> None:
            seen.append(case.pk)
            if crash_after is not None and len(seen) == crash_after:
                raise Crash

        for policy in self.policies:
            run = services.open_payment_run(policy, year, self.analyst)
            with contextlib.suppress(Crash):
                services.execute_payment_run(run, self.analyst, progress=progress)
        new = PaymentOrder.objects.exclude(pk__in=before).select_related("case")
        self.ordered_while_listed += [o.pk for o in new if o.case.enterprise_id in listed]
        for order in new:
            case = order.case
            latest = case.publicities.order_by("-ends_on").first()
            objections = case.objections.filter(publicity=latest)
            clean = latest is not None and latest.ends_on < timezone.localdate()
            clean = clean and not objections.filter(Q(resolved_at=None) | Q(upheld=True)).exists()
            if case.policy_id == self.yearly.pk and not clean:
                self.ordered_before_clean_list.append(order.pk)

    @rule(paid=st.booleans())
    def bank(self, paid: bool) -> None:
        for order in PaymentOrder.objects.filter(
            case__enterprise__in=self.firms, status=PaymentOrder.Status.ORDERED
        ):
            services.settle(order.pk, self.analyst, paid=paid, note="回单" if paid else "退回")

    @rule(i=st.integers(0, FIRMS - 1))
    def claw_back(self, i: int) -> None:
        for case in Case.objects.filter(enterprise=self.firms[i], state="paid")[:1]:
            services.revoke(case.pk, self.analyst, "数据不实")

    @invariant()
    def paid_once(self) -> None:
        paid = Q(payments__status="paid")
        cases = Case.objects.filter(enterprise__in=self.firms).annotate(
            n=Count("payments", filter=paid)
        )
        assert all(c.n <= 1 for c in cases)
        one_off = cases.filter(policy=self.one_off, n=1)
        assert one_off.count() == one_off.values("enterprise", "trigger_key").distinct().count()
        assert one_off.values("enterprise").distinct().count() == one_off.count()  # one grant
        yearly = cases.filter(policy=self.yearly, n=1)
        assert yearly.count() == yearly.values("enterprise", "year").distinct().count()

    @invariant()
    def nobody_listed_is_ordered_money(self) -> None:
        assert self.ordered_while_listed == []

    @invariant()
    def nothing_is_ordered_before_its_list_ended_cleanly(self) -> None:
        assert self.ordered_before_clean_list == []

    @invariant()
    def ledgers_reconcile(self) -> None:
        for policy in self.policies:
            for year in YEARS:
                ledger = services.reconcile(policy, year)
                assert ledger.problems == []
                lines = services.source_ledger(policy, year)
                assert [p for line in lines for p in line.problems] == []
                assert sum(line.paid for line in lines) == ledger.paid
                assert sum(line.ordered for line in lines) == ledger.ordered
                assert sum(line.granted for line in lines) == ledger.granted


def test_no_entitlement_is_paid_twice_no_listed_firm_is_paid_and_ledgers_reconcile(db):
    run_state_machine_as_test(
        Money,
        settings=settings(
            max_examples=60,
            stateful_step_count=20,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
