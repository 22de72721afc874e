"""The inputs of an evaluation: the contract tables and the one joined input frame.

:class:`Tables` holds the four contract tables as Polars frames. :func:`input_frame`
joins them into one row per enterprise with exactly the columns a compiled library
reads (``plan.Needs``): enterprise fields, yearly fields by years back
(``plan.annual_column``), a Boolean per title held on the as-of date and per award won
recently (``plan.title_column``, ``plan.award_column``). :func:`size_class` adds the
statistical size class (大型/中型/小型/微型) from last year's revenue and staff.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from lianzhang.core.frames import conform, schema

from .plan import Needs, annual_column, award_column, title_column

#: Statutory terms used when a title's valid_until is not recorded (years).
TITLE_TERMS = {"tech_sme": 1}
DEFAULT_TITLE_TERM = 3


@dataclass
class Tables:
    """The four contract tables as frames (see ``lianzhang.core.frames``)."""

    enterprises: pl.DataFrame
    annual: pl.DataFrame
    honours: pl.DataFrame | None = None
    awards: pl.DataFrame | None = None


def _frame(table: str, df: pl.DataFrame | None) -> pl.LazyFrame:
    if df is None:
        return pl.LazyFrame(schema=schema(table))
    return conform(table, df).lazy()


def input_frame(tables: Tables, as_of: dt.date, needs: Needs, dedup: bool = False) -> pl.LazyFrame:
    """One row per enterprise with every column the compiled policies read.

    ``dedup`` keeps the last row of a duplicated (uscc, year); without it a duplicate
    would repeat the enterprise, which ``run_query`` notices and then asks for it.
    """
    year = as_of.year
    base_cols = {"uscc", "name", "district", "industry_code"} | needs.enterprise
    frame = _frame("enterprises", tables.enterprises).select(sorted(base_cols))
    annual = _frame("annual", tables.annual)
    by_back: dict[int, list[str]] = {}
    for name, back in needs.annual | {("revenue", 1), ("employees", 1)}:
        by_back.setdefault(back, []).append(name)
    for back, names in sorted(by_back.items()):
        part = annual.filter(pl.col("year") == year - back).select(
            "uscc", *[pl.col(n).alias(annual_column(n, back)) for n in sorted(names)]
        )
        frame = frame.join(
            part.unique("uscc", keep="last") if dedup else part,
            on="uscc",
            how="left",
        )
    for flags in (_title_flags(tables, as_of, needs), _award_flags(tables, as_of, needs)):
        if flags is not None:
            frame = frame.join(flags, on="uscc", how="left")
    flag_names = [title_column(t) for t in needs.titles] + [award_column(*a) for a in needs.awards]
    return frame.with_columns(pl.col(flag_names).fill_null(False)) if flag_names else frame


def _title_flags(tables: Tables, as_of: dt.date, needs: Needs) -> pl.LazyFrame | None:
    """One row per enterprise holding any needed title: a Boolean per title, valid on as_of."""
    if not needs.titles:
        return None
    flags = []
    for title in sorted(needs.titles):
        term = TITLE_TERMS.get(title, DEFAULT_TITLE_TERM)
        until = pl.coalesce(pl.col("valid_until"), pl.col("granted_on").dt.offset_by(f"{term}y"))
        valid = (pl.col("title") == title) & (pl.col("granted_on") <= as_of) & (until >= as_of)
        flags.append(valid.any().alias(title_column(title)))
    honours = _frame("honours", tables.honours)
    return honours.filter(pl.col("title").is_in(sorted(needs.titles))).group_by("uscc").agg(flags)


def _award_flags(tables: Tables, as_of: dt.date, needs: Needs) -> pl.LazyFrame | None:
    """A Boolean per (kind, years, top): won in the last ``years`` years, ranked within top."""
    if not needs.awards:
        return None
    year = as_of.year
    flags = []
    for kind, years, top in sorted(needs.awards):
        recent = pl.col("year").is_between(year - years, year - 1)
        chosen = (pl.col("kind") == kind) & recent & (pl.col("rank") <= top)
        flags.append(chosen.any().alias(award_column(kind, years, top)))
    kinds = sorted({kind for kind, _, _ in needs.awards})
    awards = _frame("awards", tables.awards)
    return awards.filter(pl.col("kind").is_in(kinds)).group_by("uscc").agg(flags)


def size_class() -> pl.Expr:
    """企业规模 by 统计上大中小微型企业划分办法（2017）, the industry row (revenue and staff)."""
    revenue, staff = pl.col(annual_column("revenue", 1)), pl.col(annual_column("employees", 1))
    yuan = 100  # fen per yuan
    return (
        pl.when(revenue.is_null() | staff.is_null())
        .then(pl.lit("未知"))
        .when((staff >= 1000) & (revenue >= 400_000_000 * yuan))
        .then(pl.lit("大型"))
        .when((staff >= 300) & (revenue >= 20_000_000 * yuan))
        .then(pl.lit("中型"))
        .when((staff >= 20) & (revenue >= 3_000_000 * yuan))
        .then(pl.lit("小型"))
        .otherwise(pl.lit("微型"))
        .alias("size")
    )
