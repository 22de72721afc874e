"""Benchmark: the whole policy library with explanations over N generated enterprises.

    python benchmarks/bench_rules.py [N]        (default 1,000,000)

Prints wall time, CPU time and peak memory (RSS) of: generating the frames; the engine on
the whole library in force (national + local), explanations included (every criterion's
passed / value / threshold and every score item, in one wide frame); the long results
table; the engine on three national policies; and a hand-written Polars version of the
same three policies, verdicts only (what the hardware allows). It then checks that the
engine and the hand-written version agree on every enterprise's verdict for all three.
Timings are the best of a few runs, as the machine is shared. Synthetic data are
generated inside the script with seeded hashes (no files, no network).
"""

from __future__ import annotations

import datetime as dt
import resource
import sys
import time
from collections.abc import Callable
from typing import TypeVar

import polars as pl

from lianzhang.core.frames import conform
from lianzhang.rules import Tables, evaluate, load_library

AS_OF = dt.date(2026, 6, 1)
T = TypeVar("T")
THREE = ["cn.nbs.above-scale-industrial", "cn.most.2016.high-tech", "cn.miit.2026.specialized-sme"]


def rnd(seed: int, n: int) -> pl.Expr:
    return pl.int_range(n, dtype=pl.UInt64).hash(seed)


def uniform(seed: int, low: int, high: int, n: int, null_share: int = 20) -> pl.Expr:
    value = (rnd(seed, n) % (high - low) + low).cast(pl.Int64)
    return pl.when(rnd(seed + 1000, n) % null_share != 0).then(value)


