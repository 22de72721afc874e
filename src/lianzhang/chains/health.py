"""Chain health from columnar data (Polars, no Django).

Inputs, all Polars frames:

``nodes``   node_id, parent_id (null at segments), chain, name, segment, kind
``links``   node_id, uscc — the links counted (e.g. confirmed only)
``firms``   uscc, name, revenue, output, revenue_prev, output_prev (Int64 fen, null =
            unknown), above_scale, specialized, little_giant, listed (Boolean, null =
            unknown)
``supply``  buyer, supplier, supplier_name, local (Boolean), node_id, amount (Int64 fen)

An enterprise on a node also counts for the node's ancestors, once. Sums are exact
integers of fen; shares and rates are fractions (0.25 = 25 %); unknown stays null and
is never summed as zero: a sum over no known value is null.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from lianzhang.core import scale

YUAN = 100  # fen per yuan
#: 链级: 万亿级 ≥ 1 万亿元, 千亿级 ≥ 1000 亿元, 百亿级 ≥ 100 亿元 (operating revenue).
TIERS = (
    (10**12 * YUAN, "万亿级"),
    (10**11 * YUAN, "千亿级"),
    (10**10 * YUAN, "百亿级"),
)
BELOW_TIERS = "百亿以下"
#: Weights of the health index; parts that are unknown drop out and the rest re-weigh.
WEIGHTS = {
    "coverage": 0.30,
    "scale": 0.15,
    "growth": 0.15,
    "quality": 0.15,
    "diversification": 0.10,
    "local_supply": 0.15,
}
PART_NAMES = {
    "coverage": "节点覆盖",
    "scale": "产业规模",
    "growth": "增长",
    "quality": "企业梯队",
    "diversification": "去集中度",
    "local_supply": "本地配套",
}
WEAK_MIN_ENTERPRISES = 3

FIRM_SCHEMA = {
    "uscc": pl.Utf8,
    "name": pl.Utf8,
    "revenue": pl.Int64,
    "output": pl.Int64,
    "revenue_prev": pl.Int64,
    "output_prev": pl.Int64,
    "above_scale": pl.Boolean,
    "specialized": pl.Boolean,
    "little_giant": pl.Boolean,
    "listed": pl.Boolean,
}
SUPPLY_SCHEMA = {
    "buyer": pl.Utf8,
    "supplier": pl.Utf8,
    "supplier_name": pl.Utf8,
    "local": pl.Boolean,
    "node_id": pl.Int64,
    "amount": pl.Int64,
}


def above_scale() -> pl.Expr:
    """规上 (四上) by the enterprise's trade (``core.scale``); null when unknown."""
    return scale.expression(main_revenue="main", revenue="revenue").alias("above_scale")


def tier(revenue_fen: int | None) -> str | None:
    """The chain tier (链级) of a revenue in fen; None when the revenue is unknown.

    >>> tier(1_200 * 10**8 * 100), tier(None)
    ('千亿级', None)
    """
    if revenue_fen is None:
        return None
    for line, name in TIERS:
        if revenue_fen >= line:
            return name
    return BELOW_TIERS


def ancestors(nodes: pl.DataFrame) -> pl.DataFrame:
    """node_id, ancestor_id pairs (each node is its own ancestor)."""
    parent = dict(zip(nodes["node_id"].to_list(), nodes["parent_id"].to_list(), strict=True))
    rows: list[tuple[int, int]] = []
    for node in parent:
        current: int | None = node
        while current is not None:
            rows.append((node, current))
            current = parent.get(current)
    return pl.DataFrame(rows, schema={"node_id": pl.Int64, "ancestor_id": pl.Int64}, orient="row")


def _sum_known(col: str) -> pl.Expr:
    """Sum of the known values; null when none is known."""
    return pl.when(pl.col(col).is_not_null().any()).then(pl.col(col).sum()).otherwise(None)


def _stats(frame: pl.DataFrame, by: str) -> pl.DataFrame:
    both = pl.col("revenue").is_not_null() & pl.col("revenue_prev").is_not_null()
    listed_known = pl.col("listed").is_not_null().any()
    return (
        frame.group_by(by)
        .agg(
            pl.col("uscc").n_unique().alias("enterprises"),
            _sum_known("revenue").alias("revenue"),
            _sum_known("output").alias("output"),
            pl.col("revenue").filter(both).sum().alias("_rev_now"),
            pl.col("revenue_prev").filter(both).sum().alias("_rev_prev"),
            pl.col("above_scale").fill_null(False).sum().alias("above_scale"),
            pl.col("specialized").fill_null(False).sum().alias("specialized"),
            pl.col("little_giant").fill_null(False).sum().alias("little_giant"),
            pl.when(listed_known)
            .then(pl.col("listed").fill_null(False).sum())
            .otherwise(None)
            .alias("listed"),
            ((pl.col("revenue") / pl.col("revenue").sum()) ** 2).sum().alias("hhi"),
            (pl.col("revenue").max() / pl.col("revenue").sum()).alias("top_share"),
            pl.col("name")
            .sort_by(pl.col("revenue").fill_null(-1), descending=True)
            .first()
            .alias("top_enterprise"),
        )
        .with_columns(
            pl.when(pl.col("_rev_prev") > 0)
            .then(pl.col("_rev_now") / pl.col("_rev_prev") - 1)
            .otherwise(None)
            .alias("growth"),
            pl.when(pl.col("revenue").is_null() | (pl.col("revenue") <= 0))
            .then(None)
            .otherwise(pl.col("hhi"))
            .alias("hhi"),
            pl.when(pl.col("revenue").is_null() | (pl.col("revenue") <= 0))
            .then(None)
            .otherwise(pl.col("top_share"))
            .alias("top_share"),
        )
        .drop("_rev_now", "_rev_prev")
    )


