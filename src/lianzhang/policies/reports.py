"""Excel and CSV exports of the delivery lists and dashboards."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from lianzhang.core import exports
from lianzhang.core.errors import ValidationError


def write_table(
    path: Path | str, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """One sheet (or CSV) with a header row; money as numbers with two decimals."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = exports.writer(handle)
            writer.writerow(headers)
            writer.writerows([["" if v is None else v for v in row] for row in rows])
        return
    if path.suffix.lower() != ".xlsx":
        raise ValidationError("请导出为 .xlsx 或 .csv", "export to .xlsx or .csv")
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), exports.XLSX_TEXT)
    try:
        sheet = book.add_worksheet(title[:31])
        head = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
        money = book.add_format({"num_format": "#,##0.00"})
        sheet.write_row(0, 0, list(headers), head)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if isinstance(value, Decimal):
                    sheet.write_number(r, c, float(value), money)
                elif value is not None:
                    sheet.write(r, c, value)
        sheet.freeze_panes(1, 0)
        sheet.set_column(0, len(headers) - 1, 18)
    finally:
        book.close()
