"""The pages beyond demands: posting results, a result's match page, the whole 揭榜挂帅
workflow through forms, the pipeline board and the Excel export."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
from django.test import Client

from lianzhang.innovation import services
from lianzhang.innovation.models import Capability, Challenge, Payment, Provider, Review

from .conftest import FIRM, OTHER


def login(user):
    client = Client()
    client.force_login(user)
    return client


def test_enterprise_posts_its_own_result_and_sees_who_needs_it(people, supply):
    services.post_demand(
        people["other"], OTHER, title="碳化硅外延片", problem="需要碳化硅外延工艺", budget="50.00"
    )
    firm = login(people["firm"])
    form = firm.get("/innovation/capabilities/new/").content.decode()
    assert f"e:{FIRM}" in form and "电子科技大学" not in form  # only its own enterprise
    response = firm.post(
        "/innovation/capabilities/new/",
        {
            "provider": f"e:{FIRM}",
            "kind": "result",
            "title": "碳化硅外延生长工艺",
            "trl": "6",
            "price": "120000.10",
            "industry_code": "3972",
        },
    )
    result = Capability.objects.get(title="碳化硅外延生长工艺")
    assert response.status_code == 302 and response["Location"].endswith(f"/{result.pk}/")
    assert result.provider.enterprise_id == FIRM and result.price == Decimal("120000.10")
    # posting for a university it does not represent is refused, nothing written
    uni = supply["providers"]["uni"].pk
    refused = firm.post(
        "/innovation/capabilities/new/", {"provider": str(uni), "kind": "result", "title": "冒名"}
    )
    assert refused.status_code == 200 and not Capability.objects.filter(title="冒名").exists()
    # the firm may not see OTHER's demand on the match page; the analyst may
    page = firm.get(f"/innovation/capabilities/{result.pk}/").content.decode()
    assert "碳化硅外延片" not in page
    page = login(people["analyst"]).get(f"/innovation/capabilities/{result.pk}/").content.decode()
    assert "碳化硅外延片" in page and "共同关键词" in page
    assert "成都川味食品有限公司" in page


def test_challenge_workflow_through_the_pages(people, supply):
    admin, analyst = login(people["admin"]), login(people["analyst"])
    demand = services.post_demand(
        people["firm"], FIRM, title="碳化硅模块封装", problem="封装可靠性", budget="2000000"
    )
    form = admin.get(f"/innovation/challenges/new/?demand={demand.pk}").content.decode()
    assert "碳化硅模块封装" in form
    deadline = dt.date.today() + dt.timedelta(days=20)
    admin.post(
        "/innovation/challenges/new/",
        {
            "demand": demand.pk,
            "title": "封装攻关",
            "goal": "攻克封装可靠性",
            "award": "2000000.00",
            "deadline": deadline.isoformat(),
            "eligible_kinds": ["university", "institute"],
        },
    )
    c = Challenge.objects.get()
    assert c.status == "draft" and c.demand == demand and c.poster_id == FIRM
    assert login(people["firm"]).get(f"/innovation/challenges/{c.pk}/").status_code == 404
    url = f"/innovation/challenges/{c.pk}/"
    admin.post(url + "publish/")
    uni, inst = supply["providers"]["uni"], supply["providers"]["inst"]
    bid = analyst.get(url).content.decode()
    assert 'id="apply"' in bid and "四川某食品研究院" in Provider.objects.values_list(
        "name", flat=True
    )
    assert "四川某食品研究院" in bid  # an institute is eligible
    analyst.post(url + "apply/", {"provider": uni.pk, "plan": "银烧结"})
    analyst.post(url + "apply/", {"provider": inst.pk, "plan": "双面散热"})
    login(people["firm"]).post(url + "apply/", {"provider": uni.pk, "plan": "冒名"})
    assert c.applications.count() == 2
    admin.post(url + "close/")
    a_uni, a_inst = c.applications.order_by("id")
    e1, e2 = login(people["expert1"]), login(people["expert2"])
    e1.post(url + "review/", {"application": a_uni.pk, "conflict": "1", "score": "99"})
    assert not Review.objects.exists()  # a conflicted expert cannot score: refused whole
    e1.post(url + "review/", {"application": a_uni.pk, "conflict": "1", "conflict_note": "校友"})
    e1.post(url + "review/", {"application": a_inst.pk, "score": "91"})
    e2.post(url + "review/", {"application": a_uni.pk, "score": "85"})
    e2.post(url + "review/", {"application": a_inst.pk, "score": "80"})
    page = admin.get(url).content.decode()
    assert "85.50" in page and "85.00" in page  # inst (91+80)/2, uni 85 by one expert
    admin.post(url + "award/")
    c.refresh_from_db()
    assert c.status == "awarded" and c.winner == a_inst
    admin.post(url + "milestone/", {"title": "样品", "due": "2027-01-31", "amount": "800000.50"})
    admin.post(url + "milestone/", {"title": "验收", "due": "2027-06-30", "amount": "1199999.50"})
    admin.post(url + "milestone/", {"title": "超出", "due": "2027-07-30", "amount": "0.01"})
    assert c.milestones.count() == 2
    admin.post(url + "accept/", {"on": "2027-07-01"})
    c.refresh_from_db()
    assert c.status == "awarded"  # milestones still pending
    for m in c.milestones.all():
        admin.post(url + "reach/", {"milestone": m.pk, "on": "2027-06-01"})
        admin.post(url + "pay/", {"milestone": m.pk, "on": "2027-06-15"})
    assert sum(p.amount for p in Payment.objects.all()) == Decimal("2000000.00")
    admin.post(url + "accept/", {"on": "2027-07-01", "note": "全部指标达到"})
    c.refresh_from_db()
    assert c.status == "accepted" and c.accepted_on == dt.date(2027, 7, 1)
    page = admin.get(url).content.decode()
    assert 'id="paid">2,000,000.00<' in page  # exact to the fen


def test_pipeline_advance_board_and_stalled(people, supply):
    admin = login(people["admin"])
    result = supply["caps"]["substrate"]
    url = f"/innovation/capabilities/{result.pk}/advance/"
    login(people["firm"]).post(url, {"stage": "screening", "on": "2026-01-05"})
    assert not result.stages.exists()
    admin.post(url, {"stage": "screening", "on": "2026-01-05", "owner": "王经理"})
    admin.post(url, {"stage": "poc", "on": "2026-02-01", "outcome": "值得验证"})
    admin.post(url, {"stage": "incubation", "on": "2026-03-01"})  # skips pilot: refused
    assert [e.stage for e in result.stages.all()] == ["screening", "poc"]
    assert result.stages.first().outcome == "值得验证"
    page = admin.get("/innovation/pipeline/?stall_days=30").content.decode()
    assert 'data-stage="poc"' in page and "碳化硅衬底低缺陷外延生长工艺" in page
    assert 'class="flag"' in page  # stalled since 2026-02-01
    assert "100.0%" in page  # screening → poc
    assert admin.get("/innovation/pipeline/?stall_days=-3").status_code == 200


def test_demand_list_exports_to_excel(people):
    services.post_demand(people["firm"], FIRM, title="碳化硅", problem="封装", budget="1234.56")
    services.post_demand(people["other"], OTHER, title="火锅", problem="保鲜")
    response = login(people["firm"]).get("/innovation/demands/export.xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "需求名称" and [r[1] for r in rows[1:]] == ["碳化硅"]  # its own only
    assert rows[1][10] == 1234.56
    everything = login(people["analyst"]).get("/innovation/demands/export.xlsx?q=火锅")
    rows = list(openpyxl.load_workbook(io.BytesIO(everything.content)).active.values)
    assert [r[1] for r in rows[1:]] == ["火锅"]
