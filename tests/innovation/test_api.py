"""The innovation API: same rules as the pages, through the same services."""

import datetime as dt
import json
from decimal import Decimal

from django.test import Client

from lianzhang.accounts.services import issue_token
from lianzhang.innovation.models import Demand, MatchMark, Payment

from .conftest import FIRM, OTHER

BASE = "/api/v1/innovation"


def client_for(user):
    return Client(headers={"authorization": f"Bearer {issue_token(user, 'test')}"})


def post(client, url, body=None):
    return client.post(BASE + url, json.dumps(body or {}), content_type="application/json")


DEMAND = {
    "uscc": FIRM,
    "title": "碳化硅模块封装",
    "problem": "车规级碳化硅功率器件封装可靠性测试",
    "budget": "900000.50",
    "node_code": "power",
    "chain_code": "ic",
    "min_trl": 5,
}


def test_needs_authentication(db):
    assert Client().get(BASE + "/demands").status_code == 401
    bad = Client(headers={"authorization": "Bearer nope"})
    assert bad.get(BASE + "/challenges").status_code == 401


def test_demand_posting_visibility_matches_and_marks(people, supply):
    firm, other, analyst = (client_for(people[r]) for r in ("firm", "other", "analyst"))
    response = post(firm, "/demands", DEMAND)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["budget"] == "900000.50" and body["region"] == "成都高新区"
    pk = body["id"]
    # another enterprise can neither post for FIRM nor see its demand
    refused = post(other, "/demands", DEMAND)
    assert refused.status_code == 403 and refused.json()["error_zh"]
    assert Demand.objects.count() == 1
    assert other.get(f"{BASE}/demands/{pk}").status_code == 404
    assert other.get(BASE + "/demands").json() == []
    assert [d["id"] for d in analyst.get(BASE + "/demands").json()] == [pk]

    matches = firm.get(f"{BASE}/demands/{pk}/matches").json()
    assert matches[0]["name"] == "碳化硅功率器件封装与可靠性测试"
    kinds = {r["kind"] for r in matches[0]["reasons"]}
    assert {"text", "node", "budget"} <= kinds
    assert any(r["zh"].startswith("共同关键词") for r in matches[0]["reasons"])
    assert [m["score"] for m in matches] == sorted((m["score"] for m in matches), reverse=True)
    assert "火锅底料风味稳定工艺" not in {m["name"] for m in matches}

    top = matches[0]["key"]
    assert post(firm, f"/demands/{pk}/marks", {"target": top, "good": False}).status_code == 403
    marked = post(analyst, f"/demands/{pk}/marks", {"target": top, "good": False, "note": "不行"})
    assert marked.status_code == 200 and MatchMark.objects.get().good is False
    again = firm.get(f"{BASE}/demands/{pk}/matches").json()
    assert again[0]["key"] != top
    assert next(m for m in again if m["key"] == top)["mark"] is False
    missing = post(analyst, f"/demands/{pk}/marks", {"target": "capability:999999", "good": True})
    assert missing.status_code == 404


def test_bad_input_is_a_bilingual_400_and_writes_nothing(people):
    firm = client_for(people["firm"])
    for bad in ({"budget": "12.345"}, {"min_trl": 12}, {"cooperation": "forever"}):
        response = post(firm, "/demands", {**DEMAND, **bad})
        assert response.status_code in (400, 422), (bad, response.content)
    response = post(firm, "/demands", {**DEMAND, "budget": "12.345"})
    assert response.status_code == 400
    assert "分" in response.json()["error_zh"] and response.json()["error_en"]
    assert not Demand.objects.exists()


