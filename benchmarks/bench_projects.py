"""Projects benchmark: health for N major projects with 30 nodes each.

    python benchmarks/bench_projects.py [--projects 100000] [--check 50]

Generates N industrial projects (the shipped 30-node template) with seeded random starts
from 2022-07 to the as-of date, refined limits on a fifth of the nodes, and actual finish
dates simulated along the node graph (each node taking 0.6–1.6 × its limit), so that on
the as-of date 2025-09-30 projects stand at every stage, some late; investment planned and completed
for the year in integer fen, some unknown; 0–4 open blockers. Then it times
``lianzhang.projects.bulk.health_frame`` on the 3,000,000 node rows, prints the grade
and stage distribution, and checks that ``health.project_health`` (pure, per project)
agrees on a sample. Peak memory is the process's peak resident set (ru_maxrss).
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from lianzhang.core.money import from_fen  # noqa: E402
from lianzhang.projects import bulk  # noqa: E402
from lianzhang.projects.health import project_health  # noqa: E402
from lianzhang.projects.schedule import Project  # noqa: E402
from lianzhang.projects.templates import template  # noqa: E402

AS_OF = dt.date(2025, 9, 30)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, func, *args, **kwargs):
    start = time.perf_counter()
    out = func(*args, **kwargs)
    print(f"{label}: {time.perf_counter() - start:.2f} s (peak RSS so far {peak_mib():,.0f} MiB)")
    return out


def generate(n: int, seed: int = 20261203) -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    t = template("industrial")
    order = list(t.order)
    col = {c: k for k, c in enumerate(order)}
    first = bulk.ordinal(dt.date(2022, 7, 1))
    start = first + rng.integers(0, (AS_OF - dt.date(2022, 7, 1)).days, n)
    defaults = np.array([t.by_code[c].days for c in order])
    refined = rng.random((n, len(order))) < 0.2
    limit = np.where(refined, np.maximum(1, defaults * rng.uniform(0.5, 1.5, (n, 1))), defaults)
    limit = limit.astype(np.int64)
    fin = np.full((n, len(order)), bulk.NULL, dtype=np.int64)
    as_of = bulk.ordinal(AS_OF)
    for j, code in enumerate(order):
        preds = [col[a] for a in t.by_code[code].after]
        s = fin[:, preds].max(axis=1) if preds else start
        took = np.rint(limit[:, j] * 1.45 * rng.uniform(0.6, 1.6, n)).astype(np.int64)
        f = s + took
        fin[:, j] = np.where((s < bulk.NULL) & (f <= as_of), f, bulk.NULL)
    codes = [f"XM{k:07d}" for k in range(n)]
    planned = rng.integers(10**8, 10**12, n)
    completed = (planned * rng.uniform(0.5, 1.05, n)).astype(np.int64)
    known = rng.random(n) < 0.9
    projects = pl.DataFrame(
        {
            "project": codes,
            "category": ["industrial"] * n,
            "start": pl.Series(start.astype(np.int32)).cast(pl.Date),
            "year_planned": pl.Series(planned),
            "year_completed": pl.Series(np.where(known, completed, 0)),
            "open_blockers": rng.choice([0, 0, 0, 1, 2, 3, 4], n),
        }
    ).with_columns(pl.when(pl.Series(known)).then(pl.col("year_completed")).alias("year_completed"))
    done = fin.ravel()
    nodes = pl.DataFrame(
        {
            "project": pl.Series(codes).gather(np.repeat(np.arange(n), len(order))),
            "node": pl.Series(order * n),
            "limit": pl.Series(np.where(refined.ravel(), limit.ravel(), 0)),
            "finished": pl.Series(np.where(done < bulk.NULL, done, 0).astype(np.int32)),
        }
    ).with_columns(
        pl.when(pl.Series(refined.ravel())).then(pl.col("limit")).alias("limit"),
        pl.when(pl.Series(done < bulk.NULL))
        .then(pl.col("finished").cast(pl.Date))
        .alias("finished"),
    )
    return projects, nodes


def check(projects: pl.DataFrame, nodes: pl.DataFrame, result: pl.DataFrame, k: int) -> None:
    sample = projects.head(k)
    by_node = nodes.filter(pl.col("project").is_in(sample["project"].implode()))
    chosen = result.filter(pl.col("project").is_in(sample["project"].implode()))
    rows = {r["project"]: r for r in chosen.to_dicts()}
    start = time.perf_counter()
    for p in sample.to_dicts():
        mine = by_node.filter(pl.col("project") == p["project"])
        project = Project(
            p["project"],
            p["category"],
            p["start"],
            limits={r["node"]: r["limit"] for r in mine.to_dicts() if r["limit"] is not None},
            finished={r["node"]: r["finished"] for r in mine.to_dicts() if r["finished"]},
            year_planned=from_fen(p["year_planned"]),
            year_completed=None if p["year_completed"] is None else from_fen(p["year_completed"]),
            open_blockers=p["open_blockers"],
        )
        h = project_health(project, AS_OF)
        row = rows[p["project"]]
        got = (row["grade"], row["stage"], row["overdue_nodes"], row["max_overdue_workdays"])
        want = (h.grade.value, h.stage, h.overdue_nodes, h.max_overdue_workdays)
        assert got == want, (p["project"], got, want)
    per = (time.perf_counter() - start) / k
    print(f"pure project_health agrees on {k} projects ({per * 1000:.0f} ms a project)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--check", type=int, default=50)
    args = parser.parse_args()
    projects, nodes = timed(f"generate {args.projects:,} projects", generate, args.projects)
    print(f"  node rows: {nodes.height:,}; finished: {nodes['finished'].is_not_null().sum():,}")
    best = None
    for _ in range(3):
        start = time.perf_counter()
        result = bulk.health_frame(projects, nodes, AS_OF)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    print(
        f"health for {projects.height:,} projects × 30 nodes on {AS_OF}: "
        f"{best:.2f} s (best of 3); peak RSS {peak_mib():,.0f} MiB"
    )
    print(result["grade"].value_counts(sort=True))
    print(result["stage"].value_counts(sort=True))
    if args.check:
        check(projects, nodes, result, args.check)


if __name__ == "__main__":
    main()
