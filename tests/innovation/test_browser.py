"""In the demo city, a demand posted in the browser shows ranked capabilities with reasons.

Headless Chromium from the system through Playwright against the live server.
"""

import os
import shutil

import pytest

from lianzhang.innovation import demo
from lianzhang.innovation.models import Capability, Demand

from .conftest import FIRM

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (apt-get install chromium)"),
]


@pytest.fixture
def page():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        yield context.new_page()
        browser.close()


def test_posted_demand_shows_ranked_capabilities_with_reasons(live_server, people, page):
    summary = demo.load(seed=7, admin=people["admin"])
    assert summary["capabilities"] > 50 and Capability.objects.count() == summary["capabilities"]
    page.goto(f"{live_server.url}/innovation/demands/new/")
    page.fill("input[name=username]", "firm")
    page.fill("input[name=password]", "pw-123456")
    page.click("button[type=submit], button.primary")
    page.wait_for_selector("#demand-form")
    page.select_option("select[name=enterprise]", FIRM)
    page.fill("input[name=title]", "集成电路封装测试能力")
    page.fill("textarea[name=problem]", "需要芯片封装与测试设备及工艺，提升封装良率")
    page.fill("input[name=budget]", "2000000")
    page.fill("input[name=min_trl]", "5")
    page.select_option("select[name=cooperation]", "contract")
    page.click("#demand-form button[type=submit]")
    page.wait_for_selector("#matches li.match")
    assert "匹配的能力与成果" in page.content()  # the Chinese UI
    assert "技术需求已发布" in page.content()
    demand = Demand.objects.get()
    assert page.url.endswith(f"/innovation/demands/{demand.pk}/")
    items = page.locator("#matches li.match")
    assert items.count() == 10
    first = items.nth(0)
    reasons = first.locator("li.reason").all_inner_texts()
    assert any(r.startswith("共同关键词") for r in reasons), reasons
    assert (
        "封装" in " ".join(reasons)
        or "芯片" in " ".join(reasons)
        or "集成电路" in " ".join(reasons)
    )
    scores = [
        float(t.split("score")[-1].split("分")[-1].strip().split()[-1])
        for t in items.locator("span.muted").all_inner_texts()
    ]
    assert scores == sorted(scores, reverse=True)
    page.screenshot(path="/tmp/lianzhang-innovation-match.png", full_page=True)
