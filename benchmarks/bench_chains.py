"""Chains benchmark: linking, chain health, relatedness.

    python benchmarks/bench_chains.py [--enterprises 200000] [--regions 300 --industries 500]

1. Link all ChainKG company product names (39,266) to all nodes of the shipped chain
   templates. ChainKG is read in place from ../shared/data/chainkg (or
   $LIANZHANG_SHARED/data/chainkg); it is skipped with a note when absent.
2. Chain health for every shipped chain over the demo city generator's registry of N
   enterprises (``lianzhang.demo.generator``: sectors' products and GB/T 4754 codes,
   lognormal revenues, titles) with a generated purchases table; linking (pure matcher,
   each enterprise on its own) and health (Polars) timed apart.
3. Relatedness (RCA, ECI/PCI, proximity, density, COI/COG) for R regions × I industries.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from lianzhang.chains import complexity, health, templates  # noqa: E402
from lianzhang.chains.matching import Matcher  # noqa: E402


def shared() -> Path:
    env = os.environ.get("LIANZHANG_SHARED")
    return Path(env) if env else (ROOT / ".." / "shared").resolve()


def timed(label: str, func, *args, **kwargs):
    start = time.perf_counter()
    out = func(*args, **kwargs)
    print(f"{label}: {time.perf_counter() - start:.2f} s")
    return out


def bench_chainkg(matcher: Matcher) -> None:
    path = shared() / "data" / "chainkg" / "company_product.json"
    if not path.exists():
        print(f"ChainKG not found at {path}: linking benchmark skipped")
        return
    with path.open(encoding="utf-8") as handle:
        names = sorted({json.loads(line)["product_name"] for line in handle if line.strip()})
    nodes = len(matcher.nodes)
    frame = timed(
        f"link {len(names):,} ChainKG product names × {nodes} nodes",
        matcher.match_frame,
        names,
        0.5,
    )
    print(f"  links ≥ 0.5: {frame.height:,}; products linked: {frame['text'].n_unique():,}")


def city(n: int, seed: int = 20261124) -> tuple[pl.DataFrame, list[tuple[str, str]]]:
    """The demo city generator's registry as the health input (money in fen)."""
    from lianzhang.demo.generator import generate

    town = generate(seed=seed, enterprises=n)
    year = int(town.annual["year"].max())

    def money(y: int, suffix: str) -> pl.DataFrame:
        return town.annual.filter(pl.col("year") == y).select(
            "uscc",
            pl.col("revenue").alias(f"revenue{suffix}"),
            pl.col("output_value").alias(f"output{suffix}"),
            pl.col("main_revenue").alias(f"main{suffix}"),
        )

    titles = town.honours.filter(
        pl.col("valid_until").is_null() | (pl.col("valid_until").dt.year() >= year)
    )

    def holders(title: str) -> pl.Series:
        return titles.filter(pl.col("title") == title)["uscc"]

    firms = (
        town.enterprises.select("uscc", "name", "industry_code")
        .join(money(year, ""), on="uscc", how="left")
        .join(money(year - 1, "_prev"), on="uscc", how="left")
        .with_columns(
            health.above_scale(),
            pl.col("uscc").is_in(holders("specialized_sme").implode()).alias("specialized"),
            pl.col("uscc").is_in(holders("little_giant").implode()).alias("little_giant"),
            pl.lit(None, pl.Boolean).alias("listed"),
        )
        .select(list(health.FIRM_SCHEMA))
    )
    texts = list(
        zip(
            town.enterprises["main_product"].to_list(),
            town.enterprises["industry_code"].to_list(),
            strict=True,
        )
    )
    return firms, texts


