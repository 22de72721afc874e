"""One real-browser run: log in, search the list, open an enterprise, see the chart drawn.

Headless Chromium from the system (never downloaded) through Playwright, against
pytest-django's live server. Deselect with ``-m "not browser"``.
"""

import pytest

from tests.conftest import HIGH_TECH, PASSWORD, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.fixture
def page(browser):
    """An English-speaking browser: the platform answers in Chinese all the same."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    yield context.new_page()
    context.close()


def test_login_search_and_chart(live_server, users, page):
    page.goto(f"{live_server.url}/enterprises/")
    page.fill("input[name=username]", "analyst")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")

    page.wait_for_selector("#enterprise-table")
    assert "企业名录" in page.content()  # Chinese although the browser asks for English
    rows = page.locator("#enterprise-table tbody tr")
    assert rows.count() == 3

    # live search through htmx: the results shrink without a page load
    page.fill("input[name=q]", "芯谷")
    page.wait_for_function(  # a function, not a string: the CSP forbids eval
        "() => document.querySelectorAll('#enterprise-table tbody tr').length == 1"
    )
    assert "q=" in page.url  # the search is in the address bar, so it can be shared
    # sorting swaps the results too
    page.click("#enterprise-table thead a:has-text('最新营业收入')")
    page.wait_for_selector("#enterprise-table thead a.sorted:has-text('最新营业收入')")
    assert "sort=revenue" in page.url

    page.click(f"a[href='/enterprises/{HIGH_TECH}/']")
    page.wait_for_selector("#chart canvas")
    assert page.url.endswith(f"/enterprises/{HIGH_TECH}/")  # a full page, not swapped in
    assert page.locator("header.topbar").count() == 1
    box = page.locator("#chart canvas").bounding_box()
    assert box["width"] > 300 and box["height"] > 200
    assert "历年指标" in page.content()
    page.wait_for_timeout(500)  # let the chart's short animation finish for the screenshot
