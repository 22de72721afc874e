"""一企一档: the enterprise page gathers every module's panel in tabs, scoped by the viewer.

Each module contributes its panel through its own inclusion tag (the registry imports no
module above it). The rows are real, created here: a match, a case with its amounts and a
payment, chain links (one confirmed, one a candidate), a demand, a result on the pipeline,
a challenge, an appeal, a listing stage, and the same kinds of rows for another firm in
another district, which must never show on this file.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from lianzhang.appeals import services as appeals
from lianzhang.appeals.models import SlaProfile
from lianzhang.chains.models import Chain, EnterpriseLink, Node
from lianzhang.cultivation.models import ListingCandidate
from lianzhang.innovation import services as innovation
from lianzhang.innovation.models import Capability, Challenge, Provider, StageEntry
from lianzhang.policies.models import Case, Match, MatchRun, PaymentOrder, Policy
from tests.conftest import FOOD, HIGH_TECH, PASSWORD, ROBOT, needs_chromium

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def file(users):
    """Rows of every module for 芯谷 (高新区) and for 川味 (武侯区)."""
    ours = Policy.objects.create(
        code="file.rd-subsidy", title="研发投入后补助（档案测试）", mode="automatic", source="id: x"
    )
    theirs = Policy.objects.create(
        code="file.food", title="食品企业技改补助（他人）", mode="automatic", source="id: y"
    )
    run = MatchRun.objects.create(as_of=dt.date(2026, 6, 30), finished_at=timezone.now())
    match = Match.objects.create(
        run=run, enterprise_id=HIGH_TECH, policy=ours, verdict="eligible", award=Decimal("480000")
    )
    Match.objects.create(
        run=run, enterprise_id=FOOD, policy=theirs, verdict="eligible", award=Decimal("90000")
    )
    case = Case.objects.create(
        enterprise_id=HIGH_TECH,
        policy=ours,
        year=2026,
        state="paid",
        match=match,
        award_computed=Decimal("500000"),
        award_granted=Decimal("480000"),
    )
    PaymentOrder.objects.create(
        case=case,
        amount=Decimal("480000"),
        status="paid",
        bank_account="6222020000001",
        settled_at=timezone.now(),
    )
    Case.objects.create(
        enterprise_id=FOOD,
        policy=theirs,
        year=2026,
        state="approved",
        award_granted=Decimal("91357"),
    )

    chain = Chain.objects.create(code="ic", name="集成电路", name_en="Integrated circuits")
    nodes = {
        code: Node.objects.create(chain=chain, code=code, name=name, segment=seg, kind="product")
        for code, name, seg in (
            ("ic-materials", "半导体材料", "upstream"),
            ("ic-chips", "功率芯片", "midstream"),
            ("ic-packaging", "封装测试", "downstream"),
        )
    }
    EnterpriseLink.objects.create(
        enterprise_id=HIGH_TECH, node=nodes["ic-chips"], status="confirmed", confidence=0.93
    )
    EnterpriseLink.objects.create(
        enterprise_id=HIGH_TECH, node=nodes["ic-packaging"], status="candidate", confidence=0.41
    )

    demand = innovation.post_demand(
        users["enterprise"], HIGH_TECH, title="功率芯片散热难题", problem="高功率密度下的散热"
    )
    innovation.post_demand(users["admin"], FOOD, title="辣椒分拣自动化", problem="分拣")
    provider = Provider.objects.create(
        name="芯谷研究院", kind="enterprise", enterprise_id=HIGH_TECH
    )
    result = Capability.objects.create(
        provider=provider, kind="result", title="碳化硅驱动模块", trl=6
    )
    StageEntry.objects.create(result=result, stage="pilot", entered_on=dt.date(2026, 1, 5))
    Challenge.objects.create(
        title="车规级芯片封装揭榜",
        goal="良率 99%",
        award=Decimal("2000000"),
        deadline=dt.date(2026, 12, 31),
        demand=demand,
        poster_id=HIGH_TECH,
        status="published",
    )

    SlaProfile.objects.create(name="求助", category="help", response=1, resolution=3)
    for uscc, title in ((HIGH_TECH, "扩建用地指标"), (FOOD, "冷库用电增容")):
        appeals.file_appeal(
            users["admin"],
            uscc=uscc,
            channel="web",
            category="help",
            subject="用地",
            title=title,
            text=f"{title}迟迟未批",
            now=AT,
        )
    ListingCandidate.objects.create(
        enterprise_id=HIGH_TECH, stage="tutoring", since=dt.date(2025, 9, 1)
    )
    return {"case": case, "nodes": nodes}


OURS = (
    "研发投入后补助（档案测试）",  # the match and the case
    "480,000.00",  # the amount granted and paid
    "功率芯片",  # the confirmed node
    "功率芯片散热难题",  # the demand
    "碳化硅驱动模块",  # the result
    "车规级芯片封装揭榜",  # the challenge
    "扩建用地指标",  # the appeal
    "辅导备案",  # the listing stage
    "高新技术企业",  # the tier held
)
THEIRS = ("食品企业技改补助（他人）", "91,357.00", "辣椒分拣自动化", "冷库用电增容")
TABS = ("tab-overview", "tab-indicators", "tab-titles", "tab-policies", "tab-chains",
        "tab-innovation", "tab-appeals", "tab-tiers")  # fmt: skip


def html_of(client, uscc=HIGH_TECH):
    response = client.get(f"/enterprises/{uscc}/")
    assert response.status_code == 200
    return response.content.decode()


def panel(html, tab):
    """The HTML of one tab's panel."""
    marker = f'id="{tab}" role="tabpanel"'
    start = html.index(marker)
    end = html.find('role="tabpanel"', start + len(marker))
    return html[start : end if end > 0 else len(html)]