def generate(n: int) -> Tables:
    codes = ["3985", "3411", "0610", "6513", "4411", "2710"]
    ent = pl.select(
        ("E" + pl.int_range(n).cast(pl.String)).alias("uscc"),
        pl.lit("企业").alias("name"),
        pl.format("区{}", rnd(1, n) % 8).alias("district"),
        pl.lit(pl.Series(codes)).gather(rnd(2, n) % len(codes)).alias("industry_code"),
        (pl.lit(dt.date(2000, 1, 1)) + pl.duration(days=rnd(3, n) % 9000)).alias("registered_on"),
        (rnd(4, n) % 50 == 0).alias("credit_blacklisted"),
        (rnd(5, n) % 80 == 0).alias("major_incident_recent"),
        (rnd(6, n) % 3 == 0).alias("tech_in_supported_fields"),
        (rnd(7, n) % 2 == 0).alias("is_sei_product"),
    )
    years = []
    for k, year in enumerate((2023, 2024, 2025)):
        s = 100 * k
        revenue = uniform(s + 10, 1_000_000, 300_000_000, n) * 100
        years.append(
            pl.select(
                ("E" + pl.int_range(n).cast(pl.String)).alias("uscc"),
                pl.lit(year, dtype=pl.Int64).alias("year"),
                revenue.alias("revenue"),
                (revenue * 9 // 10).alias("main_revenue"),
                (revenue * 8 // 10).alias("cost_total"),
                (revenue * uniform(s + 11, 0, 12, n) // 100).alias("rd_expense"),
                (revenue * uniform(s + 12, 0, 12, n) // 200).alias("rd_expense_domestic"),
                (revenue * uniform(s + 13, 0, 100, n) // 100).alias("high_tech_revenue"),
                (revenue * uniform(s + 14, -5, 15, n) // 100).alias("net_profit"),
                (revenue * 2).alias("total_assets"),
                (revenue * uniform(s + 15, 20, 110, n) // 100).alias("total_liabilities"),
                (revenue // 20).alias("tax_paid"),
                (revenue // 4).alias("value_added"),
                (uniform(s + 16, 0, 30, n, 3) * 1_000_000 * 100).alias("equity_financing"),
                uniform(s + 17, 5, 800, n).alias("employees"),
                uniform(s + 18, 0, 80, n).alias("rd_staff"),
                uniform(s + 19, 0, 120, n).alias("tech_staff"),
                uniform(s + 20, 10, 5000, n).cast(pl.Float64).alias("energy_tce"),
                uniform(s + 21, 5, 200, n).cast(pl.Float64).alias("land_mu"),
                uniform(s + 22, 0, 6, n).alias("ip_class1"),
                uniform(s + 23, 0, 3, n).alias("ip_class1_self"),
                uniform(s + 24, 0, 2, n).alias("ip_class1_high_value"),
                uniform(s + 25, 0, 10, n).alias("ip_class2"),
                uniform(s + 26, 0, 15, n).alias("segment_years"),
                (uniform(s + 27, 0, 30, n) / 100).alias("market_share"),
                uniform(s + 28, 1, 20, n).alias("market_rank_domestic"),
                uniform(s + 29, 1, 20, n).alias("market_rank_global"),
                pl.lit(pl.Series(["none", "city", "provincial", "national"]))
                .gather(rnd(s + 30, n) % 4)
                .alias("rd_institution_level"),
                uniform(s + 31, 0, 5, n).alias("digital_level"),
                uniform(s + 32, 0, 2, n).alias("standards_led"),
                uniform(s + 33, 50, 90, n).cast(pl.Float64).alias("innovation_score"),
                uniform(s + 34, 0, 16, n).cast(pl.Float64).alias("local_feature_score"),
                (rnd(s + 35, n) % 2 == 0).alias("iso9001"),
                (rnd(s + 36, n) % 2 == 0).alias("own_brand"),
                (rnd(s + 37, n) % 4 == 0).alias("quality_award_provincial"),
                (rnd(s + 38, n) % 3 == 0).alias("standards_participated"),
                (rnd(s + 39, n) % 3 == 0).alias("core_business_info_system"),
                (rnd(s + 40, n) % 4 == 0).alias("product_in_key_areas"),
                (rnd(s + 41, n) % 4 == 0).alias("key_chain_position"),
                uniform(s + 42, 20, 100, n).cast(pl.Float64).alias("specialization_dev_score"),
            )
        )
    annual = pl.concat(years)
    titles = ["high_tech", "tech_sme", "innovative_sme", "specialized_sme", "little_giant"]
    honours = pl.select(
        ("E" + (rnd(50, n) % n).cast(pl.String)).alias("uscc"),
        pl.lit(pl.Series(titles)).gather(rnd(51, n) % len(titles)).alias("title"),
        (pl.lit(dt.date(2022, 1, 1)) + pl.duration(days=rnd(52, n) % 1500)).alias("granted_on"),
    ).head(n // 5)
    awards = pl.select(
        ("E" + (rnd(60, n) % n).cast(pl.String)).alias("uscc"),
        (2020 + rnd(61, n) % 6).cast(pl.Int64).alias("year"),
        pl.lit(pl.Series(["sci_national", "sci_provincial", "maker_china"]))
        .gather(rnd(62, n) % 3)
        .alias("kind"),
        (1 + rnd(63, n) % 60).cast(pl.Int64).alias("rank"),
    ).head(n // 50)
    return Tables(
        conform("enterprises", ent),
        conform("annual", annual),
        conform("honours", honours),
        conform("awards", awards),
    )


def hand_written(t: Tables) -> pl.DataFrame:
    """The same three policies written directly in Polars: verdicts only, no explanations.

    True / False / null are eligible / ineligible / undetermined, with the same exact
    integer comparisons, the same three-valued logic and the same data conventions
    (title terms, 实际经营期不满三年的按实际经营时间计算) as the policy files.
    """
    a = t.annual
    used = [
        "revenue", "main_revenue", "rd_expense", "rd_expense_domestic", "high_tech_revenue",
        "total_assets", "total_liabilities", "equity_financing", "employees", "tech_staff",
        "ip_class1", "ip_class2", "segment_years", "rd_institution_level", "innovation_score",
        "specialization_dev_score",
    ]  # fmt: skip
    y = {k: a.filter(pl.col("year") == 2026 - k).select("uscc", *used) for k in (1, 2, 3)}
    w = t.enterprises.select(
        "uscc", "industry_code", "registered_on", "tech_in_supported_fields",
        "major_incident_recent",
    )  # fmt: skip
    for k in (1, 2, 3):
        suffix = "" if k == 1 else f"_{k}"
        w = w.join(
            y[k].select("uscc", pl.all().exclude("uscc").name.suffix(suffix)), on="uscc", how="left"
        )
    granted = pl.col("granted_on")
    term = pl.when(pl.col("title") == "tech_sme").then(granted.dt.offset_by("1y"))
    until = pl.coalesce(pl.col("valid_until"), term.otherwise(granted.dt.offset_by("3y")))
    held = (
        t.honours.filter(
            pl.col("title").is_in(["tech_innovative_sme", "tech_sme", "innovative_sme"])
        )
        .filter((pl.col("granted_on") <= AS_OF) & (until >= AS_OF))
        .select("uscc")
        .unique()
        .with_columns(pl.lit(True).alias("tier"))
    )
    won = (
        t.awards.filter(
            pl.col("kind").is_in(["sci_provincial", "sci_national"])
            & pl.col("year").is_between(2023, 2025)
            & (pl.col("rank") <= 3)
        )
        .select("uscc")
        .unique()
        .with_columns(pl.lit(True).alias("award"))
    )
    w = w.join(held, on="uscc", how="left").join(won, on="uscc", how="left")
    w = w.with_columns(pl.col("tier", "award").fill_null(False))
    founded = pl.col("registered_on").dt.year()

    def since(name: str) -> pl.Expr:  # 3-year sum; years before registration count 0
        cols = [name, f"{name}_2", f"{name}_3"]
        terms = [
            pl.when(founded > 2025 - k).then(0).otherwise(pl.col(c)) for k, c in enumerate(cols)
        ]
        return (terms[0] + terms[1] + terms[2]).cast(pl.Int128)

    rev = pl.col("revenue").cast(pl.Int128)
    rd, rev3, rd3 = pl.col("rd_expense").cast(pl.Int128), since("revenue"), since("rd_expense")
    share = pl.when(rev <= 5_000_000_000).then(5).when(rev <= 20_000_000_000).then(4).otherwise(3)
    industrial = pl.col("industry_code").str.slice(0, 2).cast(pl.Int32, strict=False)
    return w.select(
        "uscc",
        (industrial.is_between(6, 46) & (pl.col("main_revenue") >= 2_000_000_000)).alias("scale"),
        (
            ((pl.lit(AS_OF) - pl.col("registered_on")).dt.total_days() >= 365)
            & ((pl.col("ip_class1") >= 1) | (pl.col("ip_class2") >= 1))
            & pl.col("tech_in_supported_fields")
            & (pl.col("tech_staff") * 10 >= pl.col("employees"))
            & (rd3 * 100 >= rev3 * share)
            & (since("rd_expense_domestic") * 10 >= rd3 * 6)
            & (pl.col("high_tech_revenue") * 10 >= rev * 6)
            & (pl.col("innovation_score") > 70)
            & ~pl.col("major_incident_recent")
        ).alias("high_tech"),
        (
            pl.col("tier")
            & (pl.col("segment_years") >= 3)
            & (
                (rev >= 1_500_000_000)
                | (pl.col("equity_financing") + pl.col("equity_financing_2") >= 2_000_000_000)
            )
            & (pl.col("main_revenue") * 10 >= rev * 8)
            & (pl.col("total_liabilities") * 10 <= pl.col("total_assets") * 8)
            & (rd >= 100_000_000)
            & (rd * 100 >= rev * 3)
            & (pl.col("rd_expense_2") >= 100_000_000)
            & (pl.col("rd_expense_2") * 100 >= pl.col("revenue_2") * 3)
            & (
                (pl.col("ip_class1") >= 1)
                | pl.col("award")
                | pl.col("rd_institution_level").is_in(["provincial", "national"])
            )
            & pl.lit(None, dtype=pl.Boolean)  # 细分市场占有率较为靠前: manual review
            & (pl.col("specialization_dev_score") >= 50)
        ).alias("specialized"),
    )


def timed(label: str, func: Callable[[], T], repeat: int = 1) -> tuple[T, float]:
    """Run ``func`` (best of ``repeat``: the machine is shared) and print time and peak RSS."""
    best = cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = func()
        best = min(best, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    shown = f"{label} (best of {repeat})" if repeat > 1 else label
    print(f"{shown:66} {best:6.2f} s wall {cpu:6.2f} s CPU   peak RSS {peak:6.0f} MB")
    return result, best


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(f"{n:,} enterprises, 3 years, as of {AS_OF}, {pl.thread_pool_size()} threads")
    lib = load_library()
    tables, _ = timed("generate frames", lambda: generate(n))
    ev, _ = timed(
        f"engine: whole library ({len(lib.select(None, AS_OF))} policies) with explanations",
        lambda: evaluate(lib, tables, AS_OF),
        repeat=2,
    )
    print(f"    result frame: {ev.frame.width} columns, {ev.frame.estimated_size('mb'):.0f} MB")
    timed("engine: long results table (enterprise × policy)", ev.results)
    three, t_engine = timed(
        "engine: 3 national policies with explanations",
        lambda: evaluate(lib, tables, AS_OF, THREE),
        repeat=3,
    )
    ref, t_hand = timed(
        "hand-written Polars: the same 3 policies, verdicts only",
        lambda: hand_written(tables),
        repeat=3,
    )
    print(f"engine / hand-written = {t_engine / t_hand:.2f}×")
    verdict = {True: "eligible", False: "ineligible", None: "undetermined"}
    engine = three.results().pivot("policy", index="uscc", values="verdict").sort("uscc")
    ref = ref.sort("uscc")
    for pid, column in zip(THREE, ("scale", "high_tech", "specialized"), strict=True):
        version = three.policy(pid).policy.id
        mine = engine[version]
        theirs = ref[column].replace_strict(verdict, return_dtype=pl.String)
        assert (mine == theirs).all(), (pid, (mine != theirs).sum())
        counts = mine.value_counts().sort("count", descending=True).rows()
        shown = ", ".join(f"{v} {c:,}" for v, c in counts)
        print(f"    {pid}: engine = hand-written for every enterprise ({shown})")


if __name__ == "__main__":
    main()
