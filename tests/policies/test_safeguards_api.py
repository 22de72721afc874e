"""The REST API for 联审, 市区分担, 追回, 公示, the treasury batch and the credit register."""

import json
from decimal import Decimal

import pytest

from lianzhang.enterprises.models import CreditListing
from lianzhang.policies import services
from lianzhang.policies.models import PaymentOrder

from .conftest import make_matches, make_policy
from .test_api import client_for, post
from .test_joint_review import TWO, departments  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def put(client, url, body):
    return client.put(url, json.dumps(body), content_type="application/json")


def test_joint_review_through_the_api(city, people, departments):  # noqa: F811
    admin, tax = client_for(people["admin"]), client_for(departments["jr-tax"])
    policy = make_policy("city.award", "automatic")
    answer = put(
        admin,
        f"/api/v1/policies/{policy.code}/joint-review",
        {"departments": TWO, "days": 5, "reason": "须联审"},
    )
    assert answer.status_code == 200 and answer.json()["days"] == 5
    bad = put(
        admin,
        f"/api/v1/policies/{policy.code}/joint-review",
        {"departments": [{"department": "x"}], "reason": "x"},
    )
    assert bad.status_code == 400 and "未知部门" in bad.json()["error_zh"]
    [match] = make_matches(policy, [city[0]], ["1000"])
    [case] = services.open_cases([match], 2026)
    services.confirm(case.pk, people["firm"], "6222020202020202")
    [task] = tax.get("/api/v1/review-tasks").json()
    assert task["department"] == "jr-tax" and set(task["figures"]) == {"tax_paid"}
    refused = post(tax, f"/api/v1/review-tasks/{task['id']}/decision", {"passed": False})
    assert refused.status_code == 400  # a refusal needs a reason
    done = post(
        tax, f"/api/v1/review-tasks/{task['id']}/decision", {"passed": False, "reason": "欠税"}
    )
    assert done.status_code == 200 and done.json()["status"] == "refused"
    again = post(tax, f"/api/v1/review-tasks/{task['id']}/decision", {"passed": True})
    assert again.status_code == 409
    assert client_for(people["firm"]).get("/api/v1/review-tasks").json() == []


def test_money_safeguards_through_the_api(city, people):
    admin = client_for(people["admin"])
    policy = make_policy("city.award", "automatic")
    url = f"/api/v1/policies/{policy.code}"
    assert (
        put(
            admin, f"{url}/cost-shares", {"rule": {"city": "1/3", "district": "1/3"}, "reason": "x"}
        ).status_code
        == 400
    )
    assert (
        put(
            admin,
            f"{url}/cost-shares",
            {"rule": {"city": "1/4", "district": "3/4"}, "reason": "分担"},
        ).status_code
        == 200
    )
    budget = put(
        admin,
        f"{url}/source-budgets",
        {"year": 2026, "source": "city", "amount": "5000", "reason": "市级"},
    )
    assert budget.status_code == 200 and budget.json()[0]["budget"] == "5000.00"
    [match] = make_matches(policy, [city[0]], ["1000.03"])
    [case] = services.open_cases([match], 2026)
    services.confirm(case.pk, people["firm"], "6222020202020202")
    services.approve(case.pk, people["analyst"])
    services.allocate(policy, 2026, people["analyst"])
    assert post(admin, f"{url}/payment-runs", {"year": 2026}).status_code == 201
    [row] = admin.get(f"{url}/treasury?year=2026").json()
    assert row["amount"] == "1000.03" and row["reference"].startswith("LZ")
    order = PaymentOrder.objects.get()
    assert order.shares == {"city": "250.01", "district:成都高新区": "750.02"}
    services.settle(order.pk, people["admin"], paid=True)
    sources = {s["source"]: s for s in admin.get(f"{url}/sources?year=2026").json()}
    assert (
        sources["city"]["paid"] == "250.01" and sources["district:成都高新区"]["paid"] == "750.02"
    )
    claw = post(admin, f"/api/v1/cases/{case.pk}/clawback", {"why": "虚报"})
    assert claw.status_code == 201 and claw.json()["amount"] == "1000.03"
    assert post(admin, f"/api/v1/cases/{case.pk}/clawback", {"why": "虚报"}).status_code == 409
    rid = claw.json()["id"]
    over = post(admin, f"/api/v1/recoveries/{rid}/repayments", {"amount": "2000"})
    assert over.status_code == 409
    back = post(admin, f"/api/v1/recoveries/{rid}/repayments", {"amount": "1000.03"})
    assert back.json()["closed"] is True
    ledger = admin.get(f"{url}/ledger?year=2026").json()
    assert ledger["revoked"] == "1000.03" and ledger["problems"] == []
    firm = client_for(people["firm"])
    assert post(firm, f"/api/v1/recoveries/{rid}/repayments", {"amount": "1"}).status_code == 403
    assert firm.get(f"{url}/treasury?year=2026").status_code == 403


def test_publicity_and_credit_through_the_api(city, people):
    admin = client_for(people["admin"])
    policy = make_policy("city.award", "automatic")
    services.set_publicity_days(policy, 5, people["admin"], "公示")
    [match] = make_matches(policy, [city[0]], ["1000"])
    [case] = services.open_cases([match], 2026)
    services.confirm(case.pk, people["firm"], "6222020202020202")
    services.approve(case.pk, people["analyst"])
    listed = post(admin, f"/api/v1/policies/{policy.code}/publicity", {"year": 2026})
    assert listed.status_code == 201 and listed.json()["cases"] == 1
    objection = services.file_objection(listed.json()["id"], case.pk, "王", "13800000000", "已停产")
    decided = post(
        admin,
        f"/api/v1/objections/{objection.pk}/resolution",
        {"upheld": False, "reason": "已核实在产"},
    )
    assert decided.status_code == 200 and decided.json()["upheld"] is False
    CreditListing.objects.create(
        uscc=city[0].pk, kind="serious_dishonest", listed_on="2026-01-05", source="信用中国"
    )
    [entry] = admin.get(f"/api/v1/enterprises/{city[0].pk}/credit").json()
    assert entry["blocking"] is True and entry["source"] == "信用中国"
    assert (
        client_for(people["firm"]).get(f"/api/v1/enterprises/{city[0].pk}/credit").status_code
        == 403
    )
    assert Decimal(listed.json()["open_objections"]) == 0
