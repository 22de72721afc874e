from decimal import Decimal

import pytest
from django.db import connection

from lianzhang.accounts.services import create_user
from lianzhang.core.errors import PermissionDenied, ValidationError
from lianzhang.policies import services
from lianzhang.policies.models import AuditEvent, Case, Notice, PaymentOrder, Policy
from lianzhang.policies.services import InvalidTransition

from .conftest import make_matches, make_policy

pytestmark = pytest.mark.django_db


def test_automatic_path_from_eligibility_to_payment(city, people):
    policy = make_policy("city.rd-subsidy", "automatic")
    [match] = make_matches(policy, [city[0]], ["300000.00"])
    [case] = services.open_cases([match], 2026)
    assert case.state == "eligible" and case.award_computed == Decimal("300000.00")
    assert Notice.objects.filter(user=people["firm"]).count() == 1
    with pytest.raises(PermissionDenied):
        services.confirm(case.pk, people["other_firm"], "6222020202020202")
    with pytest.raises(ValidationError, match="银行账号"):
        services.confirm(case.pk, people["firm"], "abc")
    case = services.confirm(case.pk, people["firm"], "6222 0202 0202 0202")
    assert (case.state, case.bank_account) == ("confirmed", "6222020202020202")
    with pytest.raises(PermissionDenied):
        services.approve(case.pk, people["firm"])
    services.approve(case.pk, people["analyst"], "符合条件")
    assert services.allocate(policy, 2026, people["analyst"]).granted == Decimal("300000.00")
    run = services.create_payment_run(policy, 2026, people["analyst"])
    assert services.execute_payment_run(run, people["analyst"]) == 1
    order = PaymentOrder.objects.get()
    services.settle(order.pk, people["analyst"], paid=True, note="银行回单 001")
    case.refresh_from_db()
    assert case.state == "paid"
    ledger = services.reconcile(policy, 2026)
    assert (ledger.paid, ledger.problems) == (Decimal("300000.00"), [])
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions == ["open", "confirm", "approve", "allocate", "payment_run", "order", "settle"]
    assert services.verify_audit_chain() == []


def test_application_path_with_review_correction_and_objection(city, people):
    policy = make_policy("city.little-giant-award", "application")
    [match] = make_matches(policy, [city[0]], ["500000"])
    [case] = services.open_cases([match], 2026)
    assert case.state == "draft"
    services.submit(case.pk, people["firm"])
    services.assign(case.pk, people["admin"], people["reviewer"])
    with pytest.raises(PermissionDenied, match="利益冲突"):
        services.decide(case.pk, people["reviewer"], "approve", "ok")
    services.declare(case.pk, people["reviewer"], conflict=True, statement="曾任该企业顾问")
    case.refresh_from_db()
    assert (case.state, case.reviewer_id) == ("submitted", None)
    services.assign(case.pk, people["admin"], people["reviewer2"])
    with pytest.raises(PermissionDenied):
        services.decide(case.pk, people["reviewer"], "approve", "not mine")
    services.declare(case.pk, people["reviewer2"], conflict=False)
    with pytest.raises(ValidationError, match="理由"):
        services.decide(case.pk, people["reviewer2"], "return", " ")
    services.decide(case.pk, people["reviewer2"], "return", "缺少审计报告")
    services.submit(case.pk, people["firm"], "已补充审计报告")
    services.assign(case.pk, people["admin"], people["reviewer2"])
    services.declare(case.pk, people["reviewer2"], conflict=False)
    case = services.decide(case.pk, people["reviewer2"], "reject", "研发费用口径不符")
    assert case.state == "rejected"
    services.object_to(case.pk, people["firm"], "已按口径重新核算")
    case = services.uphold(case.pk, people["admin"], "复核成立")
    assert case.state == "approved"
    with pytest.raises(InvalidTransition):
        services.object_to(case.pk, people["firm"], "再次提出异议")


