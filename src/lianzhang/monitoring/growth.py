"""Growth the way the statistics bureau computes it: 同比 on this year's set of firms (pure).

The 规上 roster changes every year (firms cross the line either way, start, close, merge),
so the NBS computes growth on the panel of **this year's** firms with their own values in
the same period of the previous year, never against last year's published total
(docs/monitoring.en.md gives the sources). Here:

- the set is the roster of the period's year (``roster``: ``uscc``, ``year``); a firm that
  entered this year (新纳统) is counted on both sides with its own prior values, and a firm
  that left (退库) is on neither;
- the window is the month, or months 1…N when cumulative (1—N月); January and February
  are published together, so February is 1—2月 and January alone is refused (unless
  ``combine_jan_feb=False``, for a series such as electricity that a bureau reads monthly);
- a firm of the set lacking a value for any month of the window, this year or the prior
  year, is unknown: left out of both sides and counted in ``excluded``; a known 0 counts
  (a new start's prior months are 0, and must be written so);
- growth is the exact fraction ``current / prior − 1``, and None when the prior total is
  0, negative or there is no firm left.

The panel frame (``values``): ``uscc`` (String), ``year``, ``month`` (integers) and one
Int64 column per indicator, in hundredths of its unit (fen for yuan); null is unknown.
``panel.read_values`` builds it from a file.

>>> import polars as pl
>>> values = pl.DataFrame({"uscc": ["A", "A", "B", "B"], "year": [2024, 2025, 2024, 2025],
...                        "month": [6, 6, 6, 6], "output_value": [100, 150, 100, None]})
>>> roster = pl.DataFrame({"uscc": ["A", "B"], "year": [2025, 2025]})
>>> [g] = growth(values, roster, "output_value", Period(2025, 6))
>>> g.label, g.current, g.prior, g.growth, g.firms, g.excluded
('2025年6月', 150, 100, Fraction(1, 2), 1, 1)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Context, Decimal
from fractions import Fraction
from typing import Any

import polars as pl

from lianzhang.core.errors import ValidationError

from .indicators import Indicator, indicator

#: The groupings of the CLI contract.
GROUPINGS = ("none", "district", "industry_code")
_PERIOD = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValidationError(
                f"月份应为 01–12：{self.year}-{self.month:02d}",
                f"the month must be 01-12: {self.year}-{self.month:02d}",
            )

    @classmethod
    def parse(cls, text: str) -> Period:
        """``"2025-06"`` → Period(2025, 6); anything else is refused.

        >>> Period.parse("2025-06")
        Period(year=2025, month=6)
        """
        match = _PERIOD.fullmatch(text.strip())
        if match is None:
            raise ValidationError(
                f"期别格式不对：{text!r}（应为 YYYY-MM，如 2025-06）",
                f"bad period {text!r} (write YYYY-MM, e.g. 2025-06)",
            )
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"


def months(period: Period, cumulative: bool, combine_jan_feb: bool = True) -> tuple[int, ...]:
    """The months of ``period``'s year that the figure covers.

    >>> months(Period(2025, 6), True), months(Period(2025, 6), False)
    ((1, 2, 3, 4, 5, 6), (6,))
    >>> months(Period(2025, 2), False)
    (1, 2)
    """
    if combine_jan_feb and period.month == 1:
        raise ValidationError(
            f"1月数据不单独发布：1、2月合并为 1—2月，请用 {period.year}-02",
            f"January is not published alone (January and February are combined as 1—2月): "
            f"use {period.year}-02",
        )
    if cumulative or (combine_jan_feb and period.month == 2):
        return tuple(range(1, period.month + 1))
    return (period.month,)


def label(period: Period, cumulative: bool, combine_jan_feb: bool = True) -> str:
    """``2025年1—6月`` (cumulative, and 1—2月) or ``2025年6月``.

    >>> label(Period(2025, 6), True), label(Period(2025, 2), False), label(Period(2025, 6), False)
    ('2025年1—6月', '2025年1—2月', '2025年6月')
    """
    window = months(period, cumulative, combine_jan_feb)
    if len(window) == 1:
        return f"{period.year}年{window[0]}月"
    return f"{period.year}年{window[0]}—{window[-1]}月"


@dataclass(frozen=True)
class GroupGrowth:
    """One group's same-set figure. ``current`` and ``prior`` are hundredths of the unit."""

    group: str | None
    label: str
    current: int
    prior: int
    #: firms of the set counted on both sides
    firms: int
    #: firms of the set left out because a value was unknown
    excluded: int

    @property
    def growth(self) -> Fraction | None:
        return ratio(self.current - self.prior, self.prior)

    def as_json(self, spec: Indicator) -> dict[str, Any]:
        """The CLI contract's object: exact decimals as strings, the fraction as ``p/q``."""
        g = self.growth
        return {
            "group": self.group,
            "label": self.label,
            "current": exact(self.current, spec.money),
            "prior": exact(self.prior, spec.money),
            "growth": None if g is None else str(g),
            "firms": self.firms,
            "excluded": self.excluded,
        }


