"""Chains benchmark: linking, chain health, relatedness.

    python benchmarks/bench_chains.py [--enterprises 200000] [--regions 300 --industries 500]

1. Link all ChainKG company product names (39,266) to all nodes of the shipped chain
   templates. ChainKG is read in place from ../shared/data/chainkg (or
   $LIANZHANG_SHARED/data/chainkg); it is skipped with a note when absent.
2. Chain health for every shipped chain over a generated city of N enterprises: product
   texts and industry codes drawn from the chain nodes and from unrelated trades,
   lognormal revenues, titles; linking (pure matcher) and health (Polars) timed apart.
   (Uses ``lianzhang.demo.generator`` when it exists, else its own generator.)
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

OTHER_PRODUCTS = [
    "火锅底料",
    "白酒",
    "服装",
    "家具",
    "水泥",
    "物流服务",
    "商品混凝土",
    "饲料",
    "纸箱",
    "塑料制品",
    "中餐",
    "房地产开发",
    "软件外包",
    "广告",
]
OTHER_CODES = ["1461", "1512", "1811", "2110", "3011", "5810", "3021", "1320", "2231", "2929"]


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


def city(n: int, seed: int = 7) -> tuple[pl.DataFrame, list[tuple[str, str]]]:
    rng = np.random.default_rng(seed)
    specs = templates.shipped()
    pool = [(kw, node.gbt[0]) for s in specs for node in s.walk() for kw in node.keywords]
    chain_share = 0.35
    on_chain = rng.random(n) < chain_share
    picks = rng.integers(0, len(pool), n)
    others = rng.integers(0, len(OTHER_PRODUCTS), n)
    other_codes = rng.integers(0, len(OTHER_CODES), n)
    products = [
        pool[p][0] if c else OTHER_PRODUCTS[o]
        for c, p, o in zip(on_chain, picks, others, strict=True)
    ]
    codes = [
        pool[p][1] if c else OTHER_CODES[o]
        for c, p, o in zip(on_chain, picks, other_codes, strict=True)
    ]
    revenue = (rng.lognormal(16.5, 1.6, n) * 100).astype(np.int64)  # fen
    prev = (revenue / rng.lognormal(0.08, 0.15, n)).astype(np.int64)
    known = rng.random(n) > 0.05
    firms = pl.DataFrame(
        {
            "uscc": [f"E{i:07d}" for i in range(n)],
            "name": [f"企业{i}" for i in range(n)],
            "revenue": pl.Series(np.where(known, revenue, 0)).cast(pl.Int64),
            "output": pl.Series((revenue * 0.9).astype(np.int64)),
            "revenue_prev": pl.Series(prev),
            "output_prev": pl.Series((prev * 0.9).astype(np.int64)),
            "above_scale": pl.Series(revenue >= 20_000_000 * 100),
            "specialized": pl.Series(rng.random(n) < 0.03),
            "little_giant": pl.Series(rng.random(n) < 0.004),
            "listed": pl.Series([None] * n, dtype=pl.Boolean),
        },
        schema=health.FIRM_SCHEMA,
    ).with_columns(pl.when(pl.Series(known)).then(pl.col("revenue")).otherwise(None))
    return firms, list(zip(products, codes, strict=True))


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
        usccs = firms["uscc"].to_list()
        cache: dict[tuple[str, str], list[str]] = {}
        out_node, out_uscc = [], []
        for uscc, key in zip(usccs, texts, strict=True):
            found = cache.get(key)
            if found is None:
                found = [m.node for m in matcher.match_enterprise(key[0], key[1], 0.6)]
                cache[key] = found
            for node in found:
                out_node.append(ids[node])
                out_uscc.append(uscc)
        return pl.DataFrame(
            {"node_id": out_node, "uscc": out_uscc}, schema={"node_id": pl.Int64, "uscc": pl.Utf8}
        )

    distinct = len(set(texts))
    links = timed(f"link {n:,} enterprises ({distinct:,} distinct product+code pairs)", link)
    print(f"  links: {links.height:,}")
    result = timed(
        f"chain health for {len(specs)} chains", health.chain_health, nodes, links, firms
    )
    for r in result:
        print(
            f"  {r['chain']:<22} enterprises {r['enterprises']:>6,}  tier {r['tier']}"
            f"  coverage {r['coverage']:.0%}  index {r['index'].value}"
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
