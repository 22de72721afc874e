"""The chains part of the demo city: templates, links, purchases, outside companies.

Called by the demo loader after the registry is loaded. Everything goes in through the
same services (and CSV files) an analyst would use, so the demo exercises the real
import paths. Idempotent: templates already in the database are left as edited, links
are re-proposed without touching decisions, and each generated table replaces its
previous version. Generated with a fixed seed, so two runs give the same numbers.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings

from lianzhang.enterprises.models import Annual, Enterprise

from . import queries, services
from .models import Chain, Kind, Node

SEED = 2024
#: Links at or above this confidence are confirmed as if an analyst had accepted them.
CONFIRM_ABOVE = 0.85
#: Chance that a purchase from a node with local makers goes to one of them.
LOCAL_CHANCE = 0.6
DATASET = "demo-districts"
#: Where the outside suppliers and 招商 targets are (fictional companies, real places).
PLACES = (
    ("江苏省苏州市", "苏州"),
    ("广东省深圳市", "深圳"),
    ("上海市", "上海"),
    ("浙江省宁波市", "宁波"),
    ("安徽省合肥市", "合肥"),
    ("湖北省武汉市", "武汉"),
    ("陕西省西安市", "西安"),
    ("重庆市", "重庆"),
    ("北京市", "北京"),
    ("江苏省无锡市", "无锡"),
)
BRANDS = ("衡启", "澜越", "曜辰", "峻拓", "沐川", "弘屹", "朔望", "霁岚", "溯衡", "岷拓")
SUPPLY_COLUMNS = (
    "buyer_uscc",
    "supplier_uscc",
    "supplier_name",
    "supplier_region",
    "product",
    "node",
    "amount",
    "year",
)


def load_demo(echo: Callable[[str], None] = print) -> str:
    """Chains, links and the generated tables for the demo city; returns a summary."""
    have = Chain.objects.count()
    chains = services.load_templates(refresh=False)
    echo(
        f"产业链模板 {len(chains)} 条（已有 {have} 条未改动）/ "
        f"chain templates: {len(chains)}, {have} kept as they were"
    )
    report = services.link_enterprises(confirm_above=CONFIRM_ABOVE)
    echo(f"企业关联 / links: {report}")
    year = queries.latest_year()
    if year is None:
        return "名录中没有年度数据，未生成采购表 / no annual data: no purchases generated"
    folder = Path(settings.DATA_DIR) / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    pool = _outside_pool(rng)
    purchases = _purchases(rng, pool, year)
    _write(folder / "supply.csv", SUPPLY_COLUMNS, purchases)
    n_supply = services.import_supply(folder / "supply.csv")
    _write(
        folder / "outside_companies.csv",
        ("code", "name", "region", "revenue", "products"),
        [
            {k: c[k] for k in ("code", "name", "region", "revenue", "products")}
            for c in pool.values()
        ],
    )
    n_outside = services.import_outside_companies(folder / "outside_companies.csv", "demo")
    listed = _listings(year)
    _write(folder / "listings.csv", ("uscc", "stock_code", "exchange"), listed)
    n_listed = services.import_listings(folder / "listings.csv")
    table = queries.region_industry_table(year)
    rows = [
        {"region": r, "industry": i, "value": str(Decimal(v) / 100)}
        for r, i, v in table.iter_rows()
    ]
    _write(folder / "region_industry.csv", ("region", "industry", "value"), rows)
    n_cells = services.import_region_table(folder / "region_industry.csv", DATASET) if rows else 0
    return (
        f"采购关系 {n_supply} 条，外地企业 {n_outside} 家，上市企业 {n_listed} 家，"
        f"区域×产业表 {DATASET} {n_cells} 格 / purchases {n_supply}, outside companies "
        f"{n_outside}, listed {n_listed}, region × industry cells {n_cells}"
    )


def _write(path: Path, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def _outside_pool(rng: random.Random) -> dict[int, dict[str, Any]]:
    """Two fictional outside makers for every node of every chain, keyed by node id."""
    out: dict[int, dict[str, Any]] = {}
    nodes = Node.objects.exclude(kind=Kind.SEGMENT).select_related("chain").order_by("pk")
    for i, node in enumerate(nodes):
        for j in range(2):
            region, city = PLACES[(i * 3 + j * 7) % len(PLACES)]
            brand = BRANDS[(i + j * 5) % len(BRANDS)]
            products = [node.name, *node.keywords[:2]]
            out[node.pk * 2 + j] = {
                "code": f"DEMO-{node.pk:05d}-{j}",
                "name": f"{city}{brand}{node.name}有限公司",
                "region": region,
                "revenue": str(int(10 ** rng.uniform(8.5, 10.7))),
                "products": ";".join(dict.fromkeys(products)),
                "node": node,
            }
    return out


def _purchases(
    rng: random.Random, pool: dict[int, dict[str, Any]], year: int
) -> list[dict[str, Any]]:
    """Each chain enterprise in the mid- and downstream buys from nodes upstream of it."""
    revenue = dict(
        Annual.objects.filter(year=year, revenue__isnull=False).values_list(
            "enterprise_id", "revenue"
        )
    )
    names = dict(Enterprise.objects.values_list("uscc", "name"))
    districts = dict(Enterprise.objects.values_list("uscc", "district"))
    rows: list[dict[str, Any]] = []
    for chain in Chain.objects.order_by("order", "code"):
        nodes = {n.pk: n for n in chain.nodes.exclude(kind=Kind.SEGMENT)}
        links = queries.links_frame([chain], Enterprise.objects.all(), "probable")
        on_node: dict[int, list[str]] = defaultdict(list)
        for node_id, uscc in sorted(links.iter_rows()):
            on_node[node_id].append(uscc)
        rank = {"upstream": 0, "midstream": 1, "downstream": 2}
        buyers = sorted(
            {(u, rank[nodes[n].segment]) for n, us in on_node.items() for u in us if n in nodes}
        )
        for uscc, level in buyers:
            sources = [n for n in nodes.values() if rank[n.segment] < level]
            if not sources:
                continue
            for _ in range(rng.randint(2, 4)):
                node = rng.choice(sources)
                local = [u for u in on_node.get(node.pk, []) if u != uscc]
                base = revenue.get(uscc) or Decimal(2_000_000)
                amount = (base * Decimal(rng.uniform(0.01, 0.06))).quantize(Decimal(1))
                row: dict[str, Any] = {"buyer_uscc": uscc, "product": node.name}
                row["amount"] = str(amount)
                row |= {"node": f"{chain.code}/{node.code}", "year": year}
                if local and rng.random() < LOCAL_CHANCE:
                    seller = rng.choice(local)
                    row |= {"supplier_uscc": seller, "supplier_name": names[seller]}
                    row["supplier_region"] = f"四川省成都市{districts[seller]}"
                else:
                    outside = pool[node.pk * 2 + rng.randint(0, 1)]
                    row |= {"supplier_uscc": "", "supplier_name": outside["name"]}
                    row["supplier_region"] = outside["region"]
                rows.append(row)
    return rows


def _listings(year: int, top: int = 25) -> list[dict[str, str]]:
    """The largest enterprises (revenue ≥ 20 亿元) are listed, at most ``top``."""
    biggest = (
        Annual.objects.filter(year=year, revenue__gte=Decimal(2_000_000_000))
        .order_by("-revenue", "enterprise_id")
        .values_list("enterprise_id", flat=True)[:top]
    )
    return [
        {"uscc": uscc, "stock_code": f"DEMO{i:03d}", "exchange": "演示交易所"}
        for i, uscc in enumerate(biggest, start=1)
    ]