def test_result_posting_and_its_matches(people, supply):
    firm, analyst = client_for(people["firm"]), client_for(people["analyst"])
    post(firm, "/demands", DEMAND)
    post(client_for(people["other"]), "/demands", {**DEMAND, "uscc": OTHER, "title": "碳化硅外延"})
    # an enterprise posts its own result; not for a university it does not represent
    uni = supply["providers"]["uni"].pk
    body = {"title": "碳化硅模块银烧结封装工艺", "kind": "result", "trl": 6, "price": "500000"}
    assert post(firm, "/capabilities", {**body, "provider_id": uni}).status_code == 403
    created = post(firm, "/capabilities", {**body, "uscc": FIRM, "industry_code": "3972"})
    assert created.status_code == 201, created.content
    result = created.json()
    assert result["provider_kind"] == "enterprise" and result["price"] == "500000.00"
    assert post(analyst, "/capabilities", {**body, "provider_id": uni}).status_code == 201

    seen = firm.get(f"{BASE}/capabilities/{result['id']}/matches").json()
    # the firm sees only its own demand and itself among enterprises
    assert [m["provider"] for m in seen["demands"]] == ["成都芯动半导体有限公司"]
    assert {m["id"] for m in seen["enterprises"]} <= {FIRM}
    everything = analyst.get(f"{BASE}/capabilities/{result['id']}/matches").json()
    assert len(everything["demands"]) == 2
    assert everything["enterprises"][0]["id"] == FIRM  # same industry class, shared terms
    assert any(r["kind"] == "industry" for r in everything["enterprises"][0]["reasons"])


def test_challenge_workflow_through_the_api(people, supply):
    admin, analyst, firm = (client_for(people[r]) for r in ("admin", "analyst", "firm"))
    experts = [client_for(people[f"expert{i}"]) for i in (1, 2)]
    uni, inst = supply["providers"]["uni"].pk, supply["providers"]["inst"].pk
    spec = {
        "title": "车规级碳化硅模块封装攻关",
        "goal": "攻克封装可靠性",
        "award": "3000000.00",
        "deadline": str(dt.date.today() + dt.timedelta(days=30)),
        "eligible_kinds": ["university", "institute"],
    }
    assert post(firm, "/challenges", spec).status_code == 403
    c = post(admin, "/challenges", spec).json()
    assert c["status"] == "draft"
    assert all(x["id"] != c["id"] for x in firm.get(BASE + "/challenges").json())  # drafts hidden
    url = f"/challenges/{c['id']}"
    assert post(admin, url + "/actions/publish").json()["status"] == "published"
    assert post(firm, url + "/applications", {"plan": "x", "provider_id": uni}).status_code == 403
    a1 = post(analyst, url + "/applications", {"plan": "银烧结", "provider_id": uni}).json()
    a2 = post(analyst, url + "/applications", {"plan": "双面散热", "provider_id": inst}).json()
    assert post(admin, url + "/actions/close").json()["status"] == "reviewing"
    conflicted = {"conflict": True, "score": "90"}
    assert post(experts[0], f"/applications/{a1['id']}/reviews", conflicted).status_code == 400
    post(
        experts[0], f"/applications/{a1['id']}/reviews", {"conflict": True, "conflict_note": "校友"}
    )
    post(experts[0], f"/applications/{a2['id']}/reviews", {"conflict": False, "score": "70"})
    post(experts[1], f"/applications/{a1['id']}/reviews", {"conflict": False, "score": "88.5"})
    post(experts[1], f"/applications/{a2['id']}/reviews", {"conflict": False, "score": "80"})
    during = firm.get(BASE + url).json()
    assert all(a["mean_score"] is None for a in during["applications"])  # not shown before award
    awarded = post(admin, url + "/actions/award").json()
    assert awarded["winner_id"] == a1["id"] and awarded["status"] == "awarded"
    scores = {a["id"]: a["mean_score"] for a in awarded["applications"]}
    assert scores == {a1["id"]: "88.50", a2["id"]: "75.00"}
    post(admin, url + "/milestones", {"title": "样品", "due": "2027-01-31", "amount": "1000000.01"})
    body = post(
        admin, url + "/milestones", {"title": "中试", "due": "2027-06-30", "amount": "1999999.99"}
    )
    over = post(admin, url + "/milestones", {"title": "超", "due": "2027-09-30", "amount": "0.01"})
    assert over.status_code == 400 and "超过" in over.json()["error_zh"]
    m1, m2 = (m["id"] for m in body.json()["milestones"])
    assert post(admin, f"/milestones/{m1}/pay").status_code == 400  # not reached yet
    assert post(admin, url + "/actions/accept").status_code == 400  # milestones pending
    for m in (m1, m2):
        post(admin, f"/milestones/{m}/reach", {"on": "2027-06-01"})
        post(admin, f"/milestones/{m}/pay", {"on": "2027-06-10"})
    done = post(admin, url + "/actions/accept", {"on": "2027-07-01", "note": "指标达到"}).json()
    assert done["status"] == "accepted" and done["accepted_on"] == "2027-07-01"
    assert done["paid"] == "3000000.00" == done["award"]
    assert [m["paid_on"] for m in done["milestones"]] == ["2027-06-10", "2027-06-10"]
    assert sum(p.amount for p in Payment.objects.all()) == Decimal("3000000.00")


