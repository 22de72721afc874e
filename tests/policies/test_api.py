import json
from decimal import Decimal

import pytest
from django.test import Client

from lianzhang.accounts.services import issue_token
from lianzhang.core.errors import ValidationError
from lianzhang.enterprises.models import Annual
from lianzhang.policies import matching, services
from lianzhang.policies.models import Policy
from lianzhang.policies.services.transitions import _transition

from .conftest import USCCS, make_matches, make_policy

pytestmark = pytest.mark.django_db


def client_for(user):
    return Client(headers={"authorization": f"Bearer {issue_token(user, 'test')}"})


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_openapi_describes_the_operations(people):
    spec = client_for(people["analyst"]).get("/api/v1/openapi.json").json()
    assert "/api/v1/cases/{case_id}/decision" in spec["paths"]
    assert "/api/v1/enterprises/{uscc}/policies" in spec["paths"]
    assert Client().get("/api/v1/cases").status_code == 401
    assert Client(headers={"authorization": "Bearer nope"}).get("/api/v1/cases").status_code == 401


def test_roles_restrict_the_api_as_they_restrict_pages(people):
    firm, analyst = client_for(people["firm"]), client_for(people["analyst"])
    assert [e["uscc"] for e in firm.get("/api/v1/enterprises").json()["results"]] == [USCCS[0]]
    assert analyst.get("/api/v1/enterprises").json()["count"] == len(USCCS)
    denied = firm.get(f"/api/v1/enterprises/{USCCS[1]}")
    missing = firm.get("/api/v1/enterprises/" + "X" * 18)
    assert denied.status_code == missing.status_code == 403
    assert post(firm, "/api/v1/match-runs", {"as_of": "2026-06-30"}).status_code == 403


def test_enterprise_confirms_and_reviewer_decides_through_the_api(people):
    auto = make_policy("city.auto", "automatic")
    appl = make_policy("city.appl", "application")
    mine = [people["firm"].profile.enterprise]
    [auto_case] = services.open_cases(make_matches(auto, mine, ["100"]), 2026)
    [appl_case] = services.open_cases(make_matches(appl, mine, ["200"]), 2026)
    firm, other = client_for(people["firm"]), client_for(people["other_firm"])
    assert {c["id"] for c in firm.get("/api/v1/cases").json()} == {auto_case.pk, appl_case.pk}
    assert other.get("/api/v1/cases").json() == []
    assert (
        post(
            other, f"/api/v1/cases/{auto_case.pk}/confirm", {"bank_account": "6222020202"}
        ).status_code
        == 403
    )
    bad = post(firm, f"/api/v1/cases/{auto_case.pk}/confirm", {"bank_account": "x"})
    assert bad.status_code == 400 and "银行账号" in bad.json()["error_zh"]
    ok = post(firm, f"/api/v1/cases/{auto_case.pk}/confirm", {"bank_account": "6222020202"})
    assert ok.json()["state"] == "confirmed"

    assert post(firm, f"/api/v1/cases/{appl_case.pk}/actions/submit", {}).json()["state"] == (
        "submitted"
    )
    admin, reviewer = client_for(people["admin"]), client_for(people["reviewer"])
    assert (
        post(admin, f"/api/v1/cases/{appl_case.pk}/assign", {"reviewer": "rev"}).json()["state"]
        == "under_review"
    )
    early = post(
        reviewer, f"/api/v1/cases/{appl_case.pk}/decision", {"decision": "approve", "reason": "ok"}
    )
    assert early.status_code == 403
    post(reviewer, f"/api/v1/cases/{appl_case.pk}/declaration", {"conflict": False})
    version = reviewer.get(f"/api/v1/cases/{appl_case.pk}").json()["version"]
    won = post(
        reviewer,
        f"/api/v1/cases/{appl_case.pk}/decision",
        {"decision": "approve", "reason": "达标", "expected_version": version},
    )
    assert won.json()["state"] == "approved"
    late = post(
        reviewer,
        f"/api/v1/cases/{appl_case.pk}/decision",
        {"decision": "reject", "reason": "迟到", "expected_version": version},
    )
    assert late.status_code == 409


def test_my_policies_and_sandbox(people):
    Annual.objects.create(enterprise_id=USCCS[0], year=2025, main_revenue="19000000")
    matching.sync_library()
    Policy.objects.exclude(code="cn.nbs.above-scale-industrial").update(active=False)
    mine = (
        client_for(people["firm"])
        .get(f"/api/v1/enterprises/{USCCS[0]}/policies?as_of=2026-06-30")
        .json()
    )
    assert [(m["policy"], m["category"]) for m in mine] == [
        ("cn.nbs.above-scale-industrial", "near")
    ]
    sandbox = post(
        client_for(people["analyst"]),
        "/api/v1/sandbox/whatif",
        {
            "policy": "cn.nbs.above-scale-industrial",
            "as_of": "2026-06-30",
            "set": {"min_main_revenue": "1500万元"},
        },
    )
    assert sandbox.status_code == 200, sandbox.content
    assert sandbox.json()["gained"] == [USCCS[0]]