def ratio(part: int, base: int) -> Fraction | None:
    """``part / base``, None when the base is not positive (no meaningful rate)."""
    return Fraction(part, base) if base > 0 else None


def exact(hundredths: int, money: bool) -> str:
    """The exact decimal text: two places for money, as few as exact for quantities.

    >>> exact(123450, True), exact(-5, True), exact(123400, False), exact(123450, False)
    ('1234.50', '-0.05', '1234', '1234.5')
    """
    sign = "-" if hundredths < 0 else ""
    whole, cents = divmod(abs(hundredths), 100)
    text = f"{whole}.{cents:02d}"
    if not money:
        text = text.rstrip("0").rstrip(".")
    return sign + text


def firm_totals(
    values: pl.DataFrame | pl.LazyFrame,
    roster: pl.DataFrame | pl.LazyFrame,
    code: str,
    period: Period,
    *,
    cumulative: bool = False,
    lag: int = 1,
    combine_jan_feb: bool = True,
) -> pl.DataFrame:
    """One row per firm of the set: ``uscc``, ``current``, ``prior`` (Int128 hundredths,
    summed over the window) and ``known`` (every value of the window, both years, known).

    ``lag`` is how many years back the prior side is (2 for the two-year average). Two
    rows for one firm and month of the window are refused (``panel`` refuses them all).
    """
    if lag < 1:
        raise ValidationError(f"比较年数至少为 1：{lag}", f"the lag must be at least 1 year: {lag}")
    window = months(period, cumulative, combine_jan_feb)
    return _firm_sums(
        values, roster, code, period.year,
        [(period.year, m) for m in window], [(period.year - lag, m) for m in window],
    )  # fmt: skip


def _key(pairs: Sequence[tuple[int, int]]) -> list[int]:
    return [year * 100 + month for year, month in pairs]


def _firm_sums(
    values: pl.DataFrame | pl.LazyFrame,
    roster: pl.DataFrame | pl.LazyFrame,
    code: str,
    scope_year: int,
    now: Sequence[tuple[int, int]],
    then: Sequence[tuple[int, int]],
) -> pl.DataFrame:
    """Per firm of ``scope_year``'s roster: the sums over the months ``now`` and ``then``."""
    spec = indicator(code)
    values, roster = values.lazy(), roster.lazy()
    _require(values, ("uscc", "year", "month", spec.code), "values")
    _require(roster, ("uscc", "year"), "roster")
    ym = pl.col("year").cast(pl.Int32) * 100 + pl.col("month").cast(pl.Int32)
    scope = roster.filter(pl.col("year") == scope_year).select("uscc").unique()
    panel = values.filter(ym.is_in(_key([*now, *then]))).select(
        "uscc", ym.alias("ym"), pl.col(spec.code).cast(pl.Int128).alias("v")
    )
    per_firm = (
        scope.join(panel, on="uscc", how="left")
        .group_by("uscc")
        .agg(
            pl.when(pl.col("ym").is_in(_key(now))).then(pl.col("v")).sum().alias("current"),
            pl.when(pl.col("ym").is_in(_key(then))).then(pl.col("v")).sum().alias("prior"),
            pl.col("v").is_not_null().sum().alias("n_known"),
            pl.len().alias("n_rows"),
            pl.col("ym").n_unique().alias("n_distinct"),
        )
        .collect()
    )
    doubled = per_firm.filter(pl.col("n_rows") != pl.col("n_distinct"))["uscc"]
    if doubled.len():
        shown = "、".join(sorted(doubled.to_list())[:5])
        raise ValidationError(
            f"同一企业同一月份有多行数值：{shown}（共 {doubled.len()} 家）",
            f"several rows for the same firm and month: {shown} ({doubled.len()} firms)",
        )
    return per_firm.select(
        "uscc",
        "current",
        "prior",
        (pl.col("n_known") == len(now) + len(then)).alias("known"),
    )