def bench_health(matcher: Matcher, n: int) -> None:
    firms, texts = timed(f"generate a city of {n:,} enterprises", city, n)
    specs = templates.shipped()
    ids: dict[str, int] = {}
    rows = []
    for s in specs:
        for seg in templates.SEGMENTS:
            ids[f"{s.code}/{seg}"] = len(ids) + 1
            rows.append((ids[f"{s.code}/{seg}"], None, s.code, seg, seg, "segment"))

        def add(node, parent_key, chain=s.code):
            key = f"{chain}/{node.code}"
            ids[key] = len(ids) + 1
            rows.append((ids[key], ids[parent_key], chain, node.name, node.segment, node.kind))
            for child in node.children:
                add(child, key)

        for node in s.nodes:
            add(node, f"{s.code}/{node.segment}")
    nodes = pl.DataFrame(
        rows,
        schema={
            "node_id": pl.Int64,
            "parent_id": pl.Int64,
            "chain": pl.Utf8,
            "name": pl.Utf8,
            "segment": pl.Utf8,
            "kind": pl.Utf8,
        },
        orient="row",
    )

    def link() -> pl.DataFrame:
        # every enterprise matched on its own (no cache), as the linker does
        out_node, out_uscc = [], []
        for uscc, (text, code) in zip(firms["uscc"].to_list(), texts, strict=True):
            for m in matcher.match_enterprise(text, code, 0.6):
                out_node.append(ids[m.node])
                out_uscc.append(uscc)
        return pl.DataFrame(
            {"node_id": out_node, "uscc": out_uscc}, schema={"node_id": pl.Int64, "uscc": pl.Utf8}
        )

    distinct = len(set(texts))
    links = timed(f"link {n:,} enterprises ({distinct:,} distinct product+code pairs)", link)
    print(f"  links: {links.height:,}")
    supply = purchases(links, nodes)
    result = timed(
        f"chain health for {len(specs)} chains (with {supply.height:,} purchases)",
        health.chain_health,
        nodes,
        links,
        firms,
        supply,
    )
    for r in result:
        print(
            f"  {r['chain']:<22} enterprises {r['enterprises']:>6,}  tier {r['tier']}"
            f"  coverage {r['coverage']:.0%}  index {r['index'].value}"
        )


def purchases(links: pl.DataFrame, nodes: pl.DataFrame, per_link: int = 3) -> pl.DataFrame:
    """Three purchases per link: a random chain enterprise or an outside supplier."""
    rng = np.random.default_rng(5)
    m = links.height * per_link
    buyers = links["uscc"].to_numpy()[rng.integers(0, links.height, m)]
    sellers = links["uscc"].to_numpy()[rng.integers(0, links.height, m)]
    local = rng.random(m) < 0.4
    node_ids = nodes.filter(pl.col("kind") != "segment")["node_id"].to_numpy()
    names = [f"外地{i % 500}" for i in range(m)]
    return pl.DataFrame(
        {
            "buyer": buyers.tolist(),
            "supplier": [s if ok else None for s, ok in zip(sellers.tolist(), local, strict=True)],
            "supplier_name": [
                s if ok else n for s, ok, n in zip(sellers.tolist(), local, names, strict=True)
            ],
            "local": local.tolist(),
            "node_id": node_ids[rng.integers(0, len(node_ids), m)].tolist(),
            "amount": (rng.lognormal(14, 1.5, m) * 100).astype(np.int64).tolist(),
        },
        schema=health.SUPPLY_SCHEMA,
    )


def bench_relatedness(regions: int, industries: int) -> None:
    rng = np.random.default_rng(3)
    ability = rng.uniform(0.1, 1, regions)
    hardness = rng.uniform(0.1, 1, industries)
    present = ability[:, None] + rng.normal(0, 0.15, (regions, industries)) > hardness[None, :]
    values = np.where(present, rng.lognormal(3, 1, (regions, industries)), 0.05)
    frame = pl.DataFrame(
        {
            "region": np.repeat([f"r{i}" for i in range(regions)], industries),
            "industry": np.tile([f"i{j}" for j in range(industries)], regions),
            "value": values.ravel(),
        }
    )
    result = timed(
        f"relatedness {regions} regions × {industries} industries", complexity.compute, frame
    )
    grow = timed(
        "  what to grow next for one region", complexity.grow_next, result, result.regions[0], 20
    )
    print(f"  top suggestion: {grow['industry'][0]} (density {grow['density'][0]:.3f})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=200_000)
    parser.add_argument("--regions", type=int, default=300)
    parser.add_argument("--industries", type=int, default=500)
    args = parser.parse_args()
    matcher = timed(
        "build the matcher over all shipped nodes",
        Matcher,
        templates.node_terms(templates.shipped()),
    )
    bench_chainkg(matcher)
    bench_health(matcher, args.enterprises)
    bench_relatedness(args.regions, args.industries)


if __name__ == "__main__":
    main()
