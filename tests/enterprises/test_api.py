"""The registry API (/api/v1/enterprises): the pages' scope, out of reach answered like
missing, PATCH through the edit form."""

import json

import pytest

from lianzhang.accounts.services import issue_token
from lianzhang.enterprises.models import Enterprise
from tests.conftest import FOOD, HIGH_TECH, ROBOT

pytestmark = pytest.mark.django_db


def detail(uscc):
    return f"/api/v1/enterprises/{uscc}"


def patch(client, uscc, body, **headers):
    return client.patch(
        detail(uscc), json.dumps(body), content_type="application/json", headers=headers
    )


def test_anonymous_gets_401(client, registry):
    assert client.get("/api/v1/enterprises").status_code == 401
    assert client.get(detail(HIGH_TECH)).status_code == 401


def test_list_is_scoped_and_searchable(client_as):
    client = client_as("district")
    body = client.get("/api/v1/enterprises").json()
    assert body["count"] == 2
    assert {e["uscc"] for e in body["results"]} == {HIGH_TECH, ROBOT}
    found = client.get("/api/v1/enterprises", {"q": "机器人"}).json()["results"]
    assert [e["uscc"] for e in found] == [ROBOT]
    assert client.get("/api/v1/enterprises", {"q": FOOD}).json()["count"] == 0
    chips = client.get("/api/v1/enterprises", {"q": "芯谷"}).json()["results"][0]
    assert chips["latest_revenue"] == "260000000.00" and chips["above_scale"] is True
    assert chips["industry_name"]


def test_detail_has_annual_rows_with_exact_money_and_unknowns(client_as):
    body = client_as("enterprise").get(detail(HIGH_TECH)).json()
    assert body["name"] == "成都芯谷集成电路有限公司"
    years = {row["year"]: row for row in body["annual"]}
    assert years[2024]["rd_expense"] == "20800000.00"
    assert years[2023]["rd_expense"] is None
    assert years[2024]["rd_intensity"] == "0.08"
    assert {h["title"] for h in body["honours"]} == {"high_tech", "specialized_sme"}


@pytest.mark.parametrize("role", ["district", "enterprise"])
def test_out_of_reach_and_missing_answer_alike(client_as, role):
    client = client_as(role)
    other, missing = client.get(detail(FOOD)), client.get(detail("9" * 18))
    assert other.status_code == missing.status_code == 403
    # the same words, naming only the code that was asked for
    said = {k: v.replace(FOOD, "?") for k, v in other.json().items()}
    assert said == {k: v.replace("9" * 18, "?") for k, v in missing.json().items()}
    assert patch(client, FOOD, {"name": "改名"}).status_code == 403
    assert Enterprise.objects.get(pk=FOOD).name == "成都川味食品有限公司"


def test_enterprise_user_cannot_patch_its_own(client_as):
    response = patch(client_as("enterprise"), HIGH_TECH, {"main_product": "x"})
    assert response.status_code == 403


def test_patch_base_fields(client_as):
    response = patch(client_as("district"), ROBOT, {"park": "成都高新西区", "is_sei_product": True})
    assert response.status_code == 200, response.content
    assert response.json()["park"] == "成都高新西区"
    robot = Enterprise.objects.get(pk=ROBOT)
    assert robot.park == "成都高新西区" and robot.is_sei_product is True
    assert robot.name == "成都智造机器人有限公司"  # untouched fields stay


def test_patch_is_validated(client_as):
    client = client_as("analyst")
    assert patch(client, ROBOT, {"industry_code": "9999"}).status_code == 400
    assert patch(client, ROBOT, {"uscc": FOOD}).status_code == 400
    away = patch(client_as("district"), ROBOT, {"district": "武侯区"})
    assert away.status_code == 400
    assert Enterprise.objects.get(pk=ROBOT).district == "成都高新区"
    mars = patch(client, ROBOT, {"district": "火星区"})
    assert mars.status_code == 400 and "不是本市的区（市）县" in json.dumps(
        mars.json(), ensure_ascii=False
    )
    assert Enterprise.objects.get(pk=ROBOT).district == "成都高新区"


def test_token_auth(client, users):
    token = issue_token(users["district"], "test")
    ok = client.get("/api/v1/enterprises", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and ok.json()["count"] == 2
    bearer = patch(client, ROBOT, {"park": "新川"}, Authorization=f"Bearer {token}")
    assert bearer.status_code == 200
    wrong = client.get("/api/v1/enterprises", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401


def test_session_writes_need_csrf(users):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(users["admin"])
    assert patch(client, ROBOT, {"park": "x"}).status_code == 403
    assert client.get(detail(ROBOT)).status_code == 200