def growth(
    values: pl.DataFrame | pl.LazyFrame,
    roster: pl.DataFrame | pl.LazyFrame,
    code: str,
    period: Period,
    *,
    cumulative: bool = False,
    enterprises: pl.DataFrame | None = None,
    by: str = "none",
    lag: int = 1,
    combine_jan_feb: bool = True,
) -> list[GroupGrowth]:
    """Same-set growth of ``code`` for ``period``, for the whole set or by group.

    Groups come in the order of their names, the firms without one (null) last; a firm of
    the set absent from ``enterprises`` has no group.
    """
    if by not in GROUPINGS:
        raise ValidationError(
            f"未知分组：{by!r}（可选：{'、'.join(GROUPINGS)}）",
            f"unknown grouping: {by!r} ({', '.join(GROUPINGS)})",
        )
    text = label(period, cumulative, combine_jan_feb)
    if lag != 1:
        text = f"{text}（比{period.year - lag}年同期）"
    totals = firm_totals(
        values, roster, code, period, cumulative=cumulative, lag=lag,
        combine_jan_feb=combine_jan_feb,
    )  # fmt: skip
    return _grouped(totals, text, enterprises, by)


def month_on_month(
    values: pl.DataFrame | pl.LazyFrame,
    roster: pl.DataFrame | pl.LazyFrame,
    code: str,
    period: Period,
    *,
    enterprises: pl.DataFrame | None = None,
    by: str = "none",
) -> list[GroupGrowth]:
    """环比 on the same set: the month against the month before (December of the year
    before for January), both over this year's roster. Not seasonally adjusted (the NBS
    publishes a seasonally adjusted 环比; no adjustment is built), so the label says 未经季调.

    >>> import polars as pl
    >>> values = pl.DataFrame({"uscc": ["A", "A"], "year": [2024, 2025], "month": [12, 1],
    ...                        "output_value": [100, 90]})
    >>> roster = pl.DataFrame({"uscc": ["A"], "year": [2025]})
    >>> [g] = month_on_month(values, roster, "output_value", Period(2025, 1))
    >>> g.label, g.growth
    ('2025年1月环比（未经季调）', Fraction(-1, 10))
    """
    before = (period.year - 1, 12) if period.month == 1 else (period.year, period.month - 1)
    totals = _firm_sums(values, roster, code, period.year, [(period.year, period.month)], [before])
    return _grouped(totals, f"{period.year}年{period.month}月环比（未经季调）", enterprises, by)


def _grouped(
    totals: pl.DataFrame, text: str, enterprises: pl.DataFrame | None, by: str
) -> list[GroupGrowth]:
    if by not in GROUPINGS:
        raise ValidationError(
            f"未知分组：{by!r}（可选：{'、'.join(GROUPINGS)}）",
            f"unknown grouping: {by!r} ({', '.join(GROUPINGS)})",
        )
    if by == "none":
        keyed = totals.with_columns(pl.lit("all").alias("group"))
    else:
        if enterprises is None:
            raise ValidationError(
                f"按 {by} 分组需要企业表（--enterprises）",
                f"grouping by {by} needs the enterprises table (--enterprises)",
            )
        keyed = _with_group(totals, enterprises, by)
    known = pl.col("known")
    grouped = (
        keyed.group_by("group")
        .agg(
            pl.col("current").filter(known).sum(),
            pl.col("prior").filter(known).sum(),
            known.sum().alias("firms"),
            (~known).sum().alias("excluded"),
        )
        .sort("group", nulls_last=True)
    )
    if by == "none" and grouped.is_empty():  # nobody in the set: still one figure
        return [GroupGrowth("all", text, 0, 0, 0, 0)]
    return [
        GroupGrowth(
            row["group"],
            text,
            int(row["current"] or 0),
            int(row["prior"] or 0),
            int(row["firms"]),
            int(row["excluded"]),
        )
        for row in grouped.iter_rows(named=True)
    ]


