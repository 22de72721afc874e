"""Read queries: the registry and chain tables as Polars frames, chain reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import polars as pl
from django.db.models import Max, QuerySet

from lianzhang.core.money import from_fen
from lianzhang.enterprises.models import Annual, Enterprise, Honour

from . import health
from .matching import NodeTerms
from .models import (
    Chain,
    EnterpriseLink,
    LinkStatus,
    Listing,
    Node,
    OutsideCompany,
    RegionValue,
    SupplyRelation,
)

#: Which links count: ``confirmed`` (decided by an analyst) or ``probable`` (also
#: undecided candidates at or above PROBABLE).
BASES = ("confirmed", "probable")
PROBABLE = 0.6


def latest_year() -> int | None:
    year: int | None = Annual.objects.aggregate(y=Max("year"))["y"]
    return year


def nodes_frame(chains: QuerySet[Chain] | list[Chain]) -> pl.DataFrame:
    rows = Node.objects.filter(chain__in=chains).values_list(
        "id", "parent_id", "chain__code", "name", "segment", "kind", "order"
    )
    return pl.DataFrame(
        list(rows),
        schema={
            "node_id": pl.Int64,
            "parent_id": pl.Int64,
            "chain": pl.Utf8,
            "name": pl.Utf8,
            "segment": pl.Utf8,
            "kind": pl.Utf8,
            "order": pl.Int64,
        },
        orient="row",
    )


T = TypeVar("T")


def tree_order(
    items: Iterable[T],
    ident: Callable[[T], int],
    parent: Callable[[T], int | None],
    rank: Callable[[T], Any],
) -> list[tuple[T, int]]:
    """Items depth-first (each parent before its children, siblings by ``rank``), with
    their depth (0 at the roots).

    >>> rows = [(3, 1, 0), (1, None, 0), (2, None, 1), (4, 1, 1)]
    >>> [(r[0], d) for r, d in tree_order(rows, lambda r: r[0], lambda r: r[1], lambda r: r[2])]
    [(1, 0), (3, 1), (4, 1), (2, 0)]
    """
    children: dict[int | None, list[T]] = {}
    for item in items:
        children.setdefault(parent(item), []).append(item)
    out: list[tuple[T, int]] = []

    def visit(key: int | None, depth: int) -> None:
        for item in sorted(children.get(key, []), key=lambda i: (rank(i), ident(i))):
            out.append((item, depth))
            visit(ident(item), depth + 1)

    visit(None, 0)
    return out


def links_frame(
    chains: QuerySet[Chain] | list[Chain],
    enterprises: QuerySet[Enterprise],
    basis: str = "confirmed",
) -> pl.DataFrame:
    qs = EnterpriseLink.objects.filter(node__chain__in=chains, enterprise__in=enterprises)
    if basis == "confirmed":
        qs = qs.filter(status=LinkStatus.CONFIRMED)
    else:
        qs = qs.exclude(status=LinkStatus.REJECTED).exclude(
            status=LinkStatus.CANDIDATE, confidence__lt=PROBABLE
        )
    return pl.DataFrame(
        list(qs.values_list("node_id", "enterprise_id")),
        schema={"node_id": pl.Int64, "uscc": pl.Utf8},
        orient="row",
    )


def firms_frame(enterprises: QuerySet[Enterprise], year: int | None) -> pl.DataFrame:
    """Indicators of ``year`` and the year before, and titles valid at that year's end."""
    base = pl.DataFrame(
        list(enterprises.values_list("uscc", "name", "industry_code")),
        schema={"uscc": pl.Utf8, "name": pl.Utf8, "industry_code": pl.Utf8},
        orient="row",
    )
    if year is None:
        annual = pl.DataFrame(schema={"uscc": pl.Utf8})
    else:

        def money(y: int, field: str) -> pl.DataFrame:
            rows = Annual.objects.filter(year=y, enterprise__in=enterprises).values_list(
                "enterprise_id", "revenue", "output_value", "main_revenue"
            )
            return pl.DataFrame(
                [(u, _fen(r), _fen(o), _fen(m)) for u, r, o, m in rows],
                schema={
                    "uscc": pl.Utf8,
                    f"revenue{field}": pl.Int64,
                    f"output{field}": pl.Int64,
                    f"main{field}": pl.Int64,
                },
                orient="row",
            )

        annual = money(year, "").join(
            money(year - 1, "_prev"), on="uscc", how="full", coalesce=True
        )
    day = dt.date(year or dt.date.today().year, 12, 31)
    titles = (
        Honour.objects.filter(
            enterprise__in=enterprises,
            title__in=["specialized_sme", "little_giant"],
            granted_on__lte=day,
        )
        .exclude(valid_until__lt=day)
        .values_list("enterprise_id", "title")
    )
    honours = pl.DataFrame(list(titles), schema={"uscc": pl.Utf8, "title": pl.Utf8}, orient="row")
    frame = base.join(annual, on="uscc", how="left") if annual.width > 1 else base
    for col in ("revenue", "output", "revenue_prev", "output_prev", "main"):
        if col not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.Int64).alias(col))
    return frame.with_columns(
        health.above_scale(),
        pl.col("uscc")
        .is_in(honours.filter(pl.col("title") == "specialized_sme")["uscc"].implode())
        .alias("specialized"),
        pl.col("uscc")
        .is_in(honours.filter(pl.col("title") == "little_giant")["uscc"].implode())
        .alias("little_giant"),
        _listed(enterprises),
    ).select(list(health.FIRM_SCHEMA))


