import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from lianzhang.innovation import services
from lianzhang.innovation.models import Demand

from .conftest import FIRM, OTHER


def login(user):
    client = Client()
    client.force_login(user)
    return client


def test_enterprise_posts_a_demand_and_sees_matches(people, supply):
    from lianzhang.chains.services import load_templates

    load_templates(["ic"])
    client = login(people["firm"])
    page = client.get("/innovation/demands/new/")
    assert page.status_code == 200
    assert OTHER not in page.content.decode()  # only its own enterprise to choose
    response = client.post(
        "/innovation/demands/new/",
        {
            "enterprise": FIRM,
            "title": "碳化硅模块封装",
            "problem": "碳化硅功率器件封装可靠性测试",
            "cooperation": "contract",
            "budget": "900000.50",
            "chain_code": "ic",
            "node_code": "ic-packaging",
        },
    )
    demand = Demand.objects.get()
    assert (demand.chain_code, demand.node_code) == ("ic", "ic-packaging")
    assert response.status_code == 302 and response["Location"].endswith(f"/{demand.pk}/")
    assert demand.budget == Decimal("900000.50")
    html = client.get(response["Location"]).content.decode()
    assert "碳化硅功率器件封装与可靠性测试" in html and "共同关键词" in html
    assert 'name="good"' not in html  # only the bureau marks matches
    # another enterprise cannot see it
    assert login(people["other"]).get(response["Location"]).status_code == 404


def test_posting_for_another_enterprise_is_refused(people):
    response = login(people["firm"]).post(
        "/innovation/demands/new/",
        {"enterprise": OTHER, "title": "x", "problem": "y", "cooperation": "any"},
    )
    assert response.status_code == 200 and not Demand.objects.exists()


def test_analyst_marks_and_challenge_actions(people, supply):
    demand = services.post_demand(people["firm"], FIRM, title="碳化硅", problem="碳化硅器件封装")
    client = login(people["analyst"])
    html = client.get(f"/innovation/demands/{demand.pk}/").content.decode()
    key = f"capability:{supply['caps']['sic'].pk}"
    assert key in html
    client.post(f"/innovation/demands/{demand.pk}/mark/", {"target": key, "good": "0"})
    assert demand.marks.get().good is False
    ch = services.create_challenge(
        people["admin"], title="封装攻关", goal="目标", award="100", deadline=dt.date(2099, 1, 1)
    )
    client.post(f"/innovation/challenges/{ch.pk}/publish/")
    ch.refresh_from_db()
    assert ch.status == "published"
    # the enterprise user cannot move it
    login(people["firm"]).post(f"/innovation/challenges/{ch.pk}/close/")
    ch.refresh_from_db()
    assert ch.status == "published"
    assert "封装攻关" in client.get("/innovation/challenges/").content.decode()
    assert client.get("/innovation/pipeline/").status_code == 200


@pytest.mark.parametrize(
    "url", ["/innovation/", "/innovation/pipeline/", "/innovation/challenges/"]
)
def test_pages_need_login(db, url):
    assert Client().get(url).status_code == 302


def test_chain_and_node_are_chosen_from_lists_and_must_agree(people):
    from lianzhang.chains.services import load_templates

    load_templates(["ic", "rail"])
    client = login(people["firm"])
    html = client.get("/innovation/demands/new/").content.decode()
    assert '<select name="chain_code"' in html and '<optgroup label="集成电路' in html
    assert 'value="ic-packaging"' in html
    form = {"enterprise": FIRM, "title": "封装", "problem": "封装可靠性", "cooperation": "contract"}
    mismatch = client.post(
        "/innovation/demands/new/", {**form, "chain_code": "rail", "node_code": "ic-packaging"}
    )
    typed = client.post("/innovation/demands/new/", {**form, "chain_code": "nochain"})
    assert mismatch.status_code == 200 and typed.status_code == 200
    assert not Demand.objects.exists()
