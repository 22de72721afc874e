"""一企一档 in real Chromium: the enterprise file's tabs (``enterprises/tabs.js``).

One panel at a time; a click opens its panel and puts ``#tab-…`` in the address; the arrow
keys move along the tabs; an address with ``#tab-policies`` opens that tab directly; the
revenue chart, drawn while its panel was hidden, takes its size when its tab opens; no
script error on any page. An enterprise user sees its own file's tabs and is refused
another firm's file (404, as if missing). The rows are built the way
``test_enterprise_file.py`` builds them, fewer of them: a paid case, a chain link and an
appeal for 芯谷, and a case of 川味 that must never show.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.conftest import FOOD, HIGH_TECH, PASSWORD, ROBOT, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]

TABS = ("tab-overview", "tab-indicators", "tab-titles", "tab-policies", "tab-chains",
        "tab-innovation", "tab-appeals", "tab-tiers")  # fmt: skip


@pytest.fixture
def file(users):
    """A paid case, a confirmed chain link and an appeal for 芯谷; a case for 川味."""
    from lianzhang.appeals import services as appeals
    from lianzhang.appeals.models import SlaProfile
    from lianzhang.chains.models import Chain, EnterpriseLink, Node
    from lianzhang.policies.models import Case, Match, MatchRun, PaymentOrder, Policy

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
    node = Node.objects.create(
        chain=chain, code="ic-chips", name="功率芯片", segment="midstream", kind="product"
    )
    EnterpriseLink.objects.create(
        enterprise_id=HIGH_TECH, node=node, status="confirmed", confidence=0.93
    )
    SlaProfile.objects.create(name="求助", category="help", response=1, resolution=3)
    appeals.file_appeal(
        users["admin"],
        uscc=HIGH_TECH,
        channel="web",
        category="help",
        subject="用地",
        title="扩建用地指标",
        text="扩建用地指标迟迟未批",
        now=dt.datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
    )


@pytest.fixture
def errors():
    """The uncaught script errors of the test's page."""
    return []


@pytest.fixture
def page(browser, errors):
    """A fresh page (1280 × 900) that records every uncaught script error in ``errors``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()


def log_in(page, url, username):
    page.goto(url)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_selector("[data-tabs].ready")


def open_panels(page):
    """The ids of the panels a reader can see."""
    return [tab for tab in TABS if page.locator(f"#{tab}").is_visible()]


def test_tabs_show_one_panel_follow_clicks_and_keys(live_server, file, page, errors):
    url = f"{live_server.url}/enterprises/{HIGH_TECH}/"
    log_in(page, url, "analyst")
    page.wait_for_selector("#chart canvas")
    assert open_panels(page) == ["tab-overview"]
    assert page.get_attribute("#tab-overview-tab", "aria-selected") == "true"
    assert page.get_attribute("#tab-policies-tab", "tabindex") == "-1"

    for tab in TABS:  # every tab opens its own panel, alone, and names it in the address
        page.click(f"#{tab}-tab")
        assert open_panels(page) == [tab], tab
        assert page.url == f"{url}#{tab}"
        assert page.get_attribute(f"#{tab}-tab", "aria-selected") == "true"
    assert "扩建用地指标" in page.locator("#tab-appeals").inner_text()

    page.click("#tab-policies-tab")
    assert "480,000.00" in page.locator("#file-payment-table").inner_text()
    assert "食品企业技改补助（他人）" not in page.content()
    page.keyboard.press("ArrowRight")  # the keyboard moves along the tabs
    assert open_panels(page) == ["tab-chains"]
    assert page.url.endswith("#tab-chains")
    assert page.evaluate("() => document.activeElement.id") == "tab-chains-tab"
    assert "功率芯片" in page.locator("#file-link-table").inner_text()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert open_panels(page) == ["tab-titles"]
    assert page.url.endswith("#tab-titles")

    page.click("#tab-overview-tab")  # the first tab: ArrowLeft wraps round to the last
    page.keyboard.press("ArrowLeft")
    assert open_panels(page) == ["tab-tiers"]
    page.keyboard.press("ArrowRight")
    assert open_panels(page) == ["tab-overview"]
    assert errors == []


def test_an_address_with_a_tab_opens_it_and_the_chart_takes_its_size(
    live_server, file, page, errors
):
    url = f"{live_server.url}/enterprises/{HIGH_TECH}/"
    log_in(page, url, "analyst")
    page.goto(f"{url}#tab-policies")  # a fresh load of a shared link
    page.wait_for_selector("#tab-policies:not([hidden])")
    assert open_panels(page) == ["tab-policies"]
    assert page.get_attribute("#tab-policies-tab", "aria-selected") == "true"
    assert page.locator("#file-case-table").is_visible()
    assert not page.locator("#chart").is_visible()
    # the window changes size while the chart is hidden: ECharts shrinks it (to 100 px)
    page.set_viewport_size({"width": 1200, "height": 900})
    page.wait_for_function(
        "() => parseFloat(document.querySelector('#chart canvas').style.width) < 300"
    )  # so the size below comes from opening the tab, not from before

    page.click("#tab-overview-tab")  # the chart's tab: drawn while hidden, sized now
    canvas = page.locator("#chart canvas")
    canvas.wait_for(state="visible")
    page.wait_for_function(
        "() => document.querySelector('#chart canvas').getBoundingClientRect().width > 300"
    )
    box = canvas.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 200
    # something is painted on it: not every pixel is transparent
    assert page.evaluate(
        """() => {
            const c = document.querySelector('#chart canvas');
            const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 3; i < data.length; i += 4) if (data[i] > 0) return true;
            return false;
        }"""
    )

    page.click("#tab-indicators-tab")
    assert page.locator("table.indicators").is_visible()
    assert "2024" in page.locator("table.indicators thead").inner_text()
    assert errors == []


def test_an_enterprise_user_sees_its_tabs_and_is_refused_another_file(
    live_server, file, page, errors
):
    url = f"{live_server.url}/enterprises/{HIGH_TECH}/"
    log_in(page, url, "chips")
    assert open_panels(page) == ["tab-overview"]
    tabs = page.locator("[data-tabs] [role=tab]")
    assert [tabs.nth(i).get_attribute("aria-controls") for i in range(tabs.count())] == list(TABS)
    page.click("#tab-policies-tab")
    assert "研发投入后补助（档案测试）" in page.locator("#tab-policies").inner_text()
    assert "食品企业技改补助（他人）" not in page.content()
    page.click("#tab-chains-tab")
    assert "功率芯片" in page.locator("#tab-chains").inner_text()

    for other in (FOOD, ROBOT):  # another district, then the same district: both refused
        response = page.goto(f"{live_server.url}/enterprises/{other}/")
        assert response is not None and response.status == 404, other
        assert page.locator("[data-tabs]").count() == 0
        assert "成都川味食品有限公司" not in page.content()
        assert "成都智造机器人有限公司" not in page.content()
    response = page.goto(f"{live_server.url}/enterprises/{FOOD}/#tab-policies")
    assert response is not None and response.status == 404
    assert "91,357.00" not in page.content()
    assert errors == []
