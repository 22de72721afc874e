"""The chains demo hook on a small city: believable maps, gaps and supporting rates."""

from decimal import Decimal

import pytest

from lianzhang.chains import complexity, demo, queries, services
from lianzhang.chains.models import (
    Chain,
    EnterpriseLink,
    LinkStatus,
    Listing,
    OutsideCompany,
    RegionValue,
    SupplyRelation,
)
from lianzhang.enterprises.models import Annual, Enterprise
from tests.conftest import needs_chromium

from .conftest import enterprise

#: (product, industry code, district, revenue in 万元): a small storage and display city.
CITY = [
    ("电池级碳酸锂", "2613", "成都高新区", 250_000),
    ("氢氧化锂", "2613", "双流区", 80_000),
    ("三元正极材料", "3985", "成都高新区", 120_000),
    ("隔膜", "2929", "新都区", 30_000),
    ("电解液", "2669", "新都区", 15_000),
    ("动力锂电池", "3841", "双流区", 900_000),
    ("锂离子电芯", "3841", "成都高新区", 400_000),
    ("储能电池", "3841", "龙泉驿区", 60_000),
    ("储能系统", "3841", "龙泉驿区", 200_000),
    ("储能变流器", "3825", "成都高新区", 20_000),
    ("电池管理系统", "3841", "成都高新区", 8_000),
    ("OLED显示面板", "3974", "成都高新区", 1_500_000),
    ("液晶显示模组", "3974", "双流区", 90_000),
    ("偏光片", "3985", "双流区", 12_000),
    ("火锅底料", "1461", "武侯区", 50_000),
]


@pytest.fixture
def city(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    for i, (product, code, district, wan) in enumerate(CITY, start=1):
        e = enterprise(i, f"成都演示{i:02d}{product}有限公司", product, code, district)
        for year, factor in ((2023, Decimal("0.9")), (2024, Decimal(1))):
            revenue = Decimal(wan) * 10_000 * factor
            Annual.objects.create(
                enterprise=e, year=year, revenue=revenue, main_revenue=revenue, output_value=revenue
            )
    return tmp_path


def test_demo_hook_fills_maps_gaps_and_supporting_rates(city):
    summary = demo.load_demo(echo=lambda line: None)
    assert "purchases" in summary
    assert (city / "demo" / "supply.csv").exists()
    reports = {
        r["chain"]: r for r in queries.chain_reports(Chain.objects.all(), Enterprise.objects.all())
    }
    storage = reports["energy-storage"]
    # the believable part: most storage nodes filled, the rest shown as gaps
    assert storage["enterprises"] >= 10 and 0 < storage["coverage"] < 1
    assert storage["gaps"]
    rate = storage["supply"]["rate"]
    assert 0.05 < rate < 0.95
    assert storage["supply"]["per_node"].height >= 3
    assert storage["supply"]["top_external"].height >= 1
    assert storage["listed"] is not None  # listings imported: a count, not unknown
    assert reports["display"]["enterprises"] >= 3
    # purchases sit on the buyer's own chain, local ones are registry enterprises
    local = SupplyRelation.objects.filter(supplier__isnull=False)
    assert local.exists() and all(s.supplier_id != s.buyer_id for s in local)
    assert SupplyRelation.objects.filter(supplier__isnull=True, node__isnull=True).count() == 0
    # confident links are confirmed, weaker ones stay candidates for an analyst
    assert EnterpriseLink.objects.filter(status=LinkStatus.CONFIRMED).exists()
    assert EnterpriseLink.objects.filter(status=LinkStatus.CANDIDATE).exists()
    # the region × industry table is stored and relatedness runs on it
    table = queries.region_table(demo.DATASET)
    result = complexity.compute(table)
    assert set(result.regions) == {e.district for e in Enterprise.objects.all()}
    assert OutsideCompany.objects.count() > 20 and Listing.objects.exists()


def test_demo_hook_is_idempotent_and_keeps_decisions(city):
    demo.load_demo(echo=lambda line: None)
    counts = (
        SupplyRelation.objects.count(),
        OutsideCompany.objects.count(),
        RegionValue.objects.count(),
        Listing.objects.count(),
    )
    link = EnterpriseLink.objects.filter(status=LinkStatus.CONFIRMED).first()
    services.decide_link(link, LinkStatus.REJECTED)
    total = sum(s.amount for s in SupplyRelation.objects.all())
    demo.load_demo(echo=lambda line: None)
    link.refresh_from_db()
    assert link.status == LinkStatus.REJECTED
    assert counts[1:] == (
        OutsideCompany.objects.count(),
        RegionValue.objects.count(),
        Listing.objects.count(),
    )
    # the rejected link drops its purchases; nothing is doubled
    assert SupplyRelation.objects.count() <= counts[0]
    assert sum(s.amount for s in SupplyRelation.objects.all()) <= total


def test_demo_hook_on_the_shared_registry_fixture(registry, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    demo.load_demo(echo=lambda line: None)
    chips = EnterpriseLink.objects.filter(enterprise=registry["chips"]).values_list(
        "node__chain__code", flat=True
    )
    assert "ic" in set(chips)
    assert not EnterpriseLink.objects.filter(enterprise=registry["food"]).exists()


@pytest.mark.browser
@needs_chromium
def test_browser_on_the_demo_chains(live_server, city, users, page):
    """The demo's storage map: click 电池制造 on the chart, then an enterprise of it."""
    from tests.conftest import PASSWORD

    demo.load_demo(echo=lambda line: None)
    page.goto(f"{live_server.url}/chains/")
    page.fill("input[name=username]", "analyst")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_selector("#chain-table")
    page.click("#chain-table a:has-text('新型储能')")
    page.wait_for_selector("#chain-chart canvas")
    assert "本地配套率" in page.content()
    page.locator("#chain-chart").scroll_into_view_if_needed()
    x, y = page.evaluate(
        """() => {
          const data = window.chainChart.getModel().getSeriesByIndex(0).getData();
          for (let i = 0; i < data.count(); i++) {
            if (data.getName(i) === '电池制造') {
              return data.getItemGraphicEl(i).transformCoordToGlobal(0, 0);
            }
          }
        }"""
    )
    box = page.locator("#chain-chart canvas").first.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_selector("#node-title:has-text('电池制造')")
    first = page.locator("#node-enterprises tbody tr a").first
    name = first.inner_text()
    first.click()
    page.wait_for_url("**/enterprises/*/")
    assert name in page.content()


def test_demo_hook_on_the_generated_demo_city(db, settings, tmp_path):
    """The lead's demo city generator, then this hook: every chain has a believable map."""
    from lianzhang.demo import loader

    settings.DATA_DIR = tmp_path
    loader.load_demo(seed=7, enterprises=1500, echo=lambda line: None)
    demo.load_demo(echo=lambda line: None)
    reports = queries.chain_reports(Chain.objects.all(), Enterprise.objects.all())
    assert len(reports) == 12
    for r in reports:
        assert r["enterprises"] > 0, r["chain"]
        assert r["covered"] >= 1 and r["index"].value is not None, r["chain"]
    rates = [r["supply"]["rate"] for r in reports if r["supply"] and r["supply"]["total"]]
    assert len(rates) >= 9 and all(0 <= x <= 1 for x in rates)
    assert 0.15 < sum(rates) / len(rates) < 0.8  # neither all local nor all bought in
    assert sum(len(r["gaps"]) for r in reports) >= 12  # gaps to fill, on most chains