def node_health(nodes: pl.DataFrame, links: pl.DataFrame, firms: pl.DataFrame) -> pl.DataFrame:
    """One row per node: counts, sums, growth, concentration and status.

    status: ``empty`` (no enterprise), ``weak`` (fewer than 3 enterprises, or none 规上),
    ``covered`` otherwise; segment rows roll their subtree up.
    """
    placed = (
        links.select("node_id", "uscc")
        .join(ancestors(nodes), on="node_id")
        .select(pl.col("ancestor_id").alias("node_id"), "uscc")
        .unique()
        .join(firms, on="uscc")
    )
    stats = _stats(placed, "node_id")
    out = nodes.join(stats, on="node_id", how="left").with_columns(
        pl.col("enterprises").fill_null(0),
        pl.col("above_scale").fill_null(0),
        pl.col("specialized").fill_null(0),
        pl.col("little_giant").fill_null(0),
    )
    return out.with_columns(
        pl.when(pl.col("enterprises") == 0)
        .then(pl.lit("empty"))
        .when((pl.col("enterprises") < WEAK_MIN_ENTERPRISES) | (pl.col("above_scale") == 0))
        .then(pl.lit("weak"))
        .otherwise(pl.lit("covered"))
        .alias("status")
    )


def supporting_rate(
    supply: pl.DataFrame, chain_firms: pl.DataFrame, chain_nodes: pl.DataFrame | None = None
) -> dict[str, Any]:
    """本地配套率: the share of chain enterprises' purchases bought from local suppliers.

    ``chain_firms`` has a ``uscc`` column (the chain's enterprises). Returns the overall
    rate (null when no purchase is known), per-node rates (by the product's node, when
    ``chain_nodes`` with node_id/name is given) and the largest external suppliers.
    """
    bought = supply.join(chain_firms.select(pl.col("uscc").alias("buyer")).unique(), on="buyer")
    total = bought["amount"].sum() if bought.height else 0
    local = bought.filter(pl.col("local"))["amount"].sum() if bought.height else 0
    per_node = pl.DataFrame()
    if chain_nodes is not None and bought.height:
        per_node = (
            bought.join(chain_nodes.select("node_id", "name"), on="node_id")
            .group_by("node_id", "name")
            .agg(
                pl.col("amount").sum().alias("total"),
                pl.col("amount").filter(pl.col("local")).sum().alias("local"),
            )
            .with_columns((pl.col("local") / pl.col("total")).alias("rate"))
            .sort("total", descending=True)
        )
    external = (
        bought.filter(~pl.col("local"))
        .group_by("supplier_name")
        .agg(pl.col("amount").sum().alias("amount"), pl.col("buyer").n_unique().alias("buyers"))
        .sort(["amount", "supplier_name"], descending=[True, False])
        .head(10)
    )
    total, local = int(total or 0), int(local or 0)
    return {
        "total": total,
        "local": local,
        "rate": local / total if total else None,
        "per_node": per_node,
        "top_external": external,
    }


def masters(
    chain_links: pl.DataFrame,
    firms: pl.DataFrame,
    supply: pl.DataFrame | None = None,
    top: int = 10,
) -> pl.DataFrame:
    """链主 candidates ranked by size (revenue), centrality (nodes held) and supply ties
    (distinct chain enterprises it buys from or sells to), each scaled to [0, 1]."""
    members = chain_links.select("uscc").unique()
    held = chain_links.group_by("uscc").agg(pl.col("node_id").n_unique().alias("nodes"))
    frame = held.join(firms.select("uscc", "name", "revenue"), on="uscc", how="left")
    if supply is not None and supply.height:
        inner = (
            supply.filter(pl.col("supplier").is_not_null())
            .join(members.rename({"uscc": "buyer"}), on="buyer")
            .join(members.rename({"uscc": "supplier"}), on="supplier")
        )
        ties = (
            pl.concat(
                [
                    inner.select(pl.col("buyer").alias("uscc"), pl.col("supplier").alias("other")),
                    inner.select(pl.col("supplier").alias("uscc"), pl.col("buyer").alias("other")),
                ]
            )
            .group_by("uscc")
            .agg(pl.col("other").n_unique().alias("ties"))
        )
        frame = frame.join(ties, on="uscc", how="left")
    else:
        frame = frame.with_columns(pl.lit(None, pl.UInt32).alias("ties"))
    frame = frame.with_columns(pl.col("ties").fill_null(0))

    def scaled(col: str) -> pl.Expr:
        top_value = pl.col(col).max()
        return pl.when(top_value > 0).then(pl.col(col) / top_value).otherwise(0.0)

    return (
        frame.with_columns(
            scaled("revenue").fill_null(0.0).alias("size"),
            scaled("nodes").alias("centrality"),
            scaled("ties").alias("supply_ties"),
        )
        .with_columns(
            (0.6 * pl.col("size") + 0.2 * pl.col("centrality") + 0.2 * pl.col("supply_ties")).alias(
                "score"
            )
        )
        .sort(["score", "uscc"], descending=[True, False])
        .head(top)
    )


