"""联审: departments sign off in parallel; approval waits for all; a refusal rejects the case
with the department's reason; each department sees only its tasks and fields (issue 11)."""

from decimal import Decimal

import pytest
from django.test import Client

from lianzhang.accounts.services import create_user
from lianzhang.appeals.models import Department, Handler
from lianzhang.core.errors import PermissionDenied, ValidationError
from lianzhang.enterprises.models import Annual
from lianzhang.policies import services
from lianzhang.policies.models import Case, ReviewTask
from lianzhang.policies.services import InvalidTransition

from .conftest import make_matches, make_policy

pytestmark = pytest.mark.django_db

TWO = [
    {"department": "jr-tax", "fields": ["tax_paid"], "note": "纳税情况"},
    {"department": "jr-market", "fields": [], "note": "登记状态"},
]


@pytest.fixture
def departments(people):
    out = {}
    for code, name in (("jr-tax", "市税务局"), ("jr-market", "市市场监督管理局")):
        department = Department.objects.create(code=code, name=name, level="city")
        user = create_user(f"u-{code}", "pw-123456", "department")
        Handler.objects.create(user=user, department=department)
        out[code] = user
    return out


def _confirmed(policy, enterprises, people, users):
    matches = make_matches(policy, enterprises, ["100000"] * len(enterprises))
    cases = services.open_cases(matches, 2026)
    for case, user in zip(cases, users, strict=True):
        services.confirm(case.pk, user, "6222020202020202")
    return [Case.objects.get(pk=c.pk) for c in cases]


def _task(case, code):
    return case.review_tasks.get(department__code=code, status="pending")


def test_approval_waits_for_every_department_then_goes_through(city, people, departments):
    policy = make_policy("city.award", "automatic")
    [case] = _confirmed(policy, [city[0]], people, [people["firm"]])
    services.set_joint_review(policy, TWO, 5, people["admin"], "须联审")
    assert case.review_tasks.filter(status="pending").count() == 2  # dispatched at once
    with pytest.raises(InvalidTransition, match="待"):
        services.approve(case.pk, people["analyst"])
    services.decide_task(_task(case, "jr-tax").pk, departments["jr-tax"], True, "")
    with pytest.raises(InvalidTransition, match="市市场监督管理局"):
        services.approve(case.pk, people["analyst"])
    services.decide_task(_task(case, "jr-market").pk, departments["jr-market"], True, "")
    assert services.approve(case.pk, people["analyst"]).state == "approved"


def test_a_refusal_rejects_with_the_reason_and_an_objection_asks_again(city, people, departments):
    policy = make_policy("city.award", "automatic")
    services.set_joint_review(policy, TWO, 5, people["admin"], "须联审")
    [case] = _confirmed(policy, [city[0]], people, [people["firm"]])  # tasks on confirmation
    market = _task(case, "jr-market")
    with pytest.raises(ValidationError):
        services.decide_task(market.pk, departments["jr-market"], False, " ")  # no reason
    services.decide_task(market.pk, departments["jr-market"], False, "在经营异常名录中")
    case.refresh_from_db()
    assert case.state == "rejected"
    assert "市市场监督管理局" in case.decision_reason and "经营异常" in case.decision_reason
    # the other department need not look any longer
    assert case.review_tasks.get(department__code="jr-tax").status == "withdrawn"
    services.object_to(case.pk, people["firm"], "已移出名录，见附件")
    # both departments look again (tax: its task was withdrawn, market: it refused)
    assert case.review_tasks.filter(status="pending").count() == 2
    with pytest.raises(InvalidTransition):
        services.uphold(case.pk, people["admin"], "异议成立")
    for code in ("jr-tax", "jr-market"):
        services.decide_task(_task(case, code).pk, departments[code], True, "已核实")
    assert services.uphold(case.pk, people["admin"], "异议成立").state == "approved"


def test_only_the_department_decides_its_own_task(city, people, departments):
    policy = make_policy("city.award", "automatic")
    services.set_joint_review(policy, TWO, 5, people["admin"], "须联审")
    [case] = _confirmed(policy, [city[0]], people, [people["firm"]])
    tax = _task(case, "jr-tax")
    for intruder in (departments["jr-market"], people["admin"], people["firm"]):
        with pytest.raises(PermissionDenied):
            services.decide_task(tax.pk, intruder, True, "")
    services.decide_task(tax.pk, departments["jr-tax"], True, "")
    with pytest.raises(InvalidTransition):
        services.decide_task(tax.pk, departments["jr-tax"], False, "改主意")
    assert set(services.tasks_for(departments["jr-tax"])) == {tax}
    assert services.tasks_for(people["firm"]).count() == 0
    assert services.tasks_for(people["analyst"]).count() == 2


def test_settings_are_checked(people, departments):
    policy = make_policy("city.award", "automatic")
    bad = [
        [{"department": "nobody"}],
        [{"department": "jr-tax", "fields": ["bank_account"]}],  # never shown to a department
        [{"department": "jr-tax"}, {"department": "jr-tax"}],
    ]
    for departments_list in bad:
        with pytest.raises(ValidationError):
            services.set_joint_review(policy, departments_list, 5, people["admin"], "x")
    with pytest.raises(ValidationError):
        services.set_joint_review(policy, TWO, 0, people["admin"], "x")
    with pytest.raises(PermissionDenied):
        services.set_joint_review(policy, TWO, 5, people["firm"], "x")


def test_the_queue_shows_a_department_only_its_fields(city, people, departments):
    Annual.objects.create(
        enterprise=city[0], year=2025, tax_paid=Decimal("123456.78"), revenue=Decimal("999")
    )
    policy = make_policy("city.award", "automatic")
    services.set_joint_review(policy, TWO, 5, people["admin"], "须联审")
    [case] = _confirmed(policy, [city[0]], people, [people["firm"]])
    client = Client()
    client.force_login(departments["jr-tax"])
    page = client.get("/policies/tasks/").content.decode()
    assert city[0].name in page and "123456.78" in page and "实缴税收" in page
    assert "999" not in page and "6222020202020202" not in page  # not its field, no bank data
    task = _task(case, "jr-tax")
    client.post(f"/policies/tasks/{task.pk}/decide/", {"decision": "refuse", "reason": "欠税"})
    case.refresh_from_db()
    assert case.state == "rejected" and "欠税" in case.decision_reason
    # the department sees no case pages, no registry
    assert client.get(f"/policies/cases/{case.pk}/").status_code == 404
    client.force_login(people["firm"])
    assert client.get("/policies/tasks/").status_code == 403
    assert "欠税" in client.get(f"/policies/cases/{case.pk}/").content.decode()


def test_the_ledger_page_sets_joint_review(city, people, departments):
    policy = make_policy("city.award", "automatic")
    client = Client()
    client.force_login(people["admin"])
    client.post(
        f"/policies/money/{policy.code}/2026/act/",
        {
            "action": "joint_review",
            "department": ["jr-tax"],
            "fields-jr-tax": "tax_paid, revenue",
            "note-jr-tax": "纳税",
            "days": "7",
            "reason": "须税务联审",
        },
    )
    policy.refresh_from_db()
    assert policy.joint_review == [
        {"department": "jr-tax", "fields": ["tax_paid", "revenue"], "note": "纳税"}
    ]
    assert policy.joint_review_days == 7
    assert ReviewTask.objects.count() == 0
