"""The columnar form of the data contract (Polars), shared by the demo generator, bulk
imports and exports, and the rules engine.

Money is Int64 **fen** (exact); integers Int64; fractions and other quantities Float64
(parsed from decimal text, compared with thresholds parsed the same way); booleans
Boolean; dates Date; codes and text String. Null is unknown, never zero.

>>> import polars as pl
>>> df = from_rows("annual", [{"uscc": "91350100M000100Y43", "year": 2024,
...                            "revenue": Decimal("20000000.01")}])
>>> df["revenue"].to_list(), df["employees"].to_list()
([2000000001], [None])
>>> to_rows("annual", df)[0]["revenue"]
Decimal('20000000.01')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import polars as pl

from .contract import Kind, fields
from .money import from_fen, to_fen

DTYPES: dict[Kind, pl.DataType] = {
    Kind.TEXT: pl.String(),
    Kind.USCC: pl.String(),
    Kind.INDUSTRY: pl.String(),
    Kind.CHOICE: pl.String(),
    Kind.MONEY: pl.Int64(),
    Kind.INT: pl.Int64(),
    Kind.FRACTION: pl.Float64(),
    Kind.DECIMAL: pl.Float64(),
    Kind.BOOL: pl.Boolean(),
    Kind.DATE: pl.Date(),
}


def schema(table: str) -> pl.Schema:
    return pl.Schema({f.name: DTYPES[f.kind] for f in fields(table)})


def _to_column(kind: Kind, value: Any) -> Any:
    if value is None:
        return None
    if kind is Kind.MONEY:
        return to_fen(value if isinstance(value, Decimal) else Decimal(str(value)))
    if kind in (Kind.FRACTION, Kind.DECIMAL):
        return float(value)
    return value


def from_rows(table: str, rows: Iterable[Mapping[str, Any]]) -> pl.DataFrame:
    """Contract values (Decimal yuan, int, bool, date, str, None) → a typed frame.

    Fields missing from a row are unknown (null).
    """
    specs = fields(table)
    columns: dict[str, list[Any]] = {f.name: [] for f in specs}
    for row in rows:
        for f in specs:
            columns[f.name].append(_to_column(f.kind, row.get(f.name)))
    return pl.DataFrame(columns, schema=schema(table))


def to_rows(table: str, df: pl.DataFrame) -> list[dict[str, Any]]:
    """A typed frame → contract values (money back to Decimal yuan)."""
    money = [f.name for f in fields(table) if f.kind is Kind.MONEY and f.name in df.columns]
    out = df.to_dicts()
    for row in out:
        for name in money:
            if row[name] is not None:
                row[name] = from_fen(row[name])
    return out


def conform(table: str, df: pl.DataFrame) -> pl.DataFrame:
    """Add missing contract columns as nulls and cast to the contract types, in order."""
    target = schema(table)
    missing = [
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in target.items()
        if name not in df.columns
    ]
    return df.with_columns(missing).select(
        [pl.col(name).cast(dtype) for name, dtype in target.items()]
    )