def _with_group(totals: pl.DataFrame, enterprises: pl.DataFrame, by: str) -> pl.DataFrame:
    _require(enterprises.lazy(), ("uscc", by), "enterprises")
    keys = enterprises.select("uscc", pl.col(by).cast(pl.String).alias("group"))
    if keys["uscc"].is_duplicated().any():
        doubled = sorted(set(keys.filter(pl.col("uscc").is_duplicated())["uscc"].to_list()))
        raise ValidationError(
            f"企业表中企业重复：{'、'.join(doubled[:5])}",
            f"firms listed twice in the enterprises table: {', '.join(doubled[:5])}",
        )
    return totals.join(keys, on="uscc", how="left")


def _require(frame: pl.LazyFrame, columns: Sequence[str], table: str) -> None:
    have = frame.collect_schema().names()
    missing = [c for c in columns if c not in have]
    if missing:
        raise ValidationError(
            f"{table} 表缺少列：{'、'.join(missing)}",
            f"the {table} table lacks the columns: {', '.join(missing)}",
        )


@dataclass(frozen=True)
class Contribution:
    """A group's part in the total's growth.

    ``pull`` (拉动): the group's change over the total's prior, so the groups' pulls add up
    to the total growth; ``share`` (贡献率): the group's change over the total's change.
    """

    group: str | None
    pull: Fraction | None
    share: Fraction | None


def contributions(groups: Sequence[GroupGrowth]) -> list[Contribution]:
    """拉动 and 贡献率 of each group, against the groups' own total (same set, same
    exclusions), so the pulls add up exactly to the total's growth.

    >>> a = GroupGrowth("甲", "", 120, 100, 1, 0)
    >>> b = GroupGrowth("乙", "", 90, 100, 1, 0)
    >>> [(c.pull, c.share) for c in contributions([a, b])]
    [(Fraction(1, 10), Fraction(2, 1)), (Fraction(-1, 20), Fraction(-1, 1))]
    """
    prior = sum(g.prior for g in groups)
    change = sum(g.current - g.prior for g in groups)
    out = []
    for g in groups:
        delta = g.current - g.prior
        share = Fraction(delta, change) if change else None
        out.append(Contribution(g.group, ratio(delta, prior), share))
    return out


def total(groups: Sequence[GroupGrowth], label: str | None = None) -> GroupGrowth:
    """The groups added up (the city total of its districts); no groups add up to zero."""
    return GroupGrowth(
        "all",
        label if label is not None else (groups[0].label if groups else ""),
        sum(g.current for g in groups),
        sum(g.prior for g in groups),
        sum(g.firms for g in groups),
        sum(g.excluded for g in groups),
    )


def average_growth(over_years: Fraction, years: int = 2) -> Decimal:
    """The yearly average of a growth over ``years`` years, geometric (两年平均增长):
    ``(1 + g) ** (1 / years) − 1``, to 12 decimal places (irrational in general).

    >>> average_growth(Fraction(21, 100))
    Decimal('0.100000000000')
    """
    if over_years <= -1:
        raise ValidationError(
            "增长不足 −100%，无法求几何平均", "growth at or below −100% has no geometric mean"
        )
    ctx = Context(prec=40)
    base = ctx.divide(Decimal(over_years.numerator + over_years.denominator),
                      Decimal(over_years.denominator))  # fmt: skip
    root = base.sqrt(ctx) if years == 2 else ctx.power(base, ctx.divide(1, years))
    return (root - 1).quantize(Decimal("1e-12"))