def test_unverified_policy_never_takes_the_automatic_path(city):
    policy = make_policy("cn.x.unverified", "automatic")
    policy.confidence = "unverified"
    policy.save()
    [case] = services.open_cases(make_matches(policy, [city[0]], ["1"]), 2026)
    assert case.state == "draft"


def test_one_case_per_enterprise_policy_and_year(city):
    policy = make_policy("city.a", "automatic")
    services.open_cases(make_matches(policy, [city[0]], ["1"]), 2026)
    assert services.open_cases(make_matches(policy, [city[0]], ["2"]), 2026) == []
    assert Case.objects.count() == 1


def test_policies_that_do_not_stack(city, people):
    a = make_policy("city.a", "automatic", no_stack=["city.b"])
    b = make_policy("city.b", "automatic")
    cases = services.open_cases(
        make_matches(a, [city[0]], ["1"]) + make_matches(b, [city[0]], ["1"]), 2026
    )
    for case in cases:
        services.confirm(case.pk, people["firm"], "6222020202020202")
    services.approve(cases[1].pk, people["analyst"])
    with pytest.raises(ValidationError, match="不可叠加"):
        services.approve(cases[0].pk, people["analyst"])


def _approved(policy, city, people, awards, scores=None):
    """Cases confirmed by their enterprises (set directly) and approved by an analyst."""
    cases = services.open_cases(make_matches(policy, city, awards, scores), 2026)
    for case in cases:
        Case.objects.filter(pk=case.pk).update(state="confirmed", bank_account="62220202")
        services.approve(case.pk, people["analyst"])
    return cases


def test_over_budget_by_ranking(city, people):
    policy = make_policy("city.rank", "automatic", budget="1000")
    cases = _approved(
        policy, city[:4], people, ["600", "500", "300", "200"], scores=["50", "90", "70", "10"]
    )
    result = services.allocate(policy, 2026, people["analyst"])
    granted = {c.pk: Case.objects.get(pk=c.pk).award_granted for c in cases}
    # scores 90, 70, 50, 10 → 500 and 300 fit, 600 does not, then 200 fits
    assert [granted[c.pk] for c in cases] == [0, 500, 300, 200]
    assert result.granted == Decimal("1000") and result.unfunded == [cases[0].pk]


def test_over_budget_pro_rata_never_exceeds_it(city, people):
    policy = make_policy("city.pro", "automatic", budget="1000", allocation="pro_rata")
    cases = _approved(policy, city[:3], people, ["1000", "1000", "1000"])
    result = services.allocate(policy, 2026, people["analyst"])
    granted = [Case.objects.get(pk=c.pk).award_granted for c in cases]
    assert granted == [Decimal("333.33")] * 3 and result.granted <= Decimal("1000")


def test_interrupted_payment_run_resumes_without_paying_twice(city, people):
    policy = make_policy("city.pay", "automatic")
    cases = _approved(policy, city[:5], people, ["100"] * 5)
    services.allocate(policy, 2026, people["analyst"])
    run = services.create_payment_run(policy, 2026, people["analyst"])

    def crash_after_two(case, seen=[]):  # noqa: B006 - a counter shared across calls
        seen.append(case.pk)
        if len(seen) == 2:
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        services.execute_payment_run(run, people["analyst"], progress=crash_after_two)
    assert PaymentOrder.objects.count() == 2
    again = services.create_payment_run(policy, 2026, people["analyst"])
    assert services.execute_payment_run(again, people["analyst"]) == 3
    assert services.execute_payment_run(again, people["analyst"]) == 0
    assert sorted(PaymentOrder.objects.values_list("case_id", flat=True)) == sorted(
        c.pk for c in cases
    )
    assert services.reconcile(policy, 2026).problems == []


