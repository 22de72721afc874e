"""Small contract frames for the 亩均 tests (hand-written firms, no database)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl

from lianzhang.core import frames
from lianzhang.core.uscc import make

YEAR = 2022


def uscc(n: int) -> str:
    return make(f"91331003MA{n:07d}")


def tables(firms: list[dict[str, Any]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Firms as {uscc, industry_code, park?, registered_on?, <annual fields>} → the two
    contract frames (money in yuan as Decimal or str)."""
    ent_fields = {"uscc", "name", "industry_code", "park", "registered_on", "district"}
    ent, ann = [], []
    for f in firms:
        ent.append({"name": "企业", **{k: v for k, v in f.items() if k in ent_fields}})
        row: dict[str, Any] = {"year": YEAR, "uscc": f["uscc"]}
        for k, v in f.items():
            if k not in ent_fields:
                row[k] = Decimal(v) if isinstance(v, str) else v
        ann.append(row)
    return frames.from_rows("enterprises", ent), frames.from_rows("annual", ann)
