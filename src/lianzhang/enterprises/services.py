"""Registry use cases: import and export the contract tables, save an edit. The only writers.

An import streams the file in batches inside one transaction. By default nothing is
written when any row is bad; ``partial=True`` writes the good rows and reports the
others. Imports are idempotent upserts on the table's key (``uscc`` [+ ``year``] …).
A district must be one of the city's (``core.cells.districts()``). Whatever is wrong with a
file, the report says it, in Chinese and English: a file that cannot be read, or a value the
database still refuses, is a file-level error and nothing is written.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from django.db import DatabaseError, transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.utils import timezone
from django.utils.translation import gettext as _

from lianzhang.accounts import access
from lianzhang.core import cells, contract, exports, tables
from lianzhang.core.contract import Kind
from lianzhang.core.errors import ValidationError
from lianzhang.core.tables import RowError
from lianzhang.storage.bulk import upsert

from .models import MODELS, Enterprise, ImportLog, touch

BATCH = 20_000
#: How many row errors a report keeps in full; the count is always exact.
REPORT_LIMIT = 10_000


@dataclass
class ImportReport:
    table: str
    filename: str
    rows_read: int = 0
    rows_valid: int = 0
    created: int = 0
    updated: int = 0
    written: bool = False
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add(self, errors: list[RowError]) -> None:
        self.error_count += len(errors)
        room = REPORT_LIMIT - len(self.errors)
        if room > 0:
            self.errors.extend(errors[:room])

    def summary(self) -> str:
        name = contract.TABLE_ZH.get(self.table, "信用名单")  # the credit register's lists
        if self.written:
            return (
                f"{name}：读取 {self.rows_read} 行，新增 {self.created}，更新 {self.updated}"
                + (f"，{self.error_count} 处错误未导入" if self.error_count else "")
                + f" / {self.table}: read {self.rows_read}, created {self.created}, "
                f"updated {self.updated}"
                + (f", {self.error_count} errors not imported" if self.error_count else "")
            )
        return (
            f"{name}：发现 {self.error_count} 处错误，未写入任何数据 / {self.table}: "
            f"{self.error_count} errors found, nothing was written"
        )


class _OutOfReach(Exception):
    """The change would move the enterprise out of the user's own reach."""


def save_in_reach(user: Any, form: ModelForm[Enterprise]) -> bool:
    """Save a valid edit form (page or API) unless it would take the enterprise out of
    ``user``'s reach; then nothing is saved and the form carries the reason."""
    try:
        with transaction.atomic():
            enterprise = form.save()
            if not access.enterprises_for(user, "change").filter(pk=enterprise.pk).exists():
                raise _OutOfReach
    except _OutOfReach:
        form.add_error(None, _("You cannot move an enterprise outside your own district."))
        return False
    return True


class _Rollback(Exception):
    """Raised inside the import transaction to undo every batch."""