def _listed(enterprises: QuerySet[Enterprise]) -> pl.Expr:
    """Listed per the imported register; unknown (null) while no register is imported."""
    if not Listing.objects.exists():
        return pl.lit(None, pl.Boolean).alias("listed")
    listed = list(
        Listing.objects.filter(enterprise__in=enterprises).values_list("enterprise_id", flat=True)
    )
    return pl.col("uscc").is_in(pl.Series(listed, dtype=pl.Utf8).implode()).alias("listed")


def _fen(value: Any) -> int | None:
    return None if value is None else int(value * 100)


def supply_frame(enterprises: QuerySet[Enterprise], year: int | None) -> pl.DataFrame:
    qs = SupplyRelation.objects.filter(buyer__in=enterprises)
    if year is not None:
        qs = qs.filter(year=year)
    rows = [
        (b, s, n, s is not None, node, int(a * 100))
        for b, s, n, node, a in qs.values_list(
            "buyer_id", "supplier_id", "supplier_name", "node_id", "amount"
        )
    ]
    return pl.DataFrame(rows, schema=health.SUPPLY_SCHEMA, orient="row")


def supply_year() -> int | None:
    year: int | None = SupplyRelation.objects.aggregate(y=Max("year"))["y"]
    return year


def chain_reports(
    chains: QuerySet[Chain] | list[Chain],
    enterprises: QuerySet[Enterprise],
    *,
    basis: str = "confirmed",
    year: int | None = None,
) -> list[dict[str, Any]]:
    """Health of each chain over the enterprises a user may see."""
    chains = list(chains)
    year = year or latest_year()
    reports = health.chain_health(
        nodes_frame(chains),
        links_frame(chains, enterprises, basis),
        firms_frame(enterprises, year),
        supply_frame(enterprises, supply_year()),
    )
    by_code = {c.code: c for c in chains}
    for report in reports:
        report["chain_obj"] = by_code[report["chain"]]
        report["year"] = year
        report["basis"] = basis
    return reports


def yuan(fen: int | None) -> Any:
    return None if fen is None else from_fen(int(fen))


def gap_terms(chain: Chain, gaps: list[dict[str, Any]]) -> list[NodeTerms]:
    ids = [g["node_id"] for g in gaps]
    return [
        NodeTerms(str(n.pk), n.name, tuple(n.keywords), (), tuple(n.gbt_codes))
        for n in chain.nodes.filter(pk__in=ids).exclude(kind="segment")
    ]


def outside_companies() -> list[dict[str, Any]]:
    return [
        {
            "code": c.code,
            "name": c.name,
            "region": c.region,
            "revenue": c.revenue,
            "products": c.products,
        }
        for c in OutsideCompany.objects.all()
    ]


