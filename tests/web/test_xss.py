"""Stored XSS, in a real browser: markup planted in every free-text field a chart or its
tooltip shows is shown as text, and the pages still work under the Content-Security-Policy.

An analyst may rename a chain node to ``<img src=x onerror=…>``; ECharts' tooltips are
HTML, so each chart's formatter escapes what it shows. Each test plants the markup
(chain and node names, policy titles, district names, handling-unit names, an enterprise
name), opens the page in headless Chromium, moves the mouse over the chart's items and
across its canvas, and asserts that the tooltip's text contains the markup verbatim, that
no ``<img src=x>`` or ``<b class=xss>`` element exists anywhere, that the handler never
ran, and that the browser reported no CSP violation (the page's own scripts all load).
Deselect with ``-m "not browser"``.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.conftest import FOOD, HIGH_TECH, PASSWORD, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]

IMG = '<img src=x onerror="window.__xss=1">'
BOLD = "<b class=xss>粗</b>"
MARK = IMG + BOLD

#: collects CSP violations before any page script runs (init scripts are not subject to CSP)
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || ''));
});
"""

#: where a chart's items are, in the chart's own pixels: tree nodes, or the x-axis categories
POINTS = """(id) => {
  const chart = echarts.getInstanceByDom(document.getElementById(id));
  const series = chart.getModel().getSeriesByIndex(0);
  const points = [];
  if (series.subType === 'tree') {
    const data = series.getData();
    for (let i = 0; i < data.count(); i++) {
      const el = data.getItemGraphicEl(i);
      if (el) points.push(el.transformCoordToGlobal(0, 0));
    }
  } else {
    const axis = chart.getModel().getComponent('xAxis', 0);
    axis.getCategories().forEach((_, i) => {
      points.push([chart.convertToPixel({xAxisIndex: 0}, i), chart.getHeight() / 2]);
    });
  }
  return points;
}"""

#: the text of the chart's tooltip (ECharts appends it to the chart's box, beside the canvas)
TOOLTIP = """(id) => {
  const box = document.getElementById(id);
  return Array.from(box.children)
    .filter((d) => !d.querySelector('canvas, svg') && d.style.display !== 'none')
    .map((d) => d.textContent).join(' | ');
}"""

#: what planted markup would have become, had it been inserted as HTML anywhere
PLANTED_ELEMENTS = "document.querySelectorAll('img[src=\"x\"], b.xss').length"


@pytest.fixture
def watched(page):
    """The page, with every CSP violation and CSP console error recorded."""
    errors = []
    page.add_init_script(WATCH)
    page.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.csp_errors = errors
    return page


def log_in(page, base, path, username="admin"):
    page.goto(f"{base}{path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")


def hover(page, chart_id):
    """Move the mouse over each item of the chart, then sweep the canvas; the tooltips seen."""
    page.wait_for_selector(f"#{chart_id} canvas")
    page.locator(f"#{chart_id}").scroll_into_view_if_needed()
    box = page.locator(f"#{chart_id}").bounding_box()
    points = page.evaluate(POINTS, chart_id)
    assert points, f"{chart_id}: nothing drawn"
    sweep = [
        (box["width"] * (i + 0.5) / 8, box["height"] * (j + 0.5) / 4)
        for j in range(4)
        for i in range(8)
    ]
    seen = []
    for x, y in [*points, *sweep]:
        page.mouse.move(box["x"] + x, box["y"] + y)
        page.wait_for_timeout(60)
        text = page.evaluate(TOOLTIP, chart_id)
        if text:
            seen.append(text)
    page.mouse.move(0, 0)
    return seen


def assert_shown_as_text(page, tooltips, planted=IMG):
    assert any(planted in t for t in tooltips), tooltips[:5]
    assert_nothing_ran(page)


def assert_nothing_ran(page):
    assert page.evaluate(PLANTED_ELEMENTS) == 0
    assert page.evaluate("window.__xss") is None
    assert page.evaluate("window.__csp") == []
    assert page.csp_errors == []


