"""市区分担 (cost sharing per funding source, exact to the fen) and 追回 (clawback of a paid
case with a recovery booked as a negative ledger entry) (issue 11)."""

from decimal import Decimal
from fractions import Fraction

import pytest
from click.testing import CliRunner
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from lianzhang.cli.main import cli
from lianzhang.core.errors import Conflict, ValidationError
from lianzhang.enterprises.models import CreditListing
from lianzhang.policies import services
from lianzhang.policies.models import Case, PaymentOrder
from lianzhang.policies.services import InvalidTransition
from lianzhang.policies.services.funding import check_cost_shares, split

from .conftest import make_matches, make_policy

pytestmark = pytest.mark.django_db

HALF = {
    "city": "1/2",
    "district": "1/2",
    "by_district": {"成都高新区": {"city": "0.3", "district": "0.7"}},
}


@given(
    fen=st.integers(min_value=0, max_value=10**12),
    city=st.fractions(min_value=0, max_value=1, max_denominator=1000),
)
def test_a_split_adds_up_to_the_fen_and_never_favours_the_district(fen, city):
    amount = Decimal(fen) / 100
    parts = split(amount, {"city": city, "district:x": 1 - city})
    assert sum(parts.values()) == amount
    assert all(v >= 0 for v in parts.values())
    district = parts.get("district:x", Decimal(0))
    assert district == Decimal(int(Fraction(fen) * (1 - city))) / 100  # rounded down


def test_sharing_rules_must_add_up():
    assert check_cost_shares(HALF)["by_district"]["成都高新区"]["district"] == "0.7"
    assert check_cost_shares({"city": "1", "district": "0"})["city"] == "1"
    for bad in (
        {"city": "1/2", "district": "1/3"},
        {"city": "2", "district": "-1"},
        {"city": "x", "district": "1"},
        {"city": "1/2", "district": "1/2", "by_district": {"武侯区": {"city": "0.6"}}},
        {"city": "1/2", "province": "1/2"},
    ):
        with pytest.raises(ValidationError):
            check_cost_shares(bad)


def _pay(policy, firms, people, awards):
    matches = make_matches(policy, firms, awards)
    cases = services.open_cases(matches, 2026)
    users = {firms[0].pk: people["firm"], firms[1].pk: people["other_firm"]}
    for case in cases:
        services.confirm(case.pk, users[case.enterprise_id], "6222020202020202")
        services.approve(case.pk, people["analyst"])
    services.allocate(policy, 2026, people["analyst"])
    services.execute_payment_run(
        services.create_payment_run(policy, 2026, people["admin"]), people["admin"]
    )
    for order in PaymentOrder.objects.filter(status="ordered"):
        services.settle(order.pk, people["admin"], paid=True)
    return [Case.objects.get(pk=c.pk) for c in cases]


def test_the_ledger_per_source_adds_up_and_orders_keep_their_split(city, people):
    policy = make_policy("city.award", "automatic")
    services.set_cost_shares(policy, HALF, people["admin"], "市区分担")
    # city[0] is in 成都高新区 (30/70), city[1] in 武侯区 (50/50)
    _pay(policy, [city[0], city[1]], people, ["100000.01", "50000.01"])
    lines = {line.source: line for line in services.source_ledger(policy, 2026)}
    assert lines["city"].paid == Decimal("30000.01") + Decimal("25000.01")
    assert lines["district:成都高新区"].paid == Decimal("70000.00")
    assert lines["district:武侯区"].paid == Decimal("25000.00")
    total = services.reconcile(policy, 2026).paid
    assert sum(line.paid for line in lines.values()) == total == Decimal("150000.02")
    services.set_cost_shares(policy, {}, people["admin"], "改为市级全额")  # later change
    again = {line.source: line.paid for line in services.source_ledger(policy, 2026)}
    assert again == {source: line.paid for source, line in lines.items()}


