"""Evaluate a 亩均 scheme over contract frames with Polars (a million firms in seconds).

``evaluate`` returns one row per enterprise (in the order of the enterprises frame):
``uscc``, ``group``, ``score``, ``class`` and, for every item, ``<id>|value``,
``<id>|benchmark`` and ``<id>|points``; ``records`` turns it into the CLI's JSON objects.

- Groups: a firm belongs to the first group (in the scheme's order) whose condition is
  true; an unknown condition is not true. Firms in no group are not evaluated.
- Values: numerator × factor ÷ denominator; unknown when either is unknown or the
  denominator is not positive (a firm with no land is not scored: unknown is not zero).
  Money enters as exact integer fen; the quotients are Float64.
- Points: value ÷ benchmark × weight, at most ``cap`` (none when the benchmark is not
  positive). An item without a value takes the group's average points over the firms
  that get a score (``group_average``), zero (``zero``), or leaves the firm without a
  score (``not_scored``, the default).
- Classes, within each group, over firms with a score, best first: ``top_at_most p`` takes
  the firms for whom the firms scoring at least as much are at most ⌊p·n⌋ (a tie across
  the line goes down, so the limit holds); ``bottom_at_least p`` takes the firms for whom
  the firms scoring strictly less are fewer than ⌈p·n⌉ (a tie across the line goes in, so
  the floor holds); shares are cumulative; then score lines; then the ``rest`` class.
- With parcels, each firm's land is the sum of its links' areas, and co-owners of a parcel
  are one unit: their figures are summed and they share one result. A unit's group is
  the first group any of its firms belongs to.
"""

from __future__ import annotations

import json
import math
from typing import Any

import polars as pl

from lianzhang.core import scale

from . import parcels as parcel_links
from .scheme import ABOVE_SCALE, ClassRule, Group, Item, Scheme

GROUP_INDEX = "__group"
UNIT = "__unit"
ORDER = "__order"


def item_columns(item_id: str) -> tuple[str, str, str]:
    return f"{item_id}|value", f"{item_id}|benchmark", f"{item_id}|points"


def _fields(scheme: Scheme) -> set[str]:
    out = {"main_revenue", "revenue", "land_mu"}
    for g in scheme.groups:
        for i in g.items:
            out |= {i.indicator.numerator, i.indicator.denominator}
    return out | {name for name, _back in scheme.needs.annual}


def _inputs(
    scheme: Scheme, enterprises: pl.DataFrame, annual: pl.DataFrame, year: int
) -> pl.DataFrame:
    """Enterprises with the year's figures (plain names) and earlier years (``name@k``)."""
    wanted = sorted(_fields(scheme))
    ent_cols = ["uscc", "industry_code", *sorted(scheme.needs.enterprise - {"industry_code"})]
    base = enterprises.select(ent_cols).with_row_index(ORDER)
    this = annual.filter(pl.col("year") == year).select("uscc", *wanted).unique("uscc", keep="any")
    base = base.join(this, on="uscc", how="left")
    for name, back in sorted(scheme.needs.annual):
        if back == 1:
            continue
        earlier = (
            annual.filter(pl.col("year") == year - back + 1)
            .select("uscc", pl.col(name).alias(f"{name}@{back}"))
            .unique("uscc", keep="any")
        )
        base = base.join(earlier, on="uscc", how="left")
    return base


def _group_index(scheme: Scheme) -> pl.Expr:
    chain: Any = pl
    for n, g in enumerate(scheme.groups):
        chain = chain.when(g.condition).then(pl.lit(n, dtype=pl.Int32))
    result: pl.Expr = chain.otherwise(pl.lit(None, dtype=pl.Int32))
    return result


