"""Import 1,000,000 annual rows into SQLite and PostgreSQL; print rows/s and peak memory.

    python benchmarks/bench_import.py [--rows 1000000] [--pg postgres://postgres@127.0.0.1:5432/x]

The demo generator writes a city with enough enterprises for that many annual rows as CSV (and,
with --xlsx, the annual table as .xlsx). Each import runs as its own `lianzhang import`
process, so its peak resident memory (ru_maxrss) is the import's alone.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from lianzhang.demo.generator import generate, write_city


def run_import(env: dict[str, str], table: str, path: Path) -> tuple[float, float, str]:
    """(seconds, peak MiB, last output line) of one `lianzhang import` process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "lianzhang.cli", "import", table, str(path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    out = proc.stdout.read().strip().splitlines() if proc.stdout else []
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"import of {path} failed: {out}")
    return elapsed, usage.ru_maxrss / 1024, out[-1] if out else ""


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "lianzhang.cli", "init"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def write_files(work: Path, rows: int, xlsx: bool) -> None:
    t0 = time.perf_counter()
    # Young firms report fewer than five years: generate enough firms for the rows asked.
    city = generate(seed=7, enterprises=max(1, rows * 2 // 7))
    annual = city.annual.head(rows)
    if annual.height < rows:
        raise SystemExit(f"generated only {annual.height:,} annual rows")
    city = type(city)(**{**city.__dict__, "annual": annual})
    write_city(city, work, fmt="csv")
    if xlsx:
        write_city(city, work, fmt="xlsx")
    print(
        f"generated {city.enterprises.height:,} enterprises, {annual.height:,} annual rows "
        f"in {time.perf_counter() - t0:.1f}s ({work})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/lianzhang_bench")
    parser.add_argument("--xlsx", action="store_true", help="also import the annual table as .xlsx")
    parser.add_argument("--generate-only", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_only:
        return write_files(Path(args.generate_only), args.rows, args.xlsx)

    work = Path(tempfile.mkdtemp(prefix="lz-bench-"))
    # Generate in a child: a forked child's ru_maxrss starts at its parent's size, so the
    # parent stays small for the import processes' peaks to be their own.
    subprocess.run(
        [sys.executable, __file__, "--generate-only", str(work), "--rows", str(args.rows)]
        + (["--xlsx"] if args.xlsx else []),
        check=True,
    )
    size = (work / "annual.csv").stat().st_size / 2**20
    columns = len(pl.read_csv(work / "annual.csv", n_rows=1).columns)
    print(f"annual.csv: {size:.0f} MiB, {columns} columns")

    targets = {
        "SQLite": {"LIANZHANG_DATA_DIR": str(work / "sqlite")},
        "PostgreSQL": {"DATABASE_URL": args.pg},
    }
    subprocess.run(
        [
            "psql",
            args.pg.rsplit("/", 1)[0] + "/postgres",
            "-qc",
            f"DROP DATABASE IF EXISTS {args.pg.rsplit('/', 1)[1]}",
        ],
        check=False,
    )
    subprocess.run(
        [
            "psql",
            args.pg.rsplit("/", 1)[0] + "/postgres",
            "-qc",
            f"CREATE DATABASE {args.pg.rsplit('/', 1)[1]}",
        ],
        check=True,
    )
    print(
        f"\n{'database':<11} {'file':<12} {'rows':>10} {'seconds':>8} {'rows/s':>9} {'peak MiB':>9}"
    )
    for name, extra in targets.items():
        env = {**os.environ, "LIANZHANG_DEBUG": "1", **extra}
        env.pop("DATABASE_URL", None) if "DATABASE_URL" not in extra else None
        migrate(env)
        run_import(env, "enterprises", work / "enterprises.csv")
        files = [work / "annual.csv"] + ([work / "annual.xlsx"] if args.xlsx else [])
        for path in files:
            seconds, peak, _ = run_import(env, "annual", path)
            print(
                f"{name:<11} {path.name:<12} {args.rows:>10,} {seconds:>8.1f} "
                f"{args.rows / seconds:>9,.0f} {peak:>9.0f}"
            )


if __name__ == "__main__":
    main()