def test_a_source_budget_limits_allocation(city, people):
    policy = make_policy("city.award", "automatic", budget="1000000")
    services.set_cost_shares(policy, {"city": "1/2", "district": "1/2"}, people["admin"], "分担")
    services.set_source_budget(
        policy, 2026, "district:武侯区", Decimal("30000"), people["admin"], "区级资金"
    )
    matches = make_matches(policy, [city[0], city[1]], ["100000", "100000"])
    cases = services.open_cases(matches, 2026)
    for case, user in zip(cases, [people["firm"], people["other_firm"]], strict=True):
        services.confirm(case.pk, user, "6222020202020202")
        services.approve(case.pk, people["analyst"])
    services.allocate(policy, 2026, people["analyst"])
    granted = {c.enterprise_id: c.award_granted for c in Case.objects.all()}
    assert granted[city[0].pk] == Decimal("100000")  # 高新区 holds no budget of its own
    assert granted[city[1].pk] == Decimal("0")  # 武侯区's half (50,000) exceeds its 30,000
    with pytest.raises(ValidationError):
        services.set_source_budget(policy, 2026, "province", Decimal("1"), people["admin"], "x")


def test_clawback_books_a_negative_entry_and_holds_the_next_automatic_grant(city, people):
    policy = make_policy("city.award", "automatic")
    [case, _other] = _pay(policy, [city[0], city[1]], people, ["80000", "20000"])
    with pytest.raises(ValidationError):
        services.revoke(case.pk, people["admin"], "  ")
    recovery = services.revoke(case.pk, people["admin"], "研发费用数据不实")
    case.refresh_from_db()
    assert case.state == "revoked" and recovery.amount == Decimal("80000")
    ledger = services.reconcile(policy, 2026)
    assert ledger.problems == [] and ledger.revoked == Decimal("80000") and ledger.recovered == 0
    with pytest.raises(InvalidTransition):
        services.revoke(case.pk, people["admin"], "again")  # revoked once
    services.record_recovery(recovery.pk, Decimal("30000"), people["admin"])
    with pytest.raises(Conflict):
        services.record_recovery(recovery.pk, Decimal("50000.01"), people["admin"])
    done = services.record_recovery(recovery.pk, Decimal("50000"), people["admin"])
    assert done.closed_at is not None and services.reconcile(policy, 2026).recovered == Decimal(
        "80000"
    )
    # flagged in the registry, and its next automatic approval waits for a reviewer
    client = Client()
    client.force_login(people["analyst"])
    page = client.get(f"/enterprises/{city[0].pk}/").content.decode()
    assert 'id="clawback-flag"' in page and "研发费用数据不实" in page
    assert 'id="clawback-flag"' not in client.get(f"/enterprises/{city[1].pk}/").content.decode()
    other = make_policy("city.other", "automatic")
    [match] = make_matches(other, [city[0]], ["1000"])
    [next_case] = services.open_cases([match], 2026)
    services.confirm(next_case.pk, people["firm"], "6222020202020202")
    held = services.approve(next_case.pk, people["analyst"])
    assert held.state == "held"


def test_listed_after_payment_is_proposed_within_the_window(city, people):
    policy = make_policy("city.award", "automatic")
    [case, _other] = _pay(policy, [city[0], city[1]], people, ["1000", "2000"])
    CreditListing.objects.create(
        uscc=city[0].pk,
        kind="serious_dishonest",
        listed_on=timezone.localdate(PaymentOrder.objects.get(case=case).settled_at),
        source="信用中国",
    )
    assert services.candidates(policy, 2026) == []  # no window set: nothing proposed
    policy.clawback_years = 2
    policy.save()
    assert [c.case.pk for c in services.candidates(policy, 2026)] == [case.pk]


def test_the_cli_claws_back(city, people, tmp_path):
    policy = make_policy("city.award", "automatic")
    [case, _] = _pay(policy, [city[0], city[1]], people, ["1000", "2000"])
    runner = CliRunner()
    result = runner.invoke(cli, ["delivery", "clawback", str(case.pk), "--why", "虚报数据"])
    assert result.exit_code == 0, result.output
    assert "1000" in result.output and Case.objects.get(pk=case.pk).state == "revoked"
    again = runner.invoke(cli, ["delivery", "clawback", str(case.pk), "--why", "x"])
    assert again.exit_code != 0
    missing = runner.invoke(cli, ["delivery", "clawback", "999999", "--why", "x"])
    assert missing.exit_code != 0 and "999999" in missing.output
