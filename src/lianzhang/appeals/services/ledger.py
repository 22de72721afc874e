"""The 台账: every appeal with its assignments, as an Excel workbook (xlsxwriter)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlsxwriter

from lianzhang.core import exports

from ..models import Appeal

HEADERS = [
    "编号 id",
    "企业 enterprise",
    "统一社会信用代码 USCC",
    "渠道 channel",
    "类别 category",
    "事项 subject",
    "标题 title",
    "内容 text",
    "区县 district",
    "层级 level",
    "状态 status",
    "受理时间 received",
    "办结时限 due",
    "超期 overdue",
    "办结时间 closed",
    "满意度 rating",
    "重办次数 reopened",
    "承办单位 units",
]


def _row(a: Appeal) -> list[Any]:
    units = "；".join(f"{x.department.name}:{x.get_status_display()}" for x in a.assignments.all())
    return [
        a.pk,
        a.enterprise.name,
        a.enterprise_id,
        a.get_channel_display(),
        a.get_category_display(),
        a.subject,
        a.title,
        a.text,
        a.district,
        a.get_level_display(),
        a.get_status_display(),
        a.received_at.isoformat(timespec="minutes"),
        a.resolution_due.isoformat(timespec="minutes") if a.resolution_due else "",
        "是" if a.overdue else "否",
        a.closed_at.isoformat(timespec="minutes") if a.closed_at else "",
        a.get_rating_display() if a.rating else "",
        a.reopen_count,
        units,
    ]


def write_ledger(appeals: Any, path: str | Path) -> int:
    """Write the appeals to ``path`` (.xlsx); strings are written as text, never formulas."""
    book = xlsxwriter.Workbook(str(path), exports.XLSX_TEXT)
    sheet = book.add_worksheet("诉求台账")
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, HEADERS, bold)
    n = 0
    for n, appeal in enumerate(
        appeals.select_related("enterprise").prefetch_related("assignments__department"), 1
    ):
        sheet.write_row(n, 0, _row(appeal))
    sheet.freeze_panes(1, 0)
    book.close()
    return n
