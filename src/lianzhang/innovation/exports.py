"""The technical demand list (技术需求清单) as an Excel workbook."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import xlsxwriter

from lianzhang.core import exports

from .models import Demand

HEADERS = [
    ("编号", "id"),
    ("需求名称", "title"),
    ("企业", "enterprise"),
    ("统一社会信用代码", "uscc"),
    ("区（市）县", "region"),
    ("产业链", "chain"),
    ("链上环节", "node"),
    ("行业代码", "industry"),
    ("问题描述", "problem"),
    ("指标要求", "indicators"),
    ("预算（元）", "budget"),
    ("截止日期", "deadline"),
    ("合作方式", "cooperation"),
    ("最低成熟度", "min_trl"),
    ("状态", "status"),
]


def write_demands(path: str | Path, demands: Iterable[Demand]) -> int:
    """Write the list; budgets as exact numbers with two decimals, unknown left blank."""
    book = xlsxwriter.Workbook(str(path), exports.XLSX_TEXT)
    sheet = book.add_worksheet("技术需求清单")
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, (zh, _en) in enumerate(HEADERS):
        sheet.write(0, col, zh, bold)
    row = 0
    for row, d in enumerate(demands, 1):
        values = [
            d.pk,
            d.title,
            d.enterprise.name,
            d.enterprise.uscc,
            d.region,
            d.chain_code,
            d.node_code,
            d.industry_code,
            d.problem,
            d.indicators,
            None,
            None,
            d.get_cooperation_display(),
            d.min_trl,
            d.get_status_display(),
        ]
        for col, value in enumerate(values):
            if value is not None:
                sheet.write(row, col, str(value) if not isinstance(value, int) else value)
        if d.budget is not None:
            sheet.write_number(row, 10, float(d.budget), money)  # fen-exact below 2**53 fen
        if d.deadline is not None:
            sheet.write_datetime(row, 11, d.deadline, date)
    sheet.freeze_panes(1, 0)
    book.close()
    return row