def import_file(
    path: Path | str,
    table: str,
    *,
    user: Any = None,
    partial: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import one contract table from CSV or XLSX.

    ``user`` (None from the CLI, which runs as the operator) must be allowed to import.
    ``progress`` is called with the number of rows read by each batch.
    """
    if user is not None:
        access.require(user, "import")
    reader = tables.open_table(path, table, districts=cells.districts())
    report = ImportReport(table, Path(path).name)
    model = MODELS[table]
    keys = contract.KEYS[table]
    # a new enterprise needs its data version (``touch`` stamps it again last)
    version = ["data_changed_at"] if table == "enterprises" else []
    touched: set[str] = set()
    try:
        with transaction.atomic():
            before = model._default_manager.count()
            for batch in reader.batches(BATCH):
                report.rows_read += batch.rows_read
                report.add(batch.errors)
                good = _known_enterprises(table, batch.frame, report)
                report.rows_valid += good.height
                if table == "enterprises":
                    good = good.with_columns(
                        pl.lit(timezone.now().isoformat()).alias("data_changed_at")
                    )
                upsert(model, good.drop("__row"), keys, [*reader.present, *version])
                if "uscc" in good.columns:
                    touched.update(good["uscc"].unique().to_list())
                if progress:
                    progress(batch.rows_read)
            report.errors[:0] = reader.header_errors
            report.error_count += len(reader.header_errors)
            report.warnings = reader.warnings
            if reader.header_errors or (report.error_count and not partial):
                raise _Rollback
            # the data version, stamped last: as close to the commit as it can be, so a
            # match run that started before this import cannot look newer than its data
            touch(touched)
            report.created = model._default_manager.count() - before
            report.updated = report.rows_valid - report.created
            report.written = True
    except _Rollback:
        report.created = report.updated = 0
    except DatabaseError as exc:  # the contract's checks should leave nothing for this
        report.created = report.updated = 0
        report.written = False
        detail = cells.brief(str(exc).strip(), 200)
        report.errors.insert(
            0,
            RowError(
                0,
                "",
                "",
                f"数据库拒绝写入，未写入任何数据：{detail}",
                f"the database refused a value, nothing was written: {detail}",
            ),
        )
        report.error_count += 1
    report.errors.sort(key=lambda e: e.row)
    ImportLog.record(report, user)
    return report


def _known_enterprises(table: str, frame: pl.DataFrame, report: ImportReport) -> pl.DataFrame:
    """Rows of dependent tables must name an enterprise already in the registry."""
    if table == "enterprises" or frame.is_empty():
        return frame
    wanted = frame["uscc"].unique().to_list()
    known: set[str] = set()
    for start in range(0, len(wanted), 5000):  # stay under the databases' parameter limits
        chunk = wanted[start : start + 5000]
        known.update(Enterprise.objects.filter(pk__in=chunk).values_list("pk", flat=True))
    unknown = frame.filter(~pl.col("uscc").is_in(list(known)))
    header = contract.field(table, "uscc").header
    report.add(
        [
            RowError(
                number,
                header,
                uscc,
                "企业不在名录中：请先导入企业表",
                "unknown enterprise: import it first",
            )
            for uscc, number in unknown.select("uscc", "__row").iter_rows()
        ]
    )
    return frame.filter(pl.col("uscc").is_in(list(known))) if unknown.height else frame


# --- export -----------------------------------------------------------------------------


def export_rows(table: str, enterprises: QuerySet[Enterprise]) -> Iterator[list[Any]]:
    """Contract values of ``table`` for the given enterprises, in contract column order."""
    specs = contract.fields(table)
    model = MODELS[table]
    names = [
        s.name if s.name != "uscc" or table == "enterprises" else "enterprise_id" for s in specs
    ]
    queryset: QuerySet[Any]
    if table == "enterprises":
        queryset = enterprises.order_by("uscc")
    else:
        queryset = model._default_manager.filter(enterprise__in=enterprises).order_by(
            "enterprise_id", *[k for k in contract.KEYS[table] if k != "uscc"]
        )
    for values in queryset.values_list(*names).iterator(chunk_size=5000):
        yield list(values)


def _cell_text(kind: Kind, value: Any) -> str:
    if value is None:
        return ""
    if kind is Kind.BOOL:
        return "true" if value else "false"
    if isinstance(value, Decimal):
        text = f"{value:f}"
        return text.rstrip("0").rstrip(".") if kind is not Kind.MONEY and "." in text else text
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _csv_cell(kind: Kind, value: Any) -> str:
    """Free text that a spreadsheet would run as a formula is quoted (numbers never are)."""
    text = _cell_text(kind, value)
    return exports.neutralise(text) if kind is Kind.TEXT else text


def export_file(
    table: str, path: Path | str, enterprises: QuerySet[Enterprise], *, english: bool = False
) -> int:
    """Write ``table`` to .csv or .xlsx with the import template's headers; rows written.

    The file imports back unchanged (headers, units and values round-trip).
    """
    path = Path(path)
    specs = contract.fields(table)
    headers = [s.name if english else s.header for s in specs]
    rows = export_rows(table, enterprises)
    if path.suffix.lower() == ".csv":
        count = 0
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            for row in rows:
                writer.writerow([_csv_cell(s.kind, v) for s, v in zip(specs, row, strict=True)])
                count += 1
        return count
    if path.suffix.lower() == ".xlsx":
        return _export_xlsx(path, table, headers, specs, rows)
    raise ValidationError(
        f"不支持的导出格式 {path.suffix!r}：请用 .csv 或 .xlsx",
        f"unsupported export format {path.suffix!r}: use .csv or .xlsx",
    )


def _export_xlsx(
    path: Path,
    table: str,
    headers: list[str],
    specs: tuple[contract.Field, ...],
    rows: Iterator[list[Any]],
) -> int:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, **exports.XLSX_TEXT})
    try:
        sheet = book.add_worksheet(contract.TABLE_ZH[table])
        head = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
        money = book.add_format({"num_format": "#,##0.00"})
        date = book.add_format({"num_format": "yyyy-mm-dd"})
        sheet.write_row(0, 0, headers, head)
        for col, spec in enumerate(specs):
            sheet.set_column(col, col, max(10, min(36, len(spec.header) * 2)))
        count = 0
        for r, row in enumerate(rows, start=1):
            for c, (spec, value) in enumerate(zip(specs, row, strict=True)):
                if value is None:
                    continue
                if spec.kind is Kind.MONEY:
                    sheet.write_number(r, c, float(value), money)
                elif spec.kind is Kind.DATE:
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date)
                elif spec.kind is Kind.BOOL:
                    sheet.write_string(r, c, "是" if value else "否")
                elif isinstance(value, Decimal | int) and spec.kind is not Kind.USCC:
                    sheet.write_number(r, c, float(value))
                else:
                    sheet.write_string(r, c, str(value))
            count += 1
    finally:
        book.close()
    return count


def write_template(table: str, path: Path | str) -> None:
    """An empty import template (.xlsx): Chinese headers, and a sheet explaining each field."""
    import xlsxwriter

    specs = contract.fields(table)
    book = xlsxwriter.Workbook(str(path), exports.XLSX_TEXT)
    try:
        head = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
        sheet = book.add_worksheet(contract.TABLE_ZH[table])
        sheet.write_row(0, 0, [s.header for s in specs], head)
        sheet.freeze_panes(1, 0)
        notes = book.add_worksheet("填写说明")
        notes.write_row(0, 0, ["列名", "字段", "类型", "必填", "取值 / 单位", "English"], head)
        for i, spec in enumerate(specs, start=1):
            labels = contract.CHOICE_LABELS.get(spec.name, {})
            allowed = "、".join(f"{c}（{labels.get(c, c)}）" for c in spec.choices) or spec.unit
            notes.write_row(
                i,
                0,
                [
                    spec.header,
                    spec.name,
                    spec.kind.value,
                    "是" if spec.required else "",
                    allowed,
                    spec.en,
                ],
            )
        notes.set_column(0, 0, 40)
        notes.set_column(4, 4, 60)
    finally:
        book.close()