def test_money_objection_and_coverage_through_the_api(people):
    from lianzhang.accounts.services import create_user
    from lianzhang.policies.models import PaymentOrder

    auto = make_policy("city.money", "automatic", budget="150")
    firms = [people["firm"].profile.enterprise]
    [case] = services.open_cases(make_matches(auto, firms, ["100"]), 2026)
    firm, analyst = client_for(people["firm"]), client_for(people["analyst"])
    post(firm, f"/api/v1/cases/{case.pk}/confirm", {"bank_account": "6222020202"})
    post(analyst, f"/api/v1/cases/{case.pk}/actions/reject", {"reason": "口径不符"})
    assert post(firm, f"/api/v1/cases/{case.pk}/objection", {"reason": " "}).status_code == 400
    assert (
        post(firm, f"/api/v1/cases/{case.pk}/objection", {"reason": "口径无误"}).json()["state"]
        == "objection"
    )
    final = post(
        analyst, f"/api/v1/cases/{case.pk}/final-decision", {"uphold": True, "reason": "复核成立"}
    )
    assert final.json()["state"] == "approved"
    budget = client_for(people["admin"]).put(
        "/api/v1/policies/city.money/budget",
        json.dumps({"year": 2026, "amount": "80", "reason": "压减"}),
        content_type="application/json",
    )
    assert Decimal(str(budget.json()["budget"])) == Decimal("80")
    post(analyst, "/api/v1/policies/city.money/allocation", {"year": 2026})
    ledger = post(analyst, "/api/v1/policies/city.money/payment-runs", {"year": 2026}).json()
    assert Decimal(str(ledger["ordered"])) == 0  # ranking: 100 does not fit into 80
    services.set_budget(auto, 2026, Decimal("100"), people["admin"], "追加")
    post(analyst, "/api/v1/policies/city.money/allocation", {"year": 2026})
    post(analyst, "/api/v1/policies/city.money/payment-runs", {"year": 2026})
    order = PaymentOrder.objects.get(case=case)
    assert (
        post(firm, f"/api/v1/payment-orders/{order.pk}/settlement", {"paid": True}).status_code
        == 403
    )
    done = post(analyst, f"/api/v1/payment-orders/{order.pk}/settlement", {"paid": True})
    assert done.json()["status"] == "paid"
    again = post(analyst, f"/api/v1/payment-orders/{order.pk}/settlement", {"paid": True})
    assert again.status_code == 409
    [row] = analyst.get("/api/v1/dashboard/coverage?year=2026").json()
    assert (row["policy"], row["paid"]) == ("city.money", 1)
    assert firm.get("/api/v1/dashboard/coverage?year=2026").status_code == 403
    district = create_user("wuhou", "pw-123456", "district", district="武侯区")
    assert client_for(district).get("/api/v1/dashboard/coverage?year=2026").json() == []


def _refused_unchanged(client, url, body, case):
    """An empty reason is a 400 with the bilingual error, and the case does not move."""
    from lianzhang.policies.models import AuditEvent, Case

    before = Case.objects.values("state", "version").get(pk=case.pk)
    events = AuditEvent.objects.count()
    answer = post(client, url, body)
    assert answer.status_code == 400, answer.content
    assert answer.json()["error_zh"] and "reason" in answer.json()["error_en"]
    assert Case.objects.values("state", "version").get(pk=case.pk) == before
    assert AuditEvent.objects.count() == events


def test_actions_that_need_a_reason_refuse_an_empty_one(people):
    from lianzhang.policies import workflow
    from lianzhang.policies.models import PaymentOrder

    assert {"return", "reject", "object", "uphold", "dismiss", "bounce"} <= workflow.NEEDS_REASON
    auto = make_policy("city.why", "automatic")
    appl = make_policy("city.why.appl", "application")
    mine = [people["firm"].profile.enterprise]
    [case] = services.open_cases(make_matches(auto, mine, ["100"]), 2026)
    [appl_case] = services.open_cases(make_matches(appl, mine, ["200"]), 2026)
    firm, analyst = client_for(people["firm"]), client_for(people["analyst"])
    reviewer = client_for(people["reviewer"])
    act = f"/api/v1/cases/{case.pk}/actions/"
    post(firm, f"/api/v1/cases/{case.pk}/confirm", {"bank_account": "6222020202"})
    _refused_unchanged(analyst, act + "reject", {"reason": "  "}, case)
    assert post(analyst, act + "reject", {"reason": "口径不符"}).json()["state"] == "rejected"
    _refused_unchanged(firm, act + "object", {"reason": ""}, case)
    assert post(firm, act + "object", {"reason": "口径无误"}).json()["state"] == "objection"
    _refused_unchanged(analyst, act + "uphold", {}, case)
    _refused_unchanged(analyst, act + "dismiss", {"reason": " "}, case)
    assert post(analyst, act + "uphold", {"reason": "复核成立"}).json()["state"] == "approved"

    post(firm, f"/api/v1/cases/{appl_case.pk}/actions/submit", {})
    post(client_for(people["admin"]), f"/api/v1/cases/{appl_case.pk}/assign", {"reviewer": "rev"})
    post(reviewer, f"/api/v1/cases/{appl_case.pk}/declaration", {"conflict": False})
    decision = f"/api/v1/cases/{appl_case.pk}/decision"
    _refused_unchanged(reviewer, decision, {"decision": "return", "reason": ""}, appl_case)
    with pytest.raises(ValidationError, match="退回补正"):  # the state machine refuses too
        _transition(appl_case.pk, "return", people["reviewer"])

    post(analyst, "/api/v1/policies/city.why/allocation", {"year": 2026})
    post(analyst, "/api/v1/policies/city.why/payment-runs", {"year": 2026})
    order = PaymentOrder.objects.get(case=case)
    settlement = f"/api/v1/payment-orders/{order.pk}/settlement"
    _refused_unchanged(analyst, settlement, {"paid": False, "note": " "}, case)
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.ORDERED
    assert post(analyst, settlement, {"paid": False, "note": "账户已注销"}).json()["status"] == (
        "returned"
    )
