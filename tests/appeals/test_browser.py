"""In the browser: an enterprise files an appeal, it goes to two units, one refuses with a
reason, the other completes it; the call-back is 不满意, it is redone and closed again."""

import pytest

from lianzhang.appeals.models import Appeal
from tests.conftest import HIGH_TECH, PASSWORD, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]


def _as(browser, live_server, username, path):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{live_server.url}{path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    return page


def test_appeal_loop_in_the_browser(live_server, browser, users, units):
    firm = _as(browser, live_server, "chips", "/appeals/new/")
    firm.wait_for_selector("#appeal-form")
    firm.select_option("select[name=enterprise]", HIGH_TECH)
    firm.select_option("select[name=category]", "help")
    firm.fill("input[name=subject]", "用地")
    firm.fill("input[name=title]", "扩建用地指标")
    firm.fill("textarea[name=text]", "扩建厂房需要新增用地指标，规划调整迟迟未批")
    firm.click("#appeal-form button[type=submit]")
    firm.wait_for_selector("#timeline")
    assert "诉求已受理" in firm.content()
    appeal = Appeal.objects.get()

    url = f"/appeals/{appeal.pk}/"
    boss = _as(browser, live_server, "admin", url)
    boss.click("#dispatch button")
    boss.wait_for_selector(".assignment")
    assert boss.locator(".assignment").count() == 2

    finance = _as(browser, live_server, "h-finance", url)
    box = finance.locator("[data-unit=gx-finance]")
    box.locator("form.refuse input[name=reason]").fill("用地事项不属财政金融局")
    box.locator("form.refuse button").click()
    finance.wait_for_selector("[data-unit=gx-finance][data-status=refused]")

    land = _as(browser, live_server, "h-land", url)
    land.locator("[data-unit=gx-land] form.accept button").click()
    land.wait_for_selector("[data-unit=gx-land][data-status=accepted]")
    land.locator("[data-unit=gx-land] textarea[name=answer]").fill("已协调用地指标")
    land.locator("[data-unit=gx-land] form.complete button").click()
    land.wait_for_selector("#appeal[data-status=closed]")

    boss.goto(f"{live_server.url}{url}")
    boss.select_option("#callback select[name=rating]", "unsatisfied")
    boss.fill("#callback input[name=reason]", "批复仍未下达")
    boss.check("#callback input[name=handler_cause]")
    boss.click("#callback button")
    boss.wait_for_selector("#appeal[data-status=open]")
    assert "重办" in boss.locator("#timeline").inner_text()

    land.goto(f"{live_server.url}{url}")
    land.locator("[data-unit=gx-land] textarea[name=answer]").fill("批复已下达")
    land.locator("[data-unit=gx-land] form.complete button").click()
    land.wait_for_selector("#appeal[data-status=closed]")
    appeal.refresh_from_db()
    assert appeal.status == "closed" and appeal.reopen_count == 1
    kinds = list(appeal.events.values_list("kind", flat=True))
    assert kinds.count("done") == 2 and "refused" in kinds and "callback" in kinds
