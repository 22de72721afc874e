"""A listed enterprise is never paid: approval and each payment run check the credit
register as of that moment and hold the case with the listing as its reason (issue 11)."""

import datetime as dt
from decimal import Decimal

import pytest

from lianzhang.enterprises.models import CreditListing
from lianzhang.policies import services
from lianzhang.policies.models import AuditEvent, Case, PaymentOrder

from .conftest import make_matches, make_policy

pytestmark = pytest.mark.django_db


def _list(enterprise, kind="serious_dishonest", day=dt.date(2026, 1, 5)):
    return CreditListing.objects.create(
        uscc=enterprise.pk, kind=kind, listed_on=day, source="信用中国", reference="失信〔2026〕9号"
    )


def _confirmed(policy, enterprise, people):
    [match] = make_matches(policy, [enterprise], ["200000"])
    [case] = services.open_cases([match], 2026)
    return services.confirm(case.pk, people["firm"], "6222020202020202")


def test_approval_of_a_listed_firm_becomes_a_hold_with_the_listing_as_reason(city, people):
    policy = make_policy("city.award", "automatic")
    case = _confirmed(policy, city[0], people)
    _list(city[0])
    case = services.approve(case.pk, people["analyst"], "符合条件")
    assert case.state == "held"
    event = AuditEvent.objects.filter(action="hold").get()
    assert "信用中国" in event.reason and "失信〔2026〕9号" in event.reason
    assert event.data["credit_check"] == "listed"
    # held money is not committed: the budget allocates nothing, no payment run orders it
    assert services.allocate(policy, 2026, people["analyst"]).granted == Decimal(0)
    run = services.create_payment_run(policy, 2026, people["analyst"])
    assert services.execute_payment_run(run, people["analyst"]) == 0
    assert PaymentOrder.objects.count() == 0


def test_a_clear_approval_records_the_check(city, people):
    policy = make_policy("city.award", "automatic")
    case = _confirmed(policy, city[0], people)
    _list(city[1])  # another firm
    _list(city[0], kind="administrative_penalty")  # recorded, blocks nothing by itself
    assert services.approve(case.pk, people["analyst"]).state == "approved"
    assert AuditEvent.objects.get(action="approve").data["credit_check"] == "clear"


def test_listed_after_approval_is_held_by_the_payment_run_and_others_are_paid(city, people):
    policy = make_policy("city.award", "automatic")
    first = _confirmed(policy, city[0], people)
    [match] = make_matches(policy, [city[2]], ["100000"])
    [second] = services.open_cases([match], 2026)
    services.approve(first.pk, people["analyst"])
    services.allocate(policy, 2026, people["analyst"])
    _list(city[0], kind="major_incident", day=dt.date(2025, 11, 1))  # found after approval
    run = services.create_payment_run(policy, 2026, people["analyst"])
    assert services.execute_payment_run(run, people["analyst"]) == 0
    assert Case.objects.get(pk=first.pk).state == "held"
    assert PaymentOrder.objects.count() == 0
    assert Case.objects.get(pk=second.pk).state == "eligible"  # unconfirmed: untouched
    assert services.reconcile(policy, 2026).problems == []


def test_a_release_sends_the_case_back_to_review_and_approval_checks_again(city, people):
    policy = make_policy("city.award", "automatic")
    case = _confirmed(policy, city[0], people)
    listing = _list(city[0])
    services.approve(case.pk, people["analyst"])
    with pytest.raises(Exception, match="理由"):
        services.release(case.pk, people["analyst"], " ")
    case = services.release(case.pk, people["analyst"], "已核实为同名企业误列")
    assert case.state == "submitted"
    services.assign(case.pk, people["analyst"], people["reviewer"])
    services.declare(case.pk, people["reviewer"], conflict=False)
    # still listed: the decision is a hold again
    assert services.decide(case.pk, people["reviewer"], "approve", "ok").state == "held"
    listing.removed_on = dt.date(2026, 2, 1)
    listing.save()
    services.release(case.pk, people["analyst"], "已移出名单")
    services.assign(case.pk, people["analyst"], people["reviewer"])
    assert services.decide(case.pk, people["reviewer"], "approve", "ok").state == "approved"
    assert services.verify_audit_chain() == []


def test_the_case_page_says_why_it_is_held_and_lets_the_bureau_lift_it(city, people, client):
    from django.urls import reverse

    policy = make_policy("city.award", "automatic")
    case = _confirmed(policy, city[0], people)
    _list(city[0])
    client.force_login(people["analyst"])
    url = reverse("policies:case", args=[case.pk])
    act = reverse("policies:case-act", args=[case.pk])
    answer = client.post(act, {"action": "approve", "reason": "ok"}, follow=True)
    text = answer.content.decode()
    assert "未予批准：信用名单中列有该企业" in text and "暂缓：重新核查前不予兑付" in text
    assert "失信〔2026〕9号" in text and 'value="release"' in text
    client.post(act, {"action": "release", "reason": "误列"})
    assert Case.objects.get(pk=case.pk).state == "submitted"
    assert "暂缓：重新核查前不予兑付" not in client.get(url).content.decode()
