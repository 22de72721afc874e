"""What-if: change parameters, see who gains or loses eligibility and what it costs.

``gained`` / ``lost`` list the enterprises, ``budget_change_fen`` the exact change of the
awards, ``by("district" | "industry" | "size")`` the breakdown, and ``total_after_fen``
against ``budget_fen`` whether the policy's budget still covers it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from .engine import Tables
from .evaluation import evaluate
from .policy import Library


@dataclass
class WhatIf:
    policy: str
    overrides: dict[str, object]
    changes: pl.DataFrame  # one row per enterprise whose verdict or award changed
    budget_fen: int | None = None  # the policy's declared budget
    total_before_fen: int = 0  # all awards to eligible enterprises, before and after
    total_after_fen: int = 0
    eligible_before: int = 0
    eligible_after: int = 0

    @property
    def gained(self) -> list[str]:
        return self.changes.filter(pl.col("change") == "gained")["uscc"].to_list()

    @property
    def lost(self) -> list[str]:
        return self.changes.filter(pl.col("change") == "lost")["uscc"].to_list()

    @property
    def budget_change_fen(self) -> int:
        return int(self.changes["award_delta_fen"].sum())

    def by(self, column: str) -> pl.DataFrame:
        """Gains, losses and budget change by ``district``, ``industry`` or ``size``."""
        key = "industry" if column == "industry" else column
        return (
            self.changes.group_by(key)
            .agg(
                (pl.col("change") == "gained").sum().alias("gained"),
                (pl.col("change") == "lost").sum().alias("lost"),
                pl.col("award_delta_fen").sum().alias("award_delta_fen"),
            )
            .sort(key, nulls_last=True)
        )


def whatif(
    library: Library,
    tables: Tables,
    as_of: dt.date,
    policy: str,
    overrides: Mapping[str, object],
) -> WhatIf:
    """Evaluate ``policy`` with its parameters, then with ``overrides``, and compare."""
    base = evaluate(library, tables, as_of, [policy]).results()
    pid = base["policy"][0] if base.height else policy
    new = evaluate(library, tables, as_of, [policy], {pid: dict(overrides)}).results()
    joined = base.select(
        "uscc",
        "name",
        "district",
        pl.col("industry_code").str.slice(0, 2).alias("industry"),
        "size",
        pl.col("verdict").alias("before"),
        pl.col("award_fen").alias("award_before"),
    ).join(
        new.select(
            "uscc", pl.col("verdict").alias("after"), pl.col("award_fen").alias("award_after")
        ),
        on="uscc",
    )
    was, now = pl.col("before") == "eligible", pl.col("after") == "eligible"
    changes = joined.with_columns(
        pl.when(~was & now)
        .then(pl.lit("gained"))
        .when(was & ~now)
        .then(pl.lit("lost"))
        .otherwise(pl.lit("same"))
        .alias("change"),
        (pl.col("award_after").fill_null(0) - pl.col("award_before").fill_null(0)).alias(
            "award_delta_fen"
        ),
    ).filter(
        (pl.col("change") != "same")
        | (pl.col("award_delta_fen") != 0)
        | (pl.col("before") != pl.col("after"))
    )
    return WhatIf(
        pid,
        dict(overrides),
        changes,
        library.resolve(policy, as_of).budget_fen,
        int(base["award_fen"].sum()) if base.height else 0,
        int(new["award_fen"].sum()) if new.height else 0,
        int((base["verdict"] == "eligible").sum()) if base.height else 0,
        int((new["verdict"] == "eligible").sum()) if new.height else 0,
    )
