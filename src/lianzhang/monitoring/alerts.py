"""Warning signals over same-set figures, three-valued: unknown is never a fall (pure).

No national threshold exists: thresholds and colours are local settings (docs). What is
here: colour grades of an achievement ratio, runs such as 连续2个月下降, the share of
firms declining, and firms whose electricity grows while their output falls.

>>> from fractions import Fraction as F
>>> grade(F(95, 100)), grade(F(1, 2)), grade(None)
('yellow', 'red', None)
>>> declined_for([F(1, 10), F(-1, 10), F(-1, 20)], 2), declined_for([F(-1, 10), None], 2)
(True, None)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import polars as pl

from lianzhang.core.errors import ValidationError

from .growth import Period, firm_totals, ratio

#: A city energy scheme's four colours (MEDIUM, local): green ≥ 100% of target, yellow
#: 90–100%, orange 50–90%, red ≤ 50%. Lower bounds, highest first; the last band catches all.
BANDS: tuple[tuple[Fraction, str], ...] = (
    (Fraction(1), "green"),
    (Fraction(9, 10), "yellow"),
    (Fraction(1, 2) + Fraction(1, 10**9), "orange"),
    (Fraction(-(10**18)), "red"),
)
COLOUR_ZH = {"green": "绿", "yellow": "黄", "orange": "橙", "red": "红"}


def grade(achieved: Fraction | None, bands: Sequence[tuple[Fraction, str]] = BANDS) -> str | None:
    """The colour of an achievement ratio (actual ÷ target); None when unknown.

    ``bands`` are (lower bound, colour), highest first; at 50% exactly the default is red.
    """
    if achieved is None:
        return None
    for bound, colour in bands:
        if achieved >= bound:
            return colour
    raise ValidationError(
        f"完成率 {achieved} 低于所有档次的下限", f"the ratio {achieved} is below every band"
    )


def declined_for(growths: Sequence[Fraction | None], months: int = 2) -> bool | None:
    """连续 N 个月下降, on the last ``months`` growth rates of a series (oldest first).

    True when all of them are negative; False when one of them is known and not negative;
    None (未知) otherwise: an unknown month neither makes nor breaks the run.
    """
    if months < 1:
        raise ValidationError("月数至少为 1", "months must be at least 1")
    last = list(growths[-months:])
    if len(last) < months or any(g is not None and g >= 0 for g in last):
        return False if any(g is not None and g >= 0 for g in last) else None
    return True if all(g is not None for g in last) else None


@dataclass(frozen=True)
class Declining:
    """Firms of the set (known on both sides) whose current value is below their prior."""

    group: str | None
    declining: int
    firms: int

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.declining, self.firms) if self.firms else None


def declining(
    values: pl.DataFrame | pl.LazyFrame,
    roster: pl.DataFrame | pl.LazyFrame,
    code: str,
    period: Period,
    *,
    cumulative: bool = False,
    enterprises: pl.DataFrame | None = None,
    by: str = "none",
) -> list[Declining]:
    """The share of firms declining (下降面), overall or by ``district``/``industry_code``."""
    totals = firm_totals(values, roster, code, period, cumulative=cumulative)
    known = totals.filter(pl.col("known"))
    if by == "none":
        keyed = known.with_columns(pl.lit("all").alias("group"))
    else:
        if enterprises is None or by not in enterprises.columns:
            raise ValidationError(
                f"按 {by} 分组需要含该列的企业表", f"grouping by {by} needs an enterprises table"
            )
        keys = enterprises.select("uscc", pl.col(by).cast(pl.String).alias("group"))
        keyed = known.join(keys, on="uscc", how="left")
    grouped = (
        keyed.group_by("group")
        .agg((pl.col("current") < pl.col("prior")).sum().alias("declining"), pl.len().alias("n"))
        .sort("group", nulls_last=True)
    )
    return [
        Declining(r["group"], int(r["declining"]), int(r["n"]))
        for r in grouped.iter_rows(named=True)
    ]


@dataclass(frozen=True)
class Divergence:
    """A firm whose ``rising`` indicator grew while its ``falling`` one fell."""

    uscc: str
    rising: Fraction
    falling: Fraction


def divergence(
    values: pl.DataFrame | pl.LazyFrame,
    roster: pl.DataFrame | pl.LazyFrame,
    period: Period,
    *,
    rising: str = "electricity_kwh",
    falling: str = "output_value",
    cumulative: bool = False,
) -> list[Divergence]:
    """用电增长而产值下降: firms of the set, both indicators known, in USCC order.

    A firm with either growth unknown (a value missing, a prior of 0) is not flagged.
    """
    a = firm_totals(values, roster, rising, period, cumulative=cumulative)
    b = firm_totals(values, roster, falling, period, cumulative=cumulative)
    both = (
        a.filter(pl.col("known"))
        .join(b.filter(pl.col("known")), on="uscc", suffix="_b")
        .filter(
            (pl.col("prior") > 0)
            & (pl.col("prior_b") > 0)
            & (pl.col("current") > pl.col("prior"))
            & (pl.col("current_b") < pl.col("prior_b"))
        )
        .sort("uscc")
    )
    out = []
    for r in both.iter_rows(named=True):
        up = ratio(int(r["current"]) - int(r["prior"]), int(r["prior"]))
        down = ratio(int(r["current_b"]) - int(r["prior_b"]), int(r["prior_b"]))
        assert up is not None and down is not None
        out.append(Divergence(r["uscc"], up, down))
    return out
