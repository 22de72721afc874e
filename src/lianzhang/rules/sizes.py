"""The 中小企业 size classes by industry (《中小企业划型标准规定》), read from a dated table.

The thresholds are data: ``library/sme-size-classes.table.yaml`` lists, per version date,
one row per industry of the 规定 (GB/T 4754 codes, and the lower bounds of 大型, 中型 and
小型 in 从业人员 ``employees``, 营业收入 ``revenue`` and 资产总额 ``total_assets``). A
revision of the 规定 is a new dated version, never an edit.

The statistical reading (统计上大中小微型企业划分办法 2017) is applied: a class needs the
lower bound of **every** indicator of its row, otherwise the firm drops a class; 微型 is
what remains. Logic is three-valued: a firm whose staff is known below the 大型 line is an
SME even when its revenue is unknown, but one whose industry is unknown, or whose row the
规定 does not cover (金融业), has an unknown class.

>>> rows = table().at(dt.date(2026, 6, 1))
>>> [rows.row_of(code).id for code in ("3985", "6513", "5910", "5920", "7010", "6621", "7320")]
['industry', 'software', 'transport', 'warehousing', 'real_estate', 'finance', 'other']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from lianzhang.core import gbt4754

from .plan import annual_column

TABLE = Path(__file__).parent / "library" / "sme-size-classes.table.yaml"
CLASSES = ("large", "medium", "small")
LABELS = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型", None: "未知"}
INDICATORS = ("employees", "revenue", "total_assets")
FEN_PER_YUAN = 100
#: The input column holding each enterprise's industry row (added by :func:`with_row`).
ROW_COLUMN = "size_row"


@dataclass(frozen=True)
class Row:
    """One industry row: its codes and the lower bound of each class (money in fen)."""

    id: str
    label: str
    codes: tuple[str, ...]
    bounds: Mapping[str, Mapping[str, int]]  # class → indicator → lower bound
    covered: bool = True

    def indicators(self) -> tuple[str, ...]:
        return tuple(i for i in INDICATORS if i in self.bounds.get("large", {}))


@dataclass(frozen=True)
class Version:
    """The rows in force from one date."""

    since: dt.date
    rows: tuple[Row, ...]
    prefixes: Mapping[str, str]  # GB/T 4754 code prefix (2–4 digits) → row id

    def row_of(self, code: str) -> Row:
        """The row of an industry code (the longest matching prefix wins)."""
        for n in (4, 3, 2):
            if code[:n] in self.prefixes:
                return next(r for r in self.rows if r.id == self.prefixes[code[:n]])
        raise KeyError(code)


def _prefixes(rows: tuple[Row, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    default = next((r.id for r in rows if "*" in r.codes), None)
    if default is not None:
        for industry in gbt4754.table().values():
            if industry.level == 2:
                out[industry.code] = default
    for row in rows:
        for code in row.codes:
            if "-" in code:
                lo, hi = code.split("-")
                out.update({f"{n:02d}": row.id for n in range(int(lo), int(hi) + 1)})
            elif code != "*":
                out[code] = row.id
    return out


@dataclass(frozen=True)
class SizeTable:
    """The dated versions of the 规定."""

    title: str
    doc_number: str
    versions: tuple[Version, ...]

    def at(self, as_of: dt.date) -> Version:
        """The version in force on ``as_of`` (the earliest one before the first date)."""
        chosen = self.versions[0]
        for v in self.versions:
            if v.since <= as_of:
                chosen = v
        return chosen


def _bound(indicator: str, raw: Any) -> int:
    text = str(raw)
    if indicator == "employees":
        return int(text)
    scale = Decimal(1)
    for unit, factor in (("亿元", 100_000_000), ("万元", 10_000), ("元", 1)):
        if text.endswith(unit):
            text, scale = text.removesuffix(unit), Decimal(factor)
            break
    return int(Decimal(text) * scale * FEN_PER_YUAN)


@cache
def table(path: Path = TABLE) -> SizeTable:
    """The size-class table (``library/sme-size-classes.table.yaml``)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    versions = []
    for since, body in sorted(data["versions"].items()):
        rows = []
        for r in body["rows"]:
            bounds = {
                c: {i: _bound(i, v) for i, v in (r.get(c) or {}).items()} for c in CLASSES if c in r
            }
            rows.append(
                Row(
                    str(r["id"]),
                    str(r["label"]),
                    tuple(str(c) for c in r["codes"]),
                    bounds,
                    not r.get("not_covered", False),
                )
            )
        versions.append(Version(since, tuple(rows), _prefixes(tuple(rows))))
    return SizeTable(str(data["title"]), str(data["doc_number"]), tuple(versions))