@pytest.mark.parametrize("role", ["admin", "analyst", "district"])
def test_staff_see_every_module_of_the_firm_and_nothing_of_another(client_as, file, role):
    html = html_of(client_as(role))
    for tab in TABS:
        assert f'href="#{tab}"' in html and f'id="{tab}"' in html
    for text in OURS:
        assert text in html, text
    for text in THEIRS:
        assert text not in html, text
    assert "500,000.00" in panel(html, "tab-policies")  # the award by formula
    chains = panel(html, "tab-chains")
    assert "封装测试" in chains and "0.41" in chains  # staff see the candidate link too
    assert f'href="/chains/ic/nodes/{file["nodes"]["ic-chips"].pk}/"' in chains
    assert f'href="/policies/cases/{file["case"].pk}/"' in panel(html, "tab-policies")
    # the registry's own sections stay, in their tabs
    assert "称号" in panel(html, "tab-titles") and 'id="credit"' in panel(html, "tab-titles")
    assert "历年指标" in panel(html, "tab-indicators")


def test_bureau_reaches_every_module_from_the_file(client_as, file):
    html = html_of(client_as("analyst"))
    expected = (
        "/policies/mine/?uscc=",
        "/policies/money/file.rd-subsidy/2026/",
        "/chains/ic/",
        "/innovation/demands/",
        "/innovation/challenges/",
        "/appeals/",
        "/cultivation/",
    )
    for url in expected:
        assert f'href="{url}' in html, url
    for url in re.findall(
        r'href="(/(?:policies|chains|innovation|appeals|cultivation)/[^"#]*)"', html
    ):
        answer = client_as("analyst").get(url.replace("&amp;", "&"), follow=True)
        assert answer.status_code == 200, url


def test_district_officer_sees_only_its_district(client_as, file):
    client = client_as("district")
    assert client.get(f"/enterprises/{FOOD}/").status_code == 404  # 武侯区: as if missing
    html = html_of(client, ROBOT)  # same district, a firm with no module rows
    for text in (*OURS[:-1], *THEIRS):
        assert text not in html, text
    assert "暂无事项" in panel(html, "tab-policies")


def test_enterprise_user_sees_its_own_file_only(client_as, file):
    client = client_as("enterprise")
    for other in (FOOD, ROBOT):
        assert client.get(f"/enterprises/{other}/").status_code == 404
    html = html_of(client)
    for text in OURS:
        assert text in html, text
    for text in THEIRS:
        assert text not in html, text
    chains = panel(html, "tab-chains")
    assert "功率芯片" in chains and "0.93" not in chains  # confirmed placement, no analysis
    assert "/chains/ic/nodes/" not in chains and "封装测试</a>" not in chains
    assert "/policies/money/" not in html  # the ledger is the bureau's
    assert 'href="/cultivation/' not in html  # the pyramid of other firms is not its business


def test_the_file_in_english(client_as, file):
    client = client_as("analyst")
    client.cookies["django_language"] = "en"
    html = html_of(client)
    for label in ("Enterprise overview", "Policies", "Chains", "Innovation", "Appeals", "Tiers",
                  "Policy matches", "Payment orders", "Chain nodes and links",
                  "Technical demands", "Cultivation tiers", "High-tech enterprise",
                  "Integrated circuits"):  # fmt: skip
        assert label in html, label


def test_modules_without_an_app_have_no_tab(client_as, file):
    html = html_of(client_as("admin"))
    tabs = re.findall(r'role="tab" aria-controls="([\w-]+)"', html)
    assert tabs == list(TABS)
    for missing in ("亩均", "数字化转型", "项目调度"):
        assert missing not in html


@pytest.mark.browser
@needs_chromium
def test_browser_opens_the_file_and_switches_tabs(live_server, users, file, page):
    page.goto(f"{live_server.url}/enterprises/{HIGH_TECH}/")
    page.fill("input[name=username]", "chips")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_selector("#chart canvas")
    # one panel at a time: the overview with its chart, the others hidden
    assert page.locator("#tab-overview").is_visible()
    assert not page.locator("#tab-policies").is_visible()
    assert page.get_attribute("#tab-overview-tab", "aria-selected") == "true"

    page.click("#tab-policies-tab")
    assert page.locator("#file-case-table").is_visible()
    assert "480,000.00" in page.locator("#file-payment-table").inner_text()
    assert not page.locator("#tab-overview").is_visible()
    assert page.url.endswith("#tab-policies")

    page.keyboard.press("ArrowRight")  # the keyboard moves along the tabs
    assert page.locator("#tab-chains").is_visible()
    assert "功率芯片" in page.locator("#file-link-table").inner_text()

    page.click("#tab-appeals-tab")
    assert "扩建用地指标" in page.locator("#tab-appeals").inner_text()

    page.reload()  # the address keeps the open tab
    page.wait_for_selector("#tab-appeals:not([hidden])")
    assert not page.locator("#tab-policies").is_visible()

    page.goto(f"{live_server.url}/enterprises/{HIGH_TECH}/#credit")  # a section in a tab
    page.wait_for_selector("#credit", state="visible")
    assert page.get_attribute("#tab-titles-tab", "aria-selected") == "true"

    page.click("#tab-overview-tab")  # the chart drawn earlier still has its size
    box = page.locator("#chart canvas").bounding_box()
    assert box["width"] > 300 and box["height"] > 200
