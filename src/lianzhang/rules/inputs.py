"""The inputs of an evaluation: the contract tables and the one joined input frame.

:class:`Tables` holds the four contract tables as Polars frames. :func:`input_frame`
joins them into one row per enterprise with exactly the columns a compiled library
reads (``plan.Needs``): enterprise fields, yearly fields by years back
(``plan.annual_column``), a Boolean per title held on the as-of date and per award won
recently (``plan.title_column``, ``plan.award_column``). :func:`size_class` adds the
size class (大型/中型/小型/微型) from the industry's row of the 划型标准 (``sizes``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from lianzhang.core.frames import conform, schema

from . import sizes
from .plan import Needs, annual_column, award_column, grant_column, title_column

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
    for name, back in needs.annual | {(i, 1) for i in sizes.INDICATORS}:
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
    for flags in (
        _title_flags(tables, as_of, needs),
        _grant_flags(tables, as_of, needs),
        _award_flags(tables, as_of, needs),
    ):
        if flags is not None:
            frame = frame.join(flags, on="uscc", how="left")
    flag_names = [title_column(t) for t in needs.titles] + [grant_column(*g) for g in needs.grants]
    frame = sizes.with_row(frame, as_of)  # read by size_class() and is_sme()
    if flag_names:  # the registers are complete: no row means no such title
        frame = frame.with_columns(pl.col(flag_names).fill_null(False))
    if needs.awards:  # no award row is no award; an unknown among the rows stays unknown
        listed = pl.col(_AWARD_ROWS).is_not_null()
        frame = frame.with_columns(
            pl.when(listed).then(pl.col(award_column(*a))).otherwise(pl.lit(False))
            for a in sorted(needs.awards)
        ).drop(_AWARD_ROWS)
    return frame


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


def _grant_flags(tables: Tables, as_of: dt.date, needs: Needs) -> pl.LazyFrame | None:
    """A Boolean per (title, years): granted on a day in (as_of − years, as_of] (新认定)."""
    if not needs.grants:
        return None
    flags = []
    for title, years in sorted(needs.grants):
        since = pl.lit(as_of).dt.offset_by(f"-{years}y")
        recent = (pl.col("granted_on") > since) & (pl.col("granted_on") <= as_of)
        flags.append(((pl.col("title") == title) & recent).any().alias(grant_column(title, years)))
    titles = sorted({title for title, _ in needs.grants})
    honours = _frame("honours", tables.honours)
    return honours.filter(pl.col("title").is_in(titles)).group_by("uscc").agg(flags)


def _award_flags(tables: Tables, as_of: dt.date, needs: Needs) -> pl.LazyFrame | None:
    """A Boolean per (kind, years, top): won in the last ``years`` years, ranked within top.

    An award of the evaluation year counts when conferred on or before the as-of date; with
    only its year recorded (no ``awarded_on``) it is unknown, not absent.
    """
    if not needs.awards:
        return None
    year = as_of.year
    flags = []
    for kind, years, top in sorted(needs.awards):
        before = pl.col("year").is_between(year - years, year - 1)
        this_year = pl.when(pl.col("year") == year).then(pl.col("awarded_on") <= as_of)
        recent = before | this_year.otherwise(pl.lit(False))
        chosen = (pl.col("kind") == kind) & (pl.col("rank") <= top) & recent
        flags.append(chosen.any(ignore_nulls=False).alias(award_column(kind, years, top)))
    kinds = sorted({kind for kind, _, _ in needs.awards})
    awards = _frame("awards", tables.awards)
    rows = pl.lit(True).alias(_AWARD_ROWS)
    return awards.filter(pl.col("kind").is_in(kinds)).group_by("uscc").agg(*flags, rows.first())


_AWARD_ROWS = "awards:any"  # the enterprise has a row in the awards register (of those kinds)


def size_class(as_of: dt.date | None = None) -> pl.Expr:
    """企业规模 by 《中小企业划型标准规定》 and the 统计上大中小微型企业划分办法（2017）.

    The industry's row of the dated table (``sizes``, in the frame's ``size_row``) decides
    which of last year's 从业人员, 营业收入 and 资产总额 count; 未知 when the data cannot
    decide the class.
    """
    return sizes.size_label(as_of or dt.date.today()).alias("size")
