"""Idempotent bulk upserts of typed frames on the fastest path each database offers.

PostgreSQL: the frame is written as CSV straight into ``COPY`` on a temporary table, then
one ``INSERT … ON CONFLICT DO UPDATE``. SQLite: ``executemany`` of an upsert inside the
caller's transaction.

Frames are in the columnar contract form (``core.frames``): money is already integer fen,
the database's own representation. Columns absent from ``columns`` keep their stored
values on update (a file without a column does not erase it); a present column with an
unknown value is set to NULL.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import polars as pl
from django.db import connection, models
from django.utils import timezone


def _is_text(field: models.Field[Any, Any]) -> bool:
    return isinstance(field, models.CharField | models.TextField)


def _auto_now(field: models.Field[Any, Any]) -> bool:
    return isinstance(field, models.DateTimeField) and bool(getattr(field, "auto_now", False))


def _complete(model: type[models.Model], frame: pl.DataFrame) -> pl.DataFrame:
    """Every concrete column of the table, in model order, with defaults for the absent."""
    now = timezone.now().isoformat()
    exprs = []
    for f in model._meta.concrete_fields:
        if isinstance(f, models.AutoField | models.BigAutoField):
            continue
        if f.column in frame.columns:
            e = pl.col(f.column)
        elif _auto_now(f):
            e = pl.lit(now)
        else:
            e = pl.lit(None)
        if _is_text(f):
            e = e.cast(pl.String).fill_null("")
        elif e.meta.output_name() in frame.columns and frame.schema[f.column] == pl.Date:
            e = e.cast(pl.String)  # ISO text: both databases parse it
        exprs.append(e.alias(f.column))
    return frame.select(exprs)


def upsert(
    model: type[models.Model],
    frame: pl.DataFrame,
    keys: Sequence[str],
    columns: Sequence[str],
) -> None:
    """Insert or update the rows of ``frame`` keyed on ``keys``; update only ``columns``."""
    if frame.is_empty():
        return
    data = _complete(model, frame)
    fields = {f.column: f for f in model._meta.concrete_fields}
    q = connection.ops.quote_name
    updates = [c for c in columns if c not in keys] + [
        c for c in data.columns if _auto_now(fields[c])
    ]
    action = (
        "DO UPDATE SET " + ", ".join(f"{q(c)} = excluded.{q(c)}" for c in updates)
        if updates
        else "DO NOTHING"
    )
    cols = ", ".join(q(c) for c in data.columns)
    conflict = ", ".join(q(k) for k in keys)
    table = q(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            text_cols = ", ".join(q(c) for c in data.columns if _is_text(fields[c]))
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS _lz_load AS SELECT {cols} FROM {table} "
                "WITH NO DATA"
            )
            buffer = io.BytesIO()
            data.write_csv(buffer, include_header=False)
            force = f", FORCE_NOT_NULL ({text_cols})" if text_cols else ""
            with cursor.copy(f"COPY _lz_load ({cols}) FROM STDIN (FORMAT csv{force})") as copy:
                copy.write(buffer.getvalue())
            cursor.execute(
                f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _lz_load "
                f"ON CONFLICT ({conflict}) {action}"
            )
            cursor.execute("DROP TABLE _lz_load")
        else:
            marks = ", ".join(["%s"] * len(data.columns))
            cursor.executemany(
                f"INSERT INTO {table} ({cols}) VALUES ({marks}) ON CONFLICT ({conflict}) {action}",
                data.rows(),
            )