def evaluate(
    scheme: Scheme,
    enterprises: pl.DataFrame,
    annual: pl.DataFrame,
    year: int,
    parcels: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Score every enterprise of ``enterprises`` for ``year`` (see the module docstring)."""
    base = _inputs(scheme, enterprises, annual, year)
    if parcels is not None:
        base = base.drop("land_mu").join(parcel_links.land(parcels), on="uscc", how="left")
    base = base.with_columns(
        scale.expression().alias(ABOVE_SCALE),
        *(pl.col(n).alias(f"{n}@1") for n, back in scheme.needs.annual if back == 1),
    )
    base = base.with_columns(_group_index(scheme).alias(GROUP_INDEX))
    merged = parcels is not None and scheme.parcels.merge_owners
    if merged:
        assert parcels is not None
        links = parcel_links.units(parcels)
        base = base.join(links, on="uscc", how="left").with_columns(
            pl.coalesce("unit", "uscc").alias(UNIT)
        )
    else:
        base = base.with_columns(pl.col("uscc").alias(UNIT))
    data = sorted({f for g in scheme.groups for i in g.items for f in _pair(i)})
    if merged:
        units = base.group_by(UNIT).agg(
            pl.col(GROUP_INDEX).min(),
            *(pl.when(pl.col(c).null_count() == 0).then(pl.col(c).sum()).alias(c) for c in data),
        )
    else:
        units = base.select(UNIT, GROUP_INDEX, *data)
    parts = [_score_group(scheme, n, g, units) for n, g in enumerate(scheme.groups)]
    parts = [p for p in parts if p.height]
    scored = pl.concat(parts, how="diagonal_relaxed") if parts else None
    firms = base.select(ORDER, "uscc", UNIT, GROUP_INDEX)
    if merged:  # a unit's group, for every member
        firms = firms.drop(GROUP_INDEX).join(units.select(UNIT, GROUP_INDEX), on=UNIT, how="left")
    names = {n: g.id for n, g in enumerate(scheme.groups)}
    firms = firms.with_columns(
        pl.col(GROUP_INDEX)
        .replace_strict(names, default=None, return_dtype=pl.String)
        .alias("group")
    )
    item_ids = list(dict.fromkeys(i.indicator.id for g in scheme.groups for i in g.items))
    columns = [c for iid in item_ids for c in item_columns(iid)]
    if scored is None or scored.is_empty():
        out = firms.with_columns(
            pl.lit(None, dtype=pl.Float64).alias("score"),
            pl.lit(None, dtype=pl.String).alias("class"),
            *(pl.lit(None, dtype=pl.Float64).alias(c) for c in columns),
        )
    else:
        scored = scored.with_columns(
            *(pl.lit(None, dtype=pl.Float64).alias(c) for c in columns if c not in scored.columns)
        )
        out = firms.join(scored.select(UNIT, "score", "class", *columns), on=UNIT, how="left")
    return out.sort(ORDER).select("uscc", "group", "score", "class", *columns)


def _pair(item: Item) -> tuple[str, str]:
    return item.indicator.numerator, item.indicator.denominator


def _value(item: Item) -> pl.Expr:
    ind = item.indicator
    num, den = pl.col(ind.numerator).cast(pl.Float64), pl.col(ind.denominator).cast(pl.Float64)
    return pl.when(den > 0).then(num * float(ind.factor) / den)


def _benchmark(item: Item, frame: pl.DataFrame, value: str) -> float | None:
    b = item.benchmark
    if b.kind == "fixed":
        return float(b.value)
    known = frame.filter(pl.col(value).is_not_null())
    if known.is_empty():
        return None
    if b.kind == "percentile":
        q = known.select(pl.col(value).quantile(float(b.value) / 100, "linear")).item()
        return None if q is None else float(q)
    average: float | None
    if b.of == "mean":
        average = known.select(pl.col(value).mean()).item()
    else:
        ind = item.indicator
        den = float(known.select(pl.col(ind.denominator).cast(pl.Float64).sum()).item())
        top = float(known.select(pl.col(ind.numerator).cast(pl.Float64).sum()).item())
        average = None if not den else top * float(ind.factor) / den
    return None if average is None else float(b.value) * float(average)


def _score_group(scheme: Scheme, n: int, group: Group, units: pl.DataFrame) -> pl.DataFrame:
    frame = units.filter(pl.col(GROUP_INDEX) == n)
    if frame.is_empty():
        return frame
    if group.fixed_class is not None:
        return frame.select(
            UNIT,
            pl.lit(None, dtype=pl.Float64).alias("score"),
            pl.lit(group.fixed_class).alias("class"),
        )
    frame = frame.with_columns(
        _value(i).alias(item_columns(i.indicator.id)[0]) for i in group.items
    )
    points = []
    for item in group.items:
        value, bench, pts = item_columns(item.indicator.id)
        mark = _benchmark(item, frame, value)
        raw = pl.col(value) / mark * float(item.weight) if mark and mark > 0 else pl.lit(None)
        raw = raw.cast(pl.Float64)
        if item.cap is not None:
            raw = raw.clip(upper_bound=float(item.cap))
        frame = frame.with_columns(pl.lit(mark, dtype=pl.Float64).alias(bench), raw.alias(pts))
        points.append(pts)
    # the group's average points of an item: over the firms that get a score
    strict = [item_columns(i.indicator.id)[2] for i in group.items if i.missing == "not_scored"]
    scored = ~pl.any_horizontal(pl.col(p).is_null() for p in strict) if strict else pl.lit(True)
    for item in group.items:
        pts = item_columns(item.indicator.id)[2]
        if item.missing == "group_average":
            average = pl.col(pts).filter(scored).mean()
            frame = frame.with_columns(pl.col(pts).fill_null(average))
        elif item.missing == "zero":
            frame = frame.with_columns(pl.col(pts).fill_null(0.0))
    total: pl.Expr = pl.when(~pl.any_horizontal(pl.col(p).is_null() for p in points)).then(
        pl.sum_horizontal(points)
    )
    if scheme.score_decimals is not None:
        total = total.round(scheme.score_decimals)
    frame = frame.with_columns(total.alias("score"))
    return frame.with_columns(classify(group.classes, frame["score"]).alias("class"))


def classify(rules: tuple[ClassRule, ...], score: pl.Series) -> pl.Series:
    """The class of each score (null for a null score or when there are no rules).

    >>> from fractions import Fraction as F
    >>> rules = (ClassRule("A", "A", "top", F(3, 10)), ClassRule("B", "B", "rest"),
    ...          ClassRule("C", "C", "bottom", F(1, 10)))
    >>> classify(rules, pl.Series([9.0, 8, 7, 7, 6, 5, 4, 3, 2, 1, None])).to_list()
    ['A', 'A', 'B', 'B', 'B', 'B', 'B', 'B', 'B', 'C', None]
    """
    if not rules:
        return pl.Series("class", [None] * len(score), dtype=pl.String)
    n = score.count()
    frame = pl.DataFrame({"s": score})
    s = pl.col("s")
    at_least_as_good = s.rank("max", descending=True)
    worse = s.rank("min") - 1
    chain: Any = pl.when(s.is_null()).then(pl.lit(None, dtype=pl.String))
    for r in rules:
        if r.kind == "top" and r.value is not None:
            chain = chain.when(at_least_as_good <= math.floor(r.value * n)).then(pl.lit(r.code))
    for r in reversed(rules):
        if r.kind == "bottom" and r.value is not None:
            chain = chain.when(worse < math.ceil(r.value * n)).then(pl.lit(r.code))
    for r in rules:
        if r.kind == "score" and r.value is not None:
            chain = chain.when(s >= float(r.value)).then(pl.lit(r.code))
    rest = next(r.code for r in rules if r.kind == "rest")
    return frame.select(chain.otherwise(pl.lit(rest)).alias("class"))["class"]


def to_json(scheme: Scheme, result: pl.DataFrame, digits: int = 6) -> str:
    """The CLI's JSON: a list of objects ``uscc``, ``group``, ``score``, ``class``,
    ``indicators`` (``id``, ``value``, ``benchmark``, ``points``; those of the firm's
    group), written by Polars (a million firms in seconds)."""
    result = result.with_row_index(ORDER).with_columns(pl.col("score").round(digits))
    head = [ORDER, "uscc", "group", "score", "class"]
    parts = [
        result.filter(pl.col("group").is_null())
        .select(head)
        .with_columns(pl.lit([], dtype=pl.List(_INDICATOR)).alias("indicators"))
    ]
    for g in scheme.groups:
        rows = result.filter(pl.col("group") == g.id)
        if not g.items:
            parts.append(
                rows.select(head).with_columns(
                    pl.lit([], dtype=pl.List(_INDICATOR)).alias("indicators")
                )
            )
            continue
        structs = [
            pl.struct(
                pl.lit(i.indicator.id).alias("id"),
                *(
                    pl.col(c).round(digits).alias(k)
                    for c, k in zip(
                        item_columns(i.indicator.id), ("value", "benchmark", "points"), strict=True
                    )
                ),
            ).alias(f"item{n}")
            for n, i in enumerate(g.items)
        ]
        # one list per firm, the group's items in order (faster than concat_list of structs)
        lists = (
            rows.select(ORDER, *structs)
            .unpivot(index=ORDER, value_name="item")
            .sort(ORDER, maintain_order=True)
            .group_by(ORDER, maintain_order=True)
            .agg(pl.col("item").cast(_INDICATOR).alias("indicators"))
        )
        parts.append(rows.select(head).join(lists, on=ORDER, how="left"))
    return pl.concat(parts).sort(ORDER).drop(ORDER).write_json()


_INDICATOR = pl.Struct(
    {"id": pl.String, "value": pl.Float64, "benchmark": pl.Float64, "points": pl.Float64}
)


def records(scheme: Scheme, result: pl.DataFrame, digits: int = 6) -> list[dict[str, Any]]:
    """``to_json`` as Python objects."""
    out: list[dict[str, Any]] = json.loads(to_json(scheme, result, digits))
    return out