def test_chain_map_and_print_report(live_server, users, watched):
    from lianzhang.chains import services
    from lianzhang.chains.models import Chain, Node

    chains = {c.code: c for c in services.load_templates()}
    chain = chains["ic"]
    Chain.objects.filter(pk=chain.pk).update(name=MARK + "集成电路")
    nodes = list(Node.objects.filter(chain=chain).order_by("pk"))
    for n in nodes[:: max(1, len(nodes) // 6)]:
        Node.objects.filter(pk=n.pk).update(name=MARK + n.name)

    log_in(watched, live_server.url, "/chains/ic/")
    watched.wait_for_selector("#chain-chart canvas")
    assert IMG in watched.locator("h1").inner_text()  # the page's text, escaped by Django
    assert IMG in watched.locator("#node-table").inner_text()
    tooltips = hover(watched, "chain-chart")
    assert any(t.startswith(IMG) and t.endswith("集成电路") for t in tooltips), tooltips[:5]
    assert_shown_as_text(watched, tooltips)

    # a click on a planted node still lists its enterprises (htmx under the CSP)
    watched.locator("#node-table a").first.click()
    watched.wait_for_selector("#node-title")
    assert_nothing_ran(watched)

    watched.goto(f"{live_server.url}/chains/ic/report/")
    watched.wait_for_selector("#print-chart svg")
    assert IMG in watched.locator("#print-nodes").inner_text()
    assert_nothing_ran(watched)


def test_policy_dashboard(live_server, users, watched):
    from lianzhang.enterprises.models import Enterprise
    from lianzhang.policies.models import Case, Policy

    year = timezone.localdate().year
    for i, state in enumerate(["eligible", "approved"]):
        policy = Policy.objects.create(
            code=f"xss.{i}", title=f"{MARK}政策{i}", mode="automatic", source=f"id: xss.{i}"
        )
        for uscc in (FOOD, HIGH_TECH):
            Case.objects.create(
                enterprise_id=uscc,
                policy=policy,
                year=year,
                state=state,
                award_granted=Decimal("300000") if state == "approved" else None,
            )
    Enterprise.objects.filter(pk=FOOD).update(district=IMG + "武侯区")

    log_in(watched, live_server.url, "/policies/dashboard/", "analyst")
    watched.wait_for_selector("#coverage-chart canvas")
    assert IMG in watched.locator("#coverage").inner_text()
    assert_shown_as_text(watched, hover(watched, "coverage-chart"))
    assert_shown_as_text(watched, hover(watched, "district-chart"))


def test_policy_sandbox(live_server, users, watched):
    """The sandbox under the CSP: the policy <select> submits itself (a listener)."""
    from lianzhang.enterprises.models import Enterprise
    from lianzhang.policies import matching

    matching.sync_library(year=timezone.localdate().year)
    Enterprise.objects.filter(pk=FOOD).update(district=IMG + "武侯区")
    log_in(watched, live_server.url, "/policies/sandbox/", "analyst")
    watched.wait_for_selector("select[name=policy]")
    code = "local.example.specialized-award"  # the food company qualifies for it
    with watched.expect_navigation():  # a listener, not onchange=
        watched.select_option("select[name=policy]", code)
    assert f"policy={code}" in watched.url
    assert_nothing_ran(watched)


def test_appeals_dashboard(live_server, users, watched):
    from lianzhang.appeals import services
    from lianzhang.appeals.models import Department, Route, SlaProfile

    land = Department.objects.create(
        code="gx-land", name=MARK + "规划局", level="district", district="成都高新区"
    )
    Route.objects.create(subject="用地", level="district", district="成都高新区", department=land)
    SlaProfile.objects.create(
        name="求助", category="help", response=1, resolution=3, max_extension=5
    )
    at = dt.datetime(2025, 3, 3, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    appeal = services.file_appeal(
        users["enterprise"],
        uscc=HIGH_TECH,
        channel="director",
        category="help",
        subject="用地",
        title=MARK + "扩建用地",
        text="扩建用地指标未批",
        now=at,
    )
    services.dispatch(users["admin"], appeal, now=at + dt.timedelta(hours=1))

    log_in(watched, live_server.url, "/appeals/dashboard/?from=2025-01-01&to=2026-01-01")
    watched.wait_for_selector("#rates-chart canvas")
    assert IMG in watched.locator("#metrics").inner_text()
    assert_shown_as_text(watched, hover(watched, "rates-chart"))
    hover(watched, "trend-chart")
    assert_nothing_ran(watched)


def test_enterprise_file_and_list(live_server, users, watched):
    from lianzhang.enterprises.models import Enterprise

    Enterprise.objects.filter(pk=HIGH_TECH).update(name=MARK + "芯谷", main_product=MARK)
    log_in(watched, live_server.url, f"/enterprises/{HIGH_TECH}/", "analyst")
    watched.wait_for_selector("#chart canvas")
    assert IMG in watched.locator("h1").inner_text()
    tooltips = hover(watched, "chart")
    assert any("2024" in t for t in tooltips), tooltips[:5]
    assert_nothing_ran(watched)

    # the live search (htmx) swaps the results in under the CSP
    watched.goto(f"{live_server.url}/enterprises/")
    watched.fill("input[name=q]", "芯谷")
    # a function, not an expression string: Playwright evals expression strings in the page,
    # which the CSP (no 'unsafe-eval') refuses
    watched.wait_for_function(
        "() => document.querySelectorAll('#enterprise-table tbody tr').length == 1"
    )
    assert IMG in watched.locator("#enterprise-table").inner_text()
    assert_nothing_ran(watched)