def test_returned_payment_can_be_ordered_again_once(city, people):
    policy = make_policy("city.bounce", "automatic")
    _approved(policy, city[:1], people, ["100"])
    services.allocate(policy, 2026, people["analyst"])
    services.execute_payment_run(
        services.create_payment_run(policy, 2026, people["analyst"]), people["analyst"]
    )
    order = PaymentOrder.objects.get()
    services.settle(order.pk, people["analyst"], paid=False, note="账户已注销")
    with pytest.raises(InvalidTransition):
        services.settle(order.pk, people["analyst"], paid=True)
    services.execute_payment_run(
        services.create_payment_run(policy, 2026, people["analyst"]), people["analyst"]
    )
    second = PaymentOrder.objects.exclude(pk=order.pk).get()
    services.settle(second.pk, people["analyst"], paid=True)
    ledger = services.reconcile(policy, 2026)
    assert (ledger.paid, ledger.returned, ledger.problems) == (Decimal(100), Decimal(100), [])


def test_audit_log_is_append_only_and_tamper_evident(city, people):
    policy = make_policy("city.audit", "automatic")
    services.open_cases(make_matches(policy, city[:2], ["1", "2"]), 2026)
    event = AuditEvent.objects.first()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    assert services.verify_audit_chain() == []
    with connection.cursor() as cursor:
        cursor.execute("UPDATE policies_auditevent SET reason = 'edited' WHERE id = %s", [event.pk])
    assert services.verify_audit_chain() == [event.pk]


def test_parameter_change_needs_a_second_person(city, people):
    import datetime as dt

    from lianzhang.policies.matching import sync_library

    sync_library()
    policy = Policy.objects.get(code="local.example.rd-subsidy")
    with pytest.raises(ValidationError, match="没有参数 rd_rate"):
        services.propose_parameter(
            policy, "rd_rate", dt.date(2027, 1, 1), "15%", "提高补助比例", people["admin"]
        )
    with pytest.raises(ValidationError, match="无法使用"):
        services.propose_parameter(
            policy, "rate", dt.date(2027, 1, 1), "十五", "提高补助比例", people["admin"]
        )
    change = services.propose_parameter(
        policy, "rate", dt.date(2027, 1, 1), "15%", "提高补助比例", people["admin"]
    )
    with pytest.raises(PermissionDenied, match="自己"):
        services.review_parameter(change.pk, people["admin"], approve=True)
    with pytest.raises(PermissionDenied):
        services.review_parameter(change.pk, people["analyst"], approve=True)
    assert services.parameter_overrides(policy) == {}
    other_admin = create_user("boss2", "pw-123456", "admin")
    services.review_parameter(change.pk, other_admin, approve=True, note="同意")
    assert services.parameter_overrides(policy) == {"rate": {dt.date(2027, 1, 1): "15%"}}


def test_cases_are_visible_as_accounts_access_decides(city, people):
    policy = make_policy("city.seen", "automatic")
    cases = services.open_cases(make_matches(policy, list(city[:3]), ["1", "1", "1"]), 2026)
    district = create_user("gx", "pw-123456", "district", district="成都高新区")

    def seen(user):
        return {c.enterprise_id for c in Case.objects.visible_to(user)}

    assert seen(people["analyst"]) == {c.enterprise_id for c in cases}
    assert seen(people["firm"]) == {city[0].pk}
    assert seen(district) == {city[0].pk, city[2].pk}
    assert Case.objects.filter(pk=cases[1].pk).visible_to(people["firm"]).count() == 0


def test_a_missing_reason_is_refused_in_words_not_codes(city, people):
    policy = make_policy("city.why", "automatic")
    [case] = services.open_cases(make_matches(policy, [city[0]], ["1"]), 2026)
    services.confirm(case.pk, people["firm"], "6222020202020202")
    with pytest.raises(ValidationError) as refused:
        services.reject(case.pk, people["analyst"], " ")
    assert "不予批准" in refused.value.zh and "reject" not in refused.value.zh
    assert "reason" in refused.value.en
    assert Case.objects.get(pk=case.pk).state == "confirmed"
