"""Monitoring benchmark: same-set growth over a generated firm × month panel.

    python benchmarks/bench_monitoring.py [--firms 100000] [--months 24] [--no-files]

Generates (seeded numpy, no files, no network) N firms over 24 months (two years) with two
indicators (工业总产值 in fen, 用电量 in 0.01 kWh), 0.1% of values unknown, a 2024 and a
2025 roster with churn (5% leave, 5% enter), 20 districts and 40 industry codes. Then
times growth for the month and cumulative 1—N月, for the whole set, by district and by
industry (with contributions), for both indicators; checks the whole-set figure against a
separate numpy computation; and, unless ``--no-files``, writes the three CSV files and
times ``panel.read_values`` and the CLI path. Prints wall time, CPU time and peak RSS.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from timing import timed  # noqa: E402  (benchmarks/timing.py)

from lianzhang.core.uscc import make  # noqa: E402
from lianzhang.monitoring import growth as method  # noqa: E402
from lianzhang.monitoring import panel  # noqa: E402
from lianzhang.monitoring.growth import Period  # noqa: E402

YEARS = (2024, 2025)


def generate(n: int, months: int, seed: int = 20261203) -> dict[str, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    uscc = np.array([make(f"91510100MA{i:07d}") for i in range(n)])
    size = rng.lognormal(mean=15.0, sigma=1.2, size=n)  # a firm's monthly output, fen
    trend = rng.normal(1.06, 0.15, size=n).clip(0.2, 3.0)
    index = np.arange(months)
    years = np.array([YEARS[0] + i // 12 for i in index], dtype=np.int32)
    month = np.array([i % 12 + 1 for i in index], dtype=np.int8)
    season = 1 + 0.1 * np.sin(month / 12 * 2 * np.pi)
    growth = np.where(years == YEARS[1], 1.0, 0.0)[None, :] * (trend[:, None] - 1) + 1
    noise = rng.normal(1.0, 0.05, size=(n, months)).clip(0.5, 1.5)
    output = np.rint(size[:, None] * season[None, :] * growth * noise).astype(np.int64)
    kwh = np.rint(output * rng.uniform(0.5, 2.0, size=n)[:, None] / 100).astype(np.int64)
    unknown = rng.random((n, months)) < 0.001
    values = pl.DataFrame(
        {
            "uscc": np.repeat(uscc, months),
            "year": np.tile(years, n),
            "month": np.tile(month, n),
            "output_value": output.ravel(),
            "electricity_kwh": kwh.ravel(),
        }
    ).with_columns(
        pl.when(pl.Series(unknown.ravel())).then(None).otherwise(pl.col(c)).alias(c)
        for c in ("output_value", "electricity_kwh")
    )
    churn = rng.random(n)
    in_before, in_now = churn >= 0.05, (churn < 0.05) | (churn >= 0.10)
    roster = pl.concat(
        [
            pl.DataFrame({"uscc": uscc[in_before], "year": YEARS[0]}),
            pl.DataFrame({"uscc": uscc[in_now], "year": YEARS[1]}),
        ]
    ).with_columns(pl.col("year").cast(pl.Int32))
    enterprises = pl.DataFrame(
        {
            "uscc": uscc,
            "district": [f"区{d:02d}" for d in rng.integers(0, 20, size=n)],
            "industry_code": [f"C{c:02d}" for c in rng.integers(13, 53, size=n)],
        }
    )
    return {"values": values, "roster": roster, "enterprises": enterprises}


def check(frames: dict[str, pl.DataFrame], code: str, period: Period) -> None:
    """The whole-set cumulative figure by a separate numpy computation."""
    v = frames["values"].filter(pl.col("month") <= period.month)
    scope = set(frames["roster"].filter(pl.col("year") == period.year)["uscc"].to_list())
    wide = v.filter(pl.col("uscc").is_in(list(scope))).pivot(
        on=["year", "month"], index="uscc", values=code
    )
    now = [c for c in wide.columns if c.startswith(f"{{{period.year},")]
    before = [c for c in wide.columns if c.startswith(f"{{{period.year - 1},")]
    matrix = wide.select(now + before).to_numpy()
    known = ~np.isnan(matrix.astype(float)).any(axis=1)
    m = matrix[known].astype(np.int64)
    current, prior = int(m[:, : len(now)].sum()), int(m[:, len(now) :].sum())
    [g] = method.growth(frames["values"], frames["roster"], code, period, cumulative=True)
    assert (g.current, g.prior, g.firms) == (current, prior, int(known.sum())), (g, current)
    assert g.excluded == len(scope) - int(known.sum())
    print(f"  check {code} {g.label}: {g.firms:,} firms, {g.excluded:,} excluded, growth "
          f"{float(g.growth or 0):.4%} — agrees with numpy")  # fmt: skip


def files(frames: dict[str, pl.DataFrame], period: Period) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-monitoring-") as folder:
        read_files(frames, period, Path(folder))


def read_files(frames: dict[str, pl.DataFrame], period: Period, folder: Path) -> None:
    values = frames["values"].select(
        "uscc",
        pl.format("{}-{}", "year", pl.col("month").cast(pl.String).str.zfill(2)).alias("period"),
        pl.format(
            "{}.{}",
            pl.col("output_value") // 100,
            (pl.col("output_value") % 100).cast(pl.String).str.zfill(2),
        ).alias("output_value"),
    )
    values.write_csv(folder / "values.csv")
    frames["roster"].write_csv(folder / "roster.csv")
    size = (folder / "values.csv").stat().st_size / 2**20
    print(f"  values.csv: {values.height:,} rows, {size:.0f} MB")
    read = timed("read values.csv (panel.read_values)", lambda: panel.read_values(
        folder / "values.csv", ["output_value"]))  # fmt: skip
    roster = timed("read roster.csv", lambda: panel.read_roster(folder / "roster.csv"))
    timed("growth from the files' frames, cumulative", lambda: method.growth(
        read, roster, "output_value", period, cumulative=True))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--no-files", action="store_true")
    args = parser.parse_args()
    period = Period(YEARS[1], min(args.months - 12, 12))
    print(f"{args.firms:,} firms × {args.months} months, period {period}, "
          f"{pl.thread_pool_size()} threads")  # fmt: skip
    frames = timed("generate the panel", lambda: generate(args.firms, args.months))
    print(f"  panel: {frames['values'].height:,} rows, "
          f"{frames['values'].estimated_size('mb'):.0f} MB")  # fmt: skip
    for code in ("output_value", "electricity_kwh"):
        for cumulative in (False, True):
            kind = "cumulative" if cumulative else "month"
            for by in ("none", "district", "industry_code"):

                def run(by: str = by, cumulative: bool = cumulative, code: str = code) -> list:
                    groups = method.growth(
                        frames["values"], frames["roster"], code, period,
                        cumulative=cumulative, enterprises=frames["enterprises"], by=by,
                    )  # fmt: skip
                    method.contributions(groups)
                    return groups

                groups = timed(f"growth {code} {kind} by {by} + contributions", run, 3)
                if by != "none":
                    pulls = sum((c.pull or Fraction(0) for c in method.contributions(groups)),
                                Fraction(0))  # fmt: skip
                    assert pulls == method.total(groups).growth
    timed("环比 output_value by district", lambda: method.month_on_month(
        frames["values"], frames["roster"], "output_value", period,
        enterprises=frames["enterprises"], by="district"), 3)  # fmt: skip
    check(frames, "output_value", period)
    if not args.no_files:
        files(frames, period)


if __name__ == "__main__":
    main()