def region_industry_table(year: int | None = None) -> pl.DataFrame:
    """区县 × GB/T 4754 小类 output value (fen) from the registry: the city's own table
    for relatedness. Output is used where known, else revenue."""
    year = year or latest_year()
    if year is None:
        return pl.DataFrame(schema={"region": pl.Utf8, "industry": pl.Utf8, "value": pl.Int64})
    rows = Annual.objects.filter(year=year).values_list(
        "enterprise__district", "enterprise__industry_code", "output_value", "revenue"
    )
    data = [
        (d, c, _fen(o if o is not None else r))
        for d, c, o, r in rows
        if d and c and (o is not None or r is not None)
    ]
    return pl.DataFrame(
        data, schema={"region": pl.Utf8, "industry": pl.Utf8, "value": pl.Int64}, orient="row"
    ).filter(pl.col("value") > 0)


def datasets() -> list[str]:
    """Names of the stored region × industry tables."""
    return list(
        RegionValue.objects.values_list("dataset", flat=True).distinct().order_by("dataset")
    )


def region_table(dataset: str | None = None) -> pl.DataFrame:
    """A stored region × industry table, or (``None``) the registry's own district table."""
    if dataset is None:
        return region_industry_table()
    rows = RegionValue.objects.filter(dataset=dataset).values_list("region", "industry", "value")
    if not rows.exists():
        from lianzhang.core.errors import NotFound

        known = "，".join(datasets()) or "（无 / none）"
        raise NotFound(
            f"没有区域×产业表 {dataset!r}（已有：{known}）",
            f"no region × industry table {dataset!r} (known: {known})",
        )
    return pl.DataFrame(
        [(r, i, float(v)) for r, i, v in rows],
        schema={"region": pl.Utf8, "industry": pl.Utf8, "value": pl.Float64},
        orient="row",
    )


def gap_targets(report: dict[str, Any], top: int = 5) -> list[dict[str, Any]]:
    """The report's gap nodes, each with its ranked 招商 targets (``targets``)."""
    from .targets import rank_targets

    terms = gap_terms(report["chain_obj"], report["gaps"])
    ranked = rank_targets(terms, outside_companies(), top=top) if terms else {}
    return [{**g, "targets": ranked.get(str(g["node_id"]), [])} for g in report["gaps"]]


SEGMENT_ORDER = {"upstream": 0, "midstream": 1, "downstream": 2}
SUPPLIERS_SHOWN = 8


def position(uscc: str) -> list[dict[str, Any]]:
    """An enterprise's own place on each chain it is confirmed on: its nodes, the nodes up
    and down the chain from them, the local firms on the nodes upstream (possible suppliers)
    and its own recorded purchases. What an enterprise user sees instead of the bureau's
    chain health and 招商 lists."""
    links = (
        EnterpriseLink.objects.filter(enterprise_id=uscc, status=LinkStatus.CONFIRMED)
        .select_related("node__chain")
        .order_by("node__chain__order", "node__chain__code", "node__order")
    )
    by_chain: dict[int, dict[str, Any]] = {}
    for link in links:
        chain = link.node.chain
        entry = by_chain.setdefault(chain.pk, {"chain": chain, "nodes": []})
        entry["nodes"].append(link.node)
    out = []
    for entry in by_chain.values():
        chain, mine = entry["chain"], entry["nodes"]
        levels = {SEGMENT_ORDER.get(n.segment, 1) for n in mine}
        others = [
            n
            for n in Node.objects.filter(chain=chain).exclude(kind="segment").order_by("order")
            if n not in mine
        ]
        upstream = [n for n in others if SEGMENT_ORDER.get(n.segment, 1) < min(levels)]
        downstream = [n for n in others if SEGMENT_ORDER.get(n.segment, 1) > max(levels)]
        suppliers: dict[int, list[str]] = {}
        for node_id, name in (
            EnterpriseLink.objects.filter(node__in=upstream, status=LinkStatus.CONFIRMED)
            .exclude(enterprise_id=uscc)
            .order_by("node_id", "enterprise__name")
            .values_list("node_id", "enterprise__name")
        ):
            names = suppliers.setdefault(node_id, [])
            if len(names) < SUPPLIERS_SHOWN:
                names.append(name)
        out.append(
            {
                "chain": chain,
                "nodes": mine,
                "upstream": [(n, suppliers.get(n.pk, [])) for n in upstream],
                "downstream": downstream,
            }
        )
    return out


def purchases(uscc: str) -> list[SupplyRelation]:
    """The enterprise's own recorded purchases, newest year first (local or not)."""
    return list(
        SupplyRelation.objects.filter(buyer_id=uscc)
        .select_related("node")
        .order_by("-year", "-amount")[:50]
    )
