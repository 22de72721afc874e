"""Benchmark: 亩均 schemes over N generated firms (default 1,000,000).

    python benchmarks/bench_landuse.py [N]

Prints wall time, CPU time and peak memory (RSS) of: generating the frames; the 黄岩 2022
scheme (fixed benchmarks, the missing-emissions rule, two groups); the Chengdu example
scheme (group averages and a percentile as benchmarks, caps, "T" groups, classes by
rank); the Chengdu scheme with a parcels table (a tenth of the firms co-owning parcels in
pairs, a tenth tenants); and the CLI's JSON of the 黄岩 run. It then checks the class
limits (A ≤ 30%, C ≥ 10%) and that co-owners share one result. Synthetic data are generated
inside the script with seeded hashes (no files, no network); timings are the best of a
few runs, as the machine is shared.
"""

from __future__ import annotations

import datetime as dt
import sys

import polars as pl
from timing import timed  # benchmarks/timing.py (the script's folder is on sys.path)

from lianzhang.core.frames import conform
from lianzhang.landuse import evaluate, load
from lianzhang.landuse.evaluate import to_json

YEAR = 2022


def rnd(seed: int, n: int) -> pl.Expr:
    return pl.int_range(n, dtype=pl.UInt64).hash(seed)


def uniform(seed: int, low: int, high: int, n: int, null_share: int = 0) -> pl.Expr:
    value = (rnd(seed, n) % (high - low) + low).cast(pl.Int64)
    if not null_share:
        return value
    return pl.when(rnd(seed + 1000, n) % null_share != 0).then(value)


def generate(n: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    codes = ["3411", "2710", "3985", "4411", "1713", "5211"]
    ent = pl.select(
        ("E" + pl.int_range(n).cast(pl.String)).alias("uscc"),
        pl.lit("企业").alias("name"),
        pl.lit(pl.Series(codes)).gather(rnd(2, n) % len(codes)).alias("industry_code"),
        pl.when(rnd(3, n) % 5 != 0).then(pl.format("园区{}", rnd(4, n) % 30)).alias("park"),
        (pl.lit(dt.date(2000, 1, 1)) + pl.duration(days=rnd(5, n) % 8400)).alias("registered_on"),
    )
    revenue = uniform(10, 1_000_000, 300_000_000, n) * 100  # fen
    ann = pl.select(
        ent["uscc"],
        pl.lit(YEAR, dtype=pl.Int64).alias("year"),
        revenue.alias("revenue"),
        (revenue * 9 // 10).alias("main_revenue"),
        (uniform(11, 10_000, 20_000_000, n, 30) * 100).alias("tax_paid"),
        (uniform(12, 100_000, 80_000_000, n, 30) * 100).alias("value_added"),
        (uniform(13, 1, 2000, n, 50) / 10).alias("land_mu"),
        (uniform(14, 10, 50_000, n, 30) / 10).alias("energy_tce"),
        (uniform(15, 1, 5000, n, 4) / 100).alias("emissions_t"),
        uniform(16, 5, 3000, n, 40).alias("employees"),
        (uniform(17, 0, 5_000_000, n, 30) * 100).alias("rd_expense"),
        (uniform(18, 10_000, 50_000_000, n, 30) * 10).cast(pl.Float64).alias("electricity_kwh"),
    )
    return conform("enterprises", ent), conform("annual", ann)


def parcel_links(n: int) -> pl.DataFrame:
    """Firms 0…n/10 own parcels in pairs; n/10…n/5 are tenants on a share of a parcel."""
    pairs = n // 20
    owners = pl.select(
        pl.format("P{}", pl.int_range(2 * pairs) // 2).alias("parcel_id"),
        ("E" + pl.int_range(2 * pairs).cast(pl.String)).alias("uscc"),
        pl.lit("owner").alias("role"),
        ((uniform(20, 10, 500, 2 * pairs)) / 10).alias("area"),
    )
    tenants = pl.select(
        pl.format("Q{}", pl.int_range(n // 10)).alias("parcel_id"),
        ("E" + (pl.int_range(n // 10) + 2 * pairs).cast(pl.String)).alias("uscc"),
        pl.lit("tenant").alias("role"),
        (uniform(21, 5, 100, n // 10) / 10).alias("area"),
    )
    return pl.concat([owners, tenants])


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(f"{n:,} firms, {YEAR}, {pl.thread_pool_size()} threads")
    huangyan = load("cn.zj.taizhou-huangyan.2022")
    chengdu = load("cn.sc.chengdu.example-district.2022")
    ent, ann = timed("generate frames", lambda: generate(n))
    hy = timed(
        "黄岩 2022 (fixed benchmarks, 2 groups)", lambda: evaluate(huangyan, ent, ann, YEAR), 3
    )
    counts = (
        hy.group_by("group").agg(pl.len(), pl.col("score").count().alias("scored")).sort("group")
    )
    print("    " + ", ".join(f"{g}: {c:,} firms, {s:,} scored" for g, c, s in counts.rows()))
    cd = timed("Chengdu example (averages, percentile, caps, classes)",
               lambda: evaluate(chengdu, ent, ann, YEAR), 3)  # fmt: skip
    links = parcel_links(n)
    cdp = timed(f"Chengdu example with {links.height:,} parcel links",
                lambda: evaluate(chengdu, ent, ann, YEAR, links), 3)  # fmt: skip
    text = timed("the CLI's JSON of the 黄岩 run", lambda: to_json(huangyan, hy))
    print(f"    {len(text) / 1e6:.0f} MB of JSON")
    for label, frame in (("without parcels", cd), ("with parcels", cdp)):
        scored = frame.filter(pl.col("group") == "park_above_scale", pl.col("score").is_not_null())
        share = scored["class"].value_counts(normalize=True).sort("class")
        shown = ", ".join(f"{c} {s:.1%}" for c, s in share.rows())
        a, c = (scored.filter(pl.col("class") == k).height / scored.height for k in "AC")
        assert a <= 0.3 and c >= 0.1, (a, c)
        print(f"    classes {label}: {shown} of {scored.height:,} scored (A ≤ 30%, C ≥ 10%: ok)")
    pair = cdp.filter(pl.col("uscc").is_in(["E0", "E1"]))
    assert pair["score"].n_unique() == 1 and pair["class"].n_unique() == 1
    print("    co-owners E0 and E1 share one result: ok")


if __name__ == "__main__":
    main()
