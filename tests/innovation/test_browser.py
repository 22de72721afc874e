"""In the demo city, a demand posted in the browser shows ranked capabilities with reasons.

Real headless Chromium from the system (never downloaded) through Playwright, against
pytest-django's live server; the demo city here is the shared registry fixture with the
chain templates and the innovation demo hook loaded.
"""

import pytest

from lianzhang.chains import services as chain_services
from lianzhang.innovation import demo
from lianzhang.innovation.models import Capability, Demand
from tests.conftest import HIGH_TECH, PASSWORD, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]


def test_posted_demand_shows_ranked_capabilities_with_reasons(live_server, users, page):
    chain_services.load_templates()
    demo.load_demo(lambda _line: None)
    assert Capability.objects.count() > 50
    page.goto(f"{live_server.url}/innovation/demands/new/")
    page.fill("input[name=username]", "chips")  # the enterprise user of 成都芯谷集成电路
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_selector("#demand-form")
    page.select_option("select[name=enterprise]", HIGH_TECH)
    page.fill("input[name=title]", "集成电路封装测试能力")
    page.fill("textarea[name=problem]", "需要芯片封装与测试设备及工艺，提升封装良率")
    page.fill("input[name=budget]", "2000000")
    page.fill("input[name=min_trl]", "5")
    page.select_option("select[name=cooperation]", "contract")
    page.click("#demand-form button[type=submit]")

    page.wait_for_selector("#matches li.match")
    assert "技术需求已发布" in page.content()  # the Chinese UI
    demand = Demand.objects.get(title="集成电路封装测试能力")
    assert demand.enterprise_id == HIGH_TECH and demand.budget == 2000000
    assert page.url.endswith(f"/innovation/demands/{demand.pk}/")
    items = page.locator("#matches li.match")
    assert items.count() == 10
    scores = [float(items.nth(i).get_attribute("data-score")) for i in range(items.count())]
    assert scores == sorted(scores, reverse=True)
    first = items.nth(0).locator("li.reason").all_inner_texts()
    shared = next(r for r in first if r.startswith("共同关键词"))
    assert any(term in shared for term in ("封装", "芯片", "集成电路", "测试"))
    everything = " ".join(items.locator("li.reason").all_inner_texts())
    assert "同一行业小类" in everything or "相近行业" in everything  # structure, not only words
    assert "报价在预算内" in everything or "报价超出预算" in everything