def test_two_way_mode_and_pipeline(people, supply):
    admin, firm, other = (client_for(people[r]) for r in ("admin", "firm", "other"))
    result = supply["caps"]["substrate"].pk
    c = post(
        admin,
        "/challenges",
        {
            "mode": "result",
            "title": "碳化硅外延成果转化",
            "goal": "寻找承接企业",
            "award": "0",
            "deadline": str(dt.date.today() + dt.timedelta(days=30)),
            "result_id": result,
        },
    ).json()
    post(admin, f"/challenges/{c['id']}/actions/publish")
    took = post(firm, f"/challenges/{c['id']}/applications", {"plan": "建线承接", "uscc": FIRM})
    assert took.status_code == 201 and took.json()["uscc"] == FIRM
    stolen = post(other, f"/challenges/{c['id']}/applications", {"plan": "x", "uscc": FIRM})
    assert stolen.status_code == 403

    assert (
        post(
            firm, f"/results/{result}/stages", {"stage": "screening", "on": "2026-01-05"}
        ).status_code
        == 403
    )
    history = post(
        admin,
        f"/results/{result}/stages",
        {"stage": "screening", "on": "2026-01-05", "owner": "王经理"},
    )
    assert history.status_code == 201
    skip = post(admin, f"/results/{result}/stages", {"stage": "pilot", "on": "2026-02-01"})
    assert skip.status_code == 400 and skip.json()["error_en"]
    post(
        admin,
        f"/results/{result}/stages",
        {"stage": "poc", "on": "2026-03-01", "outcome": "筛选通过"},
    )
    board = admin.get(BASE + "/pipeline?stall_days=30").json()
    assert board["counts"]["poc"] == 1 and board["reached"]["screening"] == 1
    assert board["conversion"]["screening→poc"] == "1.0000"
    assert board["conversion"]["poc→pilot"] == "0.0000"
    assert board["conversion"]["pilot→incubation"] is None  # nothing entered: unknown
    assert board["conversion_by_source"]["institute"]["screening→poc"] == "1.0000"
    assert board["by_chain"]["ic"]["poc"] == 1
    assert [s["result_id"] for s in board["stalled"]] == [result]


def test_platforms_are_registered_by_the_bureau(people):
    body = {
        "name": "成都中试基地",
        "kind": "pilot",
        "services": "中试放大",
        "industry_code": "3985",
    }
    assert post(client_for(people["firm"]), "/platforms", body).status_code == 403
    assert post(client_for(people["admin"]), "/platforms", {**body, "kind": "x"}).status_code == 400
    made = post(client_for(people["admin"]), "/platforms", body)
    assert made.status_code == 201 and made.json()["kind"] == "pilot"
    listed = client_for(people["firm"]).get(BASE + "/platforms?kind=pilot").json()
    assert [p["name"] for p in listed] == ["成都中试基地"]
