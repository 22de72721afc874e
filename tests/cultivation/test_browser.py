"""In the browser: an analyst opens 梯度培育, the pyramid is drawn, sets a district target
from the page and narrows the view to that district."""

import pytest

from tests.conftest import PASSWORD, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]


def test_the_tier_view_in_the_browser(live_server, browser, users, run):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/cultivation/?on=2025-06-30")
    page.fill("input[name=username]", "analyst")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_selector("#pyramid-chart canvas")
    assert (
        page.locator("#pyramid tr[data-tier=specialized_sme] td.num").inner_text().startswith("1")
    )
    form = page.locator("form[action$='/cultivation/targets/']")
    form.locator("select[name=district]").select_option("武侯区")
    form.locator("select[name=tier]").select_option("little_giant")
    form.locator("input[name=count]").fill("2")
    form.locator("button").click()
    page.wait_for_selector("text=目标已保存")
    page.goto(f"{live_server.url}/cultivation/?on=2025-06-30")
    row = page.locator("#targets tbody tr").first
    assert row.inner_text().split() == ["武侯区", "专精特新“小巨人”企业", "2", "0", "0.0%"]
    page.wait_for_selector("#targets-chart canvas")
    page.select_option("form.filters select[name=district]", "武侯区")
    page.click("form.filters button")
    page.wait_for_selector("#districts tbody tr")
    assert page.locator("#districts tbody tr").all_inner_texts()[0].startswith("武侯区")
    assert page.locator("#districts tbody tr").count() == 1
    assert errors == []
