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
