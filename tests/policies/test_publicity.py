"""公示 before payment (issue 11): a list runs N working days, anyone may object on the
public page, an open objection stops payment, and an upheld one sends the case back."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lianzhang.core.errors import ValidationError
from lianzhang.policies import services
from lianzhang.policies.models import AuditEvent, Case, PaymentOrder

from .conftest import make_matches, make_policy

pytestmark = pytest.mark.django_db


def _approved(city, people, n=2, days=5):
    policy = make_policy("city.award", "automatic")
    policy.publicity_days = days
    policy.save()
    cases = services.open_cases(make_matches(policy, city[:n], ["50000"] * n), 2026)
    for case in cases:
        user = (
            people["firm"] if case.enterprise_id == people["firm"].profile.enterprise_id else None
        )
        if user is None:
            from lianzhang.accounts.services import create_user

            user = create_user(f"u{case.pk}", "pw-123456", "enterprise", uscc=case.enterprise_id)
        services.confirm(case.pk, user, "6222020202020202")
        services.approve(case.pk, people["analyst"])
    services.allocate(policy, 2026, people["analyst"])
    return policy, cases


def _pay(policy, people):
    run = services.create_payment_run(policy, 2026, people["analyst"])
    return services.execute_payment_run(run, people["analyst"])


def test_a_list_runs_its_working_days_and_payment_waits_for_its_end(city, people):
    policy, _ = _approved(city, people, days=3)
    listed = services.publicize(policy, 2026, people["analyst"], starts_on=dt.date(2026, 6, 4))
    # Thursday, Friday, then Monday: three working days across a weekend
    assert (listed.starts_on, listed.ends_on) == (dt.date(2026, 6, 4), dt.date(2026, 6, 8))
    assert AuditEvent.objects.filter(action="publicize").count() == 2
    with pytest.raises(ValidationError, match="没有待公示"):
        services.publicize(policy, 2026, people["analyst"])  # nothing new to publish
    assert _pay(policy, people) == 2  # the list ended long before today


def test_no_payment_before_publicity_or_while_it_runs(city, people):
    policy, _ = _approved(city, people)
    assert _pay(policy, people) == 0  # not publicized yet
    services.publicize(policy, 2026, people["analyst"])  # from today: still running
    assert _pay(policy, people) == 0
    assert PaymentOrder.objects.count() == 0
    assert set(Case.objects.values_list("state", flat=True)) == {"approved"}


def test_the_public_page_shows_names_and_amounts_and_takes_objections(city, people, client):
    policy, cases = _approved(city, people)
    listed = services.publicize(policy, 2026, people["analyst"])
    page = client.get(reverse("policies:public", args=[listed.pk]))  # nobody logged in
    text = page.content.decode()
    assert page.status_code == 200 and "成都测试0有限公司" in text and "50000.00" in text
    assert "6222020202020202" not in text and cases[0].enterprise_id not in text
    answer = client.post(
        reverse("policies:public-object", args=[listed.pk]),
        {"case": cases[0].pk, "name": "李四", "contact": "13800000000", "text": "该企业已停产"},
        follow=True,
    )
    assert "您的异议已记录" in answer.content.decode()
    bad = client.post(
        reverse("policies:public-object", args=[listed.pk]),
        {"case": cases[0].pk, "name": "", "contact": "x", "text": "y"},
        follow=True,
    )
    assert "请填写姓名或单位" in bad.content.decode()
    assert cases[0].objections.count() == 1
    assert client.get(reverse("policies:public-list")).status_code == 200


def _ended_with_objection(city, people):
    policy, cases = _approved(city, people)
    listed = services.publicize(policy, 2026, people["analyst"])
    objection = services.file_objection(listed.pk, cases[0].pk, "李四", "138", "数据不实")
    type(listed).objects.filter(pk=listed.pk).update(  # the list has since ended
        starts_on=dt.date(2026, 6, 1), ends_on=dt.date(2026, 6, 5)
    )
    return policy, cases, objection


def test_an_open_objection_stops_that_payment_and_a_dismissed_one_lets_it_go(city, people):
    policy, cases, objection = _ended_with_objection(city, people)
    assert _pay(policy, people) == 1  # the other entry
    assert not PaymentOrder.objects.filter(case=cases[0]).exists()
    with pytest.raises(ValidationError, match="理由"):
        services.resolve_objection(objection.pk, people["analyst"], False, " ")
    services.resolve_objection(objection.pk, people["analyst"], False, "经核实企业正常生产")
    assert _pay(policy, people) == 1
    assert PaymentOrder.objects.filter(case=cases[0]).exists()


def test_an_upheld_objection_holds_the_case_and_it_must_be_listed_again(city, people):
    policy, cases, objection = _ended_with_objection(city, people)
    services.resolve_objection(objection.pk, people["analyst"], True, "现场核查确已停产")
    case = Case.objects.get(pk=cases[0].pk)
    assert case.state == "held"
    services.release(case.pk, people["analyst"], "已复产，重新审核")
    services.assign(case.pk, people["analyst"], people["reviewer"])
    services.declare(case.pk, people["reviewer"], conflict=False)
    services.decide(case.pk, people["reviewer"], "approve", "ok")
    services.allocate(policy, 2026, people["analyst"])
    assert _pay(policy, people) == 1  # only the other entry: this one needs a new list
    again = services.publicize(policy, 2026, people["analyst"], starts_on=dt.date(2026, 7, 1))
    assert list(again.cases.all()) == [case]
    assert _pay(policy, people) == 1


def test_objections_close_with_the_list(city, people):
    policy, cases = _approved(city, people)
    listed = services.publicize(policy, 2026, people["analyst"], starts_on=dt.date(2026, 6, 1))
    assert listed.ends_on < timezone.localdate()
    with pytest.raises(ValidationError, match="不能提出异议"):
        services.file_objection(listed.pk, cases[0].pk, "李四", "138", "晚了")


def test_a_list_published_before_its_first_working_day_takes_objections(city, people):
    policy, cases = _approved(city, people)
    listed = services.publicize(policy, 2026, people["analyst"])
    later = timezone.localdate() + dt.timedelta(days=3)  # e.g. published on a Saturday
    type(listed).objects.filter(pk=listed.pk).update(
        starts_on=later, ends_on=later + dt.timedelta(days=7)
    )
    services.file_objection(listed.pk, cases[0].pk, "李四", "138", "提前提出")
    assert cases[0].objections.count() == 1


def test_choosing_the_cases_to_list_is_one_query_whatever_their_number(
    city, people, django_assert_max_num_queries
):
    policy, cases = _approved(city, people, n=2)
    from lianzhang.policies.services.publicity import _needing_a_list

    approved = Case.objects.filter(policy=policy, state="approved")
    with django_assert_max_num_queries(1):
        assert {c.pk for c in _needing_a_list(approved)} == {c.pk for c in cases}
