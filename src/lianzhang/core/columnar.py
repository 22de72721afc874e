"""Vectorised reading of a batch of text cells into the columnar contract form.

Large imports spend their time reading cells. This module reads the canonical forms
(plain digits, ISO dates, true/false, codes) of a whole batch at once with Polars; any
row with a cell it does not accept is handed back to the cell-by-cell reader of
``contract.Field.parse``, which either reads it (thousands separators, 是/否, 12%, Excel
serial quirks…, full-width digits ``１２３``, which only it folds) or reports exactly why it is
bad. Digits here are ASCII ``[0-9]`` only; dates keep to ``cells.DATE_MIN``…``DATE_MAX``.
The fast path therefore only ever accepts a strict subset of what the slow path accepts,
with the same values; a property test checks that.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import cache

import polars as pl

from . import cells, gbt4754, uscc
from .contract import FALSE_WORDS, TRUE_WORDS, Field, Kind
from .frames import DTYPES


@cache
def _industry_classes() -> frozenset[str]:
    return frozenset(i.code for i in gbt4754.classes())


def _money(col: pl.Expr, spec: Field, scale: int | Decimal) -> tuple[pl.Expr, pl.Expr] | None:
    """(fen, ok) for plain decimals of at most 15 significant digits, exact in fen.

    Up to 10**13 yuan with at most 2 + log10(scale) decimals, a Float64 parse times
    100 × scale is within 0.2 of the exact number of fen, so rounding recovers it exactly.
    """
    if not isinstance(scale, int):
        return None
    digits = len(str(scale)) - 1  # scale is 10**digits (元, 万元, 亿元)
    if scale != 10**digits or digits > 8:
        return None
    sign = "-?" if spec.minimum is None else ""
    plain = col.str.contains(rf"^{sign}[0-9]{{1,{13 - digits}}}(\.[0-9]{{1,{2 + digits}}})?$")
    fen = (pl.when(plain).then(col).cast(pl.Float64, strict=False) * (scale * 100)).round(0)
    return fen.cast(pl.Int64), plain.fill_null(False)


def _int(col: pl.Expr, spec: Field) -> tuple[pl.Expr, pl.Expr]:
    sign = "-?" if spec.minimum is None or spec.minimum < 0 else ""
    plain = col.str.contains(rf"^{sign}[0-9]{{1,17}}$")
    value = pl.when(plain).then(col).cast(pl.Int64, strict=False)
    ok = value.is_not_null()
    if spec.minimum is not None:
        ok = ok & (value >= int(spec.minimum))
    if spec.maximum is not None:
        ok = ok & (value <= int(spec.maximum))
    return value, ok


def _number(col: pl.Expr, spec: Field, scale: int | Decimal) -> tuple[pl.Expr, pl.Expr]:
    """Plain decimals (at most 6 places, as stored); anything else takes the exact path."""
    text = pl.when(col.str.contains(r"^-?[0-9]{1,12}(\.[0-9]{1,6})?$")).then(col)
    value = text.cast(pl.Float64, strict=False) * float(scale)
    ok = value.is_not_null()
    if spec.minimum is not None:
        ok = ok & (value >= float(spec.minimum))
    if spec.maximum is not None:
        ok = ok & (value <= float(spec.maximum))
    return value, ok


def _cell(
    col: pl.Expr, spec: Field, scale: int | Decimal, valid_usccs: frozenset[str]
) -> tuple[pl.Expr, pl.Expr] | None:
    kind = spec.kind
    if kind is Kind.MONEY:
        return _money(col, spec, scale)
    if kind is Kind.INT:
        return _int(col, spec) if scale == 1 else None
    if kind in (Kind.FRACTION, Kind.DECIMAL):
        return _number(col, spec, scale)
    if kind is Kind.BOOL:
        low = col.str.to_lowercase()
        value = (
            pl.when(low.is_in(list(TRUE_WORDS)))
            .then(True)
            .when(low.is_in(list(FALSE_WORDS)))
            .then(False)
        )
        return value, value.is_not_null()
    if kind is Kind.DATE:
        day = (
            pl.when(col.str.contains(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))
            .then(col)
            .str.to_date("%Y-%m-%d", strict=False)
        )
        return day, day.is_between(cells.DATE_MIN, cells.DATE_MAX)
    if kind is Kind.CHOICE:
        return col, col.is_in(list(spec.choices))
    if kind is Kind.INDUSTRY:
        return col, col.is_in(list(_industry_classes()))
    if kind is Kind.USCC:
        return col, col.is_in(list(valid_usccs))
    # text: Python strips more kinds of blank than Polars, and a formula quoted by an export
    # (``'=…``, see ``core.exports``) loses its quote; leave those cells to the exact path,
    # and those with a NUL or longer than the column (the exact path says why)
    limit = min(spec.max_length or cells.MAX_CELL, cells.MAX_CELL)
    return col, ~col.str.contains(
        r"^[\s\x00-\x1f\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029"
        r"\u202f\u205f\u3000]|[\s\x00-\x1f\x7f-\xa0\u1680"
        r"\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$|^'[=+\-@\t\r]|\x00"
    ) & (col.str.len_chars() <= limit)


def parse_batch(
    raw: pl.DataFrame, columns: Sequence[tuple[str, Field, int | Decimal]]
) -> tuple[pl.DataFrame, pl.Series]:
    """Read String cells ``raw[header]`` into typed contract columns.

    Returns the typed frame (one column per field, nulls where a cell is empty or was not
    read) and a Boolean Series: True where every cell of the row was read here. Rows with
    False must go through the cell-by-cell reader.
    """
    usccs: frozenset[str] = frozenset()
    for header, spec, _ in columns:
        if spec.kind is Kind.USCC:
            values = raw[header].str.strip_chars().drop_nulls().unique().to_list()
            usccs = usccs | {v for v in values if uscc.problem(v) is None}
    typed: list[pl.Expr] = []
    oks: list[pl.Expr] = []
    for header, spec, scale in columns:
        col = pl.col(header).str.strip_chars()
        empty = col.is_null() | (col == "")
        read = _cell(col, spec, scale, usccs)
        if read is None:  # an unusual unit: every non-empty cell takes the exact path
            typed.append(pl.lit(None, dtype=DTYPES[spec.kind]).alias(spec.name))
            oks.append(empty)
            continue
        value, ok = read
        typed.append(
            pl.when(empty).then(None).otherwise(value).cast(DTYPES[spec.kind]).alias(spec.name)
        )
        oks.append(empty & pl.lit(not spec.required) | ~empty & ok.fill_null(False))
    out = raw.select([*typed, pl.all_horizontal(oks).alias("__ok")])
    return out.drop("__ok"), out["__ok"]


def cross_checks(frame: pl.DataFrame, present: Mapping[str, Field]) -> pl.Series:
    """True where the row passes the checks that span fields (see tables._check_row)."""
    ok = pl.lit(True)
    if "employees" in present:
        for name in ("rd_staff", "tech_staff"):
            if name in present:
                ok = ok & ~(pl.col(name) > pl.col("employees")).fill_null(False)
    if "granted_on" in present and "valid_until" in present:
        ok = ok & ~(pl.col("valid_until") < pl.col("granted_on")).fill_null(False)
    return frame.select(ok.alias("ok"))["ok"]
