"""The delivery demo: idempotent, every state present, money that adds up, pages filled."""

import pytest

from lianzhang.policies import services
from lianzhang.policies.demo import load_demo
from lianzhang.policies.models import Case, Policy
from lianzhang.policies.workflow import State

from .conftest import load_demo_city

pytestmark = pytest.mark.django_db


def test_demo_leaves_cases_in_every_state_and_a_ledger_that_adds_up(client):
    summary = load_demo_city(size=200)
    assert "已支付" in summary
    assert "跳过" in load_demo(echo=lambda line: None)  # idempotent
    states = set(Case.objects.values_list("state", flat=True))
    assert set(State.values) - states <= {State.DECLINED}, set(State.values) - states
    for policy in Policy.objects.filter(cases__isnull=False).distinct():
        assert services.reconcile(policy, Case.objects.first().year).problems == []
    assert services.verify_audit_chain() == []
    specialized = Policy.objects.get(code="local.example.specialized-award")
    assert specialized.no_stack_with == ["local.example.little-giant-award"]

    for username, pages in {
        "qiye": ["/policies/mine/", "/policies/cases/", "/policies/library/"],
        "analyst": [
            "/policies/dashboard/",
            "/policies/cases/?mine=1",
            "/policies/money/",
            "/policies/sandbox/?policy=local.example.rd-subsidy",
        ],
        "admin": ["/policies/dashboard/", "/policies/library/local.example.rd-subsidy/"],
    }.items():
        from django.contrib.auth.models import User

        client.force_login(User.objects.get(username=username))
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, (username, url)
    client.force_login(User.objects.get(username="qiye"))
    mine = client.get("/policies/mine/").context
    assert mine["enterprise"] is not None and any(items for _, _, items in mine["groups"])
    client.force_login(User.objects.get(username="analyst"))
    queue = client.get("/policies/cases/?mine=1").context
    assert queue["total"] > 0  # the demo assigns applications to the analyst
    dash = client.get("/policies/dashboard/").context
    assert dash["summary"]["paid"] > 0 and dash["unclaimed_total"] > 0
    # 公示: one policy's approved cases are on a public list with an open objection
    from lianzhang.policies.models import Objection, Publicity

    listed = Publicity.objects.get()
    client.logout()
    page = client.get(f"/policies/publicity/{listed.pk}/").content.decode()
    assert listed.policy.title in page and "提出异议" in page
    assert Objection.objects.filter(resolved_at=None).count() == 1
    assert Case.objects.filter(state=State.HELD).exists()  # the credit register at work

    # 绩效评价: the demo's past round of the R&D subsidy has paid cases with data on both sides
    from lianzhang.policies.demo import PAST_POLICY, PAST_YEAR
    from lianzhang.policies.services.outcomes import evaluate_policy_year

    result = evaluate_policy_year(Policy.objects.get(code=PAST_POLICY), PAST_YEAR)
    assert result.treated_total > 0
    assert any(e.treated_n >= 2 and e.ci_low is not None for e in result.estimates)
    # 联审, 市区分担 and 追回 are on show
    from lianzhang.policies.models import Recovery, ReviewTask

    assert ReviewTask.objects.filter(status="pending").exists()
    assert ReviewTask.objects.filter(status="refused").exists()
    assert Recovery.objects.filter(recovered__gt=0, closed_at=None).exists()
    shared = Policy.objects.exclude(cost_shares={}).get()
    from django.utils import timezone

    lines = services.source_ledger(shared, timezone.localdate().year)
    assert len(lines) > 2 and all(not line.problems for line in lines)
    client.force_login(User.objects.get(username="shuiwu"))
    assert client.get("/policies/tasks/").context["total"] > 0