def industry_row(version: Version, code: pl.Expr) -> pl.Expr:
    """The row id of each industry code (the longest matching prefix), null when none."""
    row = pl.lit(None, dtype=pl.String)
    for n in (2, 3, 4):
        by_length = {k: v for k, v in version.prefixes.items() if len(k) == n}
        if by_length:
            row = pl.coalesce(code.str.slice(0, n).replace_strict(by_length, default=None), row)
    return row


def with_row(frame: pl.LazyFrame, as_of: dt.date) -> pl.LazyFrame:
    """Add :data:`ROW_COLUMN`, the industry row of each enterprise, once per query."""
    row = industry_row(table().at(as_of), pl.col("industry_code"))
    return frame.with_columns(row.alias(ROW_COLUMN))


def _meets(version: Version, size: str, column: Callable[[str], pl.Expr]) -> pl.Expr:
    """Boolean, null when undetermined: the firm meets every lower bound of ``size``.

    Per indicator, the row's bound is looked up (``replace_strict``); an indicator the row
    does not use counts as met, a row the 规定 does not cover (or no industry) is null.
    """
    row = pl.col(ROW_COLUMN)
    covered = [r.id for r in version.rows if r.covered]
    out = pl.lit(True)
    for indicator in INDICATORS:
        bounds = {
            r.id: r.bounds[size][indicator]
            for r in version.rows
            if r.covered and indicator in r.bounds[size]
        }
        if not bounds:
            continue
        bound = row.replace_strict(bounds, default=None, return_dtype=pl.Int64)
        out = out & pl.when(bound.is_null()).then(pl.lit(True)).otherwise(
            column(indicator) >= bound
        )
    return pl.when(row.is_in(covered)).then(out).otherwise(pl.lit(None, dtype=pl.Boolean))


def _annual(back: int) -> Callable[[str], pl.Expr]:
    return lambda name: pl.col(annual_column(name, back))


def is_large(as_of: dt.date, back: int = 1) -> pl.Expr:
    """大型 under the 规定 in force on ``as_of``: true, false or null (undetermined).

    Reads :data:`ROW_COLUMN` (``with_row``) and the yearly columns ``back`` years back.
    """
    return _meets(table().at(as_of), "large", _annual(back))


def size_label(as_of: dt.date, back: int = 1) -> pl.Expr:
    """大型 / 中型 / 小型 / 微型, or 未知 when the data cannot decide it."""
    version = table().at(as_of)
    column = _annual(back)
    # one digit per class (1 met, 0 not, ? unknown), read left to right: each class's
    # test appears once in the expression, which keeps the query plan small
    digits = [
        _meets(version, size, column).cast(pl.Int8).cast(pl.String).fill_null("?")
        for size in CLASSES
    ]
    return pl.concat_str(digits).replace_strict(_LABEL_OF_DIGITS, default="未知")


def _label(digits: str) -> str:
    for size, digit in zip(CLASSES, digits, strict=True):
        if digit != "0":
            return LABELS[size] if digit == "1" else "未知"
    return LABELS["micro"]


_LABEL_OF_DIGITS = {a + b + c: _label(a + b + c) for a in "01?" for b in "01?" for c in "01?"}