@dataclass
class HealthIndex:
    value: float | None
    parts: dict[str, float | None] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)


def health_index(
    *,
    coverage: float | None,
    revenue_fen: int | None,
    growth: float | None,
    quality: float | None,
    hhi: float | None,
    local_supply: float | None,
) -> HealthIndex:
    """A 0–100 index from parts in [0, 1]; unknown parts drop out and are shown as such.

    scale: log-linear from 10 亿元 (0) to 1 万亿元 (1); growth: −10 % → 0, +20 % → 1;
    quality: share of enterprises that are 规上 or 专精特新 (×2, capped at 1).
    """
    scale = None
    if revenue_fen is not None and revenue_fen > 0:
        scale = _clip(math.log10(revenue_fen / YUAN / 1e9) / 3)
    parts: dict[str, float | None] = {
        "coverage": coverage,
        "scale": scale,
        "growth": None if growth is None else _clip((growth + 0.1) / 0.3),
        "quality": None if quality is None else _clip(quality * 2),
        "diversification": None if hhi is None else _clip(1 - hhi),
        "local_supply": local_supply,
    }
    known = {k: w for k, w in WEIGHTS.items() if parts[k] is not None}
    if not known:
        return HealthIndex(None, parts, {})
    total = sum(known.values())
    weights = {k: w / total for k, w in known.items()}
    value = 100 * sum(weights[k] * float(parts[k] or 0.0) for k in weights)
    return HealthIndex(round(value, 1), parts, weights)


def _clip(x: float) -> float:
    return max(0.0, min(1.0, x))


def chain_health(
    nodes: pl.DataFrame,
    links: pl.DataFrame,
    firms: pl.DataFrame,
    supply: pl.DataFrame | None = None,
) -> list[dict[str, Any]]:
    """Per chain: totals over distinct enterprises, coverage, gaps, tier, masters, index."""
    per_node = node_health(nodes, links, firms)
    placed = links.join(nodes.select("node_id", "chain"), on="node_id")
    chain_stats = _stats(placed.select("chain", "uscc").unique().join(firms, on="uscc"), "chain")
    stats_by_chain = {r["chain"]: r for r in chain_stats.iter_rows(named=True)}
    out = []
    for chain in nodes["chain"].unique(maintain_order=True).to_list():
        rows = per_node.filter((pl.col("chain") == chain) & (pl.col("kind") != "segment"))
        stats = stats_by_chain.get(chain, {"enterprises": 0})
        n_nodes = rows.height
        covered = rows.filter(pl.col("status") == "covered").height
        coverage = covered / n_nodes if n_nodes else None
        chain_links = placed.filter(pl.col("chain") == chain)
        rate = None
        supply_summary: dict[str, Any] | None = None
        if supply is not None and supply.height:
            supply_summary = supporting_rate(
                supply,
                chain_links.select("uscc"),
                nodes.filter(pl.col("chain") == chain).select("node_id", "name"),
            )
            rate = supply_summary["rate"]
        n = stats.get("enterprises") or 0
        quality = (
            (stats.get("above_scale", 0) + stats.get("specialized", 0)) / (2 * n) if n else None
        )
        index = health_index(
            coverage=coverage,
            revenue_fen=stats.get("revenue"),
            growth=stats.get("growth"),
            quality=quality,
            hhi=stats.get("hhi"),
            local_supply=rate,
        )
        out.append(
            {
                "chain": chain,
                **{k: v for k, v in stats.items() if k != "chain"},
                "enterprises": n,
                "nodes": n_nodes,
                "covered": covered,
                "coverage": coverage,
                "gaps": rows.filter(pl.col("status") != "covered")
                .select("node_id", "name", "segment", "status", "enterprises")
                .to_dicts(),
                "tier": tier(stats.get("revenue")),
                "index": index,
                "supply": supply_summary,
                "masters": masters(chain_links.select("node_id", "uscc"), firms, supply, top=10),
                "node_table": per_node.filter(pl.col("chain") == chain),
            }
        )
    return out
