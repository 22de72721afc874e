"""The 梯度培育 workbook: one sheet per list, strings as text (never formulas)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path
from typing import Any

import xlsxwriter
from django.db.models import QuerySet

from lianzhang.core import exports
from lianzhang.enterprises.models import Enterprise

from . import ladder, queries


def _cell(value: Any) -> Any:
    if isinstance(value, Fraction):
        return float(value)  # formatted as a percentage below
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value


def write(scope: QuerySet[Enterprise], on: dt.date, months: int, path: str | Path) -> None:
    """The pyramid, the districts, each tier's candidates, expiring titles, targets of the
    year and the listing pipeline, as of ``on``."""
    book = xlsxwriter.Workbook(str(path), exports.XLSX_TEXT)
    bold = book.add_format({"bold": True})
    percent = book.add_format({"num_format": "0.0%"})

    def sheet(name: str, headers: list[str], rows: list[list[Any]]) -> None:
        ws = book.add_worksheet(name)
        ws.write_row(0, 0, headers, bold)
        for i, row in enumerate(rows, 1):
            for j, value in enumerate(row):
                cell = _cell(value)
                ws.write(i, j, cell, percent if isinstance(value, Fraction) else None)
        ws.freeze_panes(1, 0)

    sheet(
        "梯度",
        ["梯度", "企业数", "规上未知"],
        [[r["label"], r["count"], r["unknown"] if r["tier"] == "above_scale" else ""]
         for r in queries.pyramid(scope, on)],
    )  # fmt: skip
    sheet(
        "分区县",
        ["区（市）县", *(t.zh for t in ladder.TIERS)],
        [[d["district"] or "—", *d["counts"]] for d in queries.by_district(scope, on)],
    )
    rows: list[list[Any]] = []
    for code in ladder.NEXT.values():
        found = queries.candidates(scope, code)
        rows += [[found["label"], "符合条件", r["uscc"], r["name"], r["district"], ""]
                 for r in found["eligible"]]  # fmt: skip
        rows += [[found["label"], "差一点", r["uscc"], r["name"], r["district"], r["lacks"]]
                 for r in found["near"]]  # fmt: skip
    sheet(
        "后备梯队", ["目标梯度", "类别", "统一社会信用代码", "企业名称", "区（市）县", "差距"], rows
    )
    sheet(
        "称号到期",
        ["统一社会信用代码", "企业名称", "区（市）县", "称号", "有效期至", "复核状态"],
        [[r["uscc"], r["name"], r["district"], r["label"], r["valid_until"], r["review"]]
         for r in queries.expiring(scope, on, months)],
    )  # fmt: skip
    sheet(
        "年度目标",
        ["区（市）县", "梯度", "目标", "已完成", "完成率"],
        [[r["district"], r["label"], r["target"], r["achieved"], r["share"]]
         for r in queries.targets(scope, on.year, on)],
    )  # fmt: skip
    sheet(
        "上市后备",
        ["统一社会信用代码", "企业名称", "区（市）县", "阶段", "板块", "进入阶段日期", "备注"],
        [[r["uscc"], r["name"], r["district"], r["label"], r["board"], r["since"], r["note"]]
         for r in queries.listing_pipeline(scope)],
    )  # fmt: skip
    book.close()
