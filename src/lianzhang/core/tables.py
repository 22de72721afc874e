"""Read contract tables from CSV or Excel (.xlsx), streaming, with a complete error report.

Headers may be the Chinese names of the import templates (``研发费用（万元）`` is read and
scaled to yuan) or the English field names. Every bad cell is reported with its spreadsheet
row number (the header is row 1), column header, value and reason in Chinese and English.
Nothing here writes anywhere: callers decide what to do with good and bad rows.

A file that cannot be read to the end (see ``core.sheets``: an encoding it does not keep
to, a broken quote, a damaged workbook) gives a file-level error in ``Reader.header_errors``
rather than an exception, so the web page and the CLI show the same report. An Excel formula
whose result was never saved is a bad cell, not an empty one.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "e.csv"
>>> _ = p.write_text("统一社会信用代码,企业名称,职工总数\\n91350100M000100Y43,甲,\\n", "utf-8")
>>> read = read_table(p, "enterprises")
>>> read.rows, read.errors
([{'uscc': '91350100M000100Y43', 'name': '甲'}], [])
>>> read.warnings
['未知列已忽略：职工总数 / unknown column ignored: 职工总数']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from . import cells, columnar, frames, sheets
from .contract import KEYS, Field, fields, resolve_header
from .errors import ValidationError
from .sheets import UnsavedFormula

SUFFIXES = (".csv", ".xlsx", ".xlsm")
#: How much of a bad value a report shows.
SHOWN = 200


@dataclass(frozen=True)
class RowError:
    """One bad cell (or row, when ``column`` is empty)."""

    row: int
    column: str
    value: str
    zh: str
    en: str

    def __post_init__(self) -> None:
        # a NUL from the file is shown escaped: PostgreSQL keeps no NUL in text or JSON
        for name in ("column", "value", "zh", "en"):
            text = getattr(self, name)
            if "\x00" in text:
                object.__setattr__(self, name, text.replace("\x00", "\\x00"))

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "reason_zh": self.zh,
            "reason_en": self.en,
        }

    def __str__(self) -> str:
        if self.row == 0:  # the file as a whole
            return f"文件：{self.zh} / file: {self.en}"
        where = f"第 {self.row} 行" + (f"「{self.column}」列" if self.column else "")
        shown = f"值 {self.value!r}：" if self.value != "" else ""
        return f"{where} {shown}{self.zh} / row {self.row} {self.column}: {self.en}"


@dataclass
class TableRead:
    """All rows of a file read at once (for small and medium files)."""

    table: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Batch:
    """Good rows of a batch as a typed frame (present fields + ``__row``), and the bad ones."""

    frame: pl.DataFrame
    errors: list[RowError]
    rows_read: int


@dataclass
class Reader:
    """A streaming reader: iterate ``rows()``; header problems are known after ``open``."""

    path: Path
    table: str
    warnings: list[str] = field(default_factory=list)
    header_errors: list[RowError] = field(default_factory=list)
    #: Fields that have a column in the file (known once iteration has started).
    present: list[str] = field(default_factory=list)
    #: When given, a district must be one of these (the city's list, ``cells.districts()``).
    districts: frozenset[str] | None = None

    def _guarded(self, raw_rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
        """The raw rows; a file that cannot be read on becomes a file-level error."""
        number = 1
        try:
            for raw in raw_rows:
                yield raw
                number += 1
        except ValidationError as exc:  # before the first row: the file as a whole (row 0)
            self.header_errors.append(
                RowError(0 if number == 1 else number, "", "", exc.zh, exc.en)
            )

    def _open(self, specs: dict[str, Field]) -> tuple[Iterator[list[Any]], list[Any] | None]:
        raw_rows = self._guarded(sheets.raw_rows(self.path))
        header = next(raw_rows, None)
        if header is None and not self.header_errors:
            self.header_errors.append(RowError(1, "", "", "文件为空", "the file is empty"))
        return raw_rows, header

    def rows(self) -> Iterator[tuple[int, dict[str, Any] | None, list[RowError]]]:
        """Yield (row number, values or None when bad, errors) for every data row."""
        specs = {f.name: f for f in fields(self.table)}
        raw_rows, header = self._open(specs)
        if header is None:
            return
        columns = self._columns(header, specs)
        self.present = [spec.name for _, _, spec, _ in columns]
        if self.header_errors:
            return
        key_fields = KEYS[self.table]
        seen: dict[tuple[Any, ...], int] = {}
        for number, raw in enumerate(raw_rows, start=2):
            if _blank_row(raw):
                continue
            values, errors = _parse_row(number, raw, columns, specs)
            if not errors:
                errors = _check_row(number, values, specs, self.districts)
            if not errors:
                key = tuple(values.get(k) for k in key_fields)
                first = seen.setdefault(key, number)
                if first != number:
                    errors.append(
                        RowError(
                            number,
                            "",
                            "/".join(str(k) for k in key),
                            f"与第 {first} 行重复（键：{'、'.join(key_fields)}）",
                            f"duplicate of row {first} (key: {', '.join(key_fields)})",
                        )
                    )
            yield number, (None if errors else values), errors

    def batches(self, size: int = 20_000) -> Iterator[Batch]:
        """The file in batches, read column-wise; same rows and errors as ``rows()``."""
        specs = {f.name: f for f in fields(self.table)}
        raw_rows, header = self._open(specs)
        if header is None:
            return
        columns = self._columns(header, specs)
        self.present = [spec.name for _, _, spec, _ in columns]
        if self.header_errors:
            return
        seen: dict[tuple[Any, ...], int] = {}
        chunk: list[list[Any]] = []
        numbers: list[int] = []
        for number, raw in enumerate(raw_rows, start=2):
            if _blank_row(raw):
                continue
            chunk.append(raw)
            numbers.append(number)
            if len(chunk) >= size:
                yield self._batch(chunk, numbers, columns, specs, seen)
                chunk, numbers = [], []
        if chunk:
            yield self._batch(chunk, numbers, columns, specs, seen)

    def _batch(
        self,
        chunk: list[list[Any]],
        numbers: list[int],
        columns: list[tuple[int, str, Field, Any]],
        specs: dict[str, Field],
        seen: dict[tuple[Any, ...], int],
    ) -> Batch:
        width = max(i for i, _, _, _ in columns) + 1
        unsaved: list[bool] = []
        if all(type(c) is str for c in chunk[0]):  # CSV: transpose at C speed
            cells = list(
                zip(
                    *[r[:width] if len(r) >= width else r + [""] * (width - len(r)) for r in chunk],
                    strict=True,
                )
            )
        else:  # Excel: typed cells back to text
            cells = list(
                zip(
                    *[[_text(r[i]) if i < len(r) else None for i in range(width)] for r in chunk],
                    strict=True,
                )
            )
            used = [i for i, _, _, _ in columns]
            unsaved = [any(type(r[i]) is UnsavedFormula for i in used if i < len(r)) for r in chunk]
        raw = pl.DataFrame(
            {spec.name: cells[i] for i, _, spec, _ in columns},
            schema={spec.name: pl.String for _, _, spec, _ in columns},
        )
        typed, ok = columnar.parse_batch(
            raw, [(spec.name, spec, scale) for _, _, spec, scale in columns]
        )
        present = {spec.name: spec for _, _, spec, _ in columns}
        ok = ok & columnar.cross_checks(typed, present)
        if self.districts is not None and "district" in present:
            district = typed["district"]
            ok = ok & (district.is_null() | district.is_in(list(self.districts)))
        if any(unsaved):
            ok = ok & ~pl.Series(unsaved, dtype=pl.Boolean)
        typed = typed.with_columns(pl.Series("__row", numbers, dtype=pl.Int64))
        errors: list[RowError] = []
        rescued: list[dict[str, Any]] = []
        for index in (~ok).arg_true().to_list():
            values, row_errors = _parse_row(numbers[index], chunk[index], columns, specs)
            if not row_errors:
                row_errors = _check_row(numbers[index], values, specs, self.districts)
            if row_errors:
                errors.extend(row_errors)
            else:  # a form only the exact reader knows (1,234.5; 是; 12%)
                rescued.append({**values, "__row": numbers[index]})
        good = typed.filter(ok)
        if rescued:
            extra = frames.from_rows(self.table, rescued).select(list(present))
            extra = extra.with_columns(
                pl.Series("__row", [r["__row"] for r in rescued], dtype=pl.Int64)
            )
            good = pl.concat([good, extra]).sort("__row")
        return Batch(self._unique(good, seen, errors), errors, len(chunk))

    def _unique(
        self, good: pl.DataFrame, seen: dict[tuple[Any, ...], int], errors: list[RowError]
    ) -> pl.DataFrame:
        """Drop (and report) rows whose key an earlier row of the file already had."""
        key_fields = KEYS[self.table]
        keep = []
        for row in good.select([*key_fields, "__row"]).iter_rows():
            key, number = row[:-1], row[-1]
            first = seen.setdefault(key, number)
            keep.append(first == number)
            if first != number:
                errors.append(
                    RowError(
                        number,
                        "",
                        "/".join(str(k) for k in key),
                        f"与第 {first} 行重复（键：{'、'.join(key_fields)}）",
                        f"duplicate of row {first} (key: {', '.join(key_fields)})",
                    )
                )
        return good.filter(pl.Series(keep, dtype=pl.Boolean)) if not all(keep) else good

    def _columns(
        self, header: list[Any], specs: dict[str, Field]
    ) -> list[tuple[int, str, Field, Any]]:
        columns: list[tuple[int, str, Field, Any]] = []
        taken: dict[str, str] = {}
        for index, cell in enumerate(header):
            text = (_text(cell) or "").strip()
            if text == "":
                continue
            resolved = resolve_header(self.table, text)
            if resolved is None:
                shown = _shown(text)
                self.warnings.append(f"未知列已忽略：{shown} / unknown column ignored: {shown}")
                continue
            name, scale = resolved
            if name in taken:
                self.header_errors.append(
                    RowError(
                        1,
                        text,
                        text,
                        f"与列「{taken[name]}」表示同一字段 {name}",
                        f"same field {name} as column {taken[name]!r}",
                    )
                )
                continue
            taken[name] = text
            columns.append((index, text, specs[name], scale))
        for f in specs.values():
            if f.required and f.name not in taken:
                self.header_errors.append(
                    RowError(
                        1,
                        f.header,
                        "",
                        f"缺少必填列「{f.header}」（或 {f.name}）",
                        f"required column {f.name!r} ({f.header}) is missing",
                    )
                )
        return columns


def open_table(path: Path | str, table: str, *, districts: Iterable[str] | None = None) -> Reader:
    """A reader of ``path``; with ``districts``, a district outside that list is a bad cell."""
    path = Path(path)
    fields(table)  # unknown table → clear error
    if path.suffix.lower() not in SUFFIXES:
        raise ValidationError(
            f"不支持的文件类型 {path.suffix!r}：请用 .csv 或 .xlsx",
            f"unsupported file type {path.suffix!r}: use .csv or .xlsx",
        )
    if not path.exists():
        raise ValidationError(f"文件不存在：{path}", f"file not found: {path}")
    return Reader(path, table, districts=None if districts is None else frozenset(districts))


def read_table(path: Path | str, table: str) -> TableRead:
    """Read a whole file: good rows, their row numbers, and every error."""
    reader = open_table(path, table)
    out = TableRead(table)
    for number, values, errors in reader.rows():
        if values is not None:
            out.rows.append(values)
            out.row_numbers.append(number)
        out.errors.extend(errors)
    out.errors[:0] = reader.header_errors
    out.warnings = reader.warnings
    return out


def read_records(path: Path | str) -> tuple[list[str], list[dict[str, str]]]:
    """Any CSV or Excel sheet as its header and rows of text keyed by header.

    For tables outside the contract (no field checks): the same file reading as
    ``read_table`` (UTF-8 or GB18030 CSV, or the first Excel sheet), with cells as the text a
    person would have typed. Like ``csv.DictReader``, an empty line is skipped, a missing
    cell is absent from its row and cells beyond the header are dropped.
    """
    path = Path(path)
    excel = path.suffix.lower() in (".xlsx", ".xlsm")
    raw_rows = sheets.xlsx_rows(path) if excel else sheets.csv_rows(path)
    header = [_text(cell) or "" for cell in next(raw_rows, [])]
    rows = []
    for raw in raw_rows:
        if not raw or all(_text(cell) is None for cell in raw):
            continue
        cells = [_text(cell) for cell in raw[: len(header)]]
        rows.append({h: v for h, v in zip(header, cells, strict=False) if v is not None})
    return header, rows


def _blank_row(raw: list[Any]) -> bool:
    if all(type(v) is str for v in raw):
        return not "".join(raw).strip()
    return all(_blank(v) for v in raw)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _parse_row(
    number: int, raw: list[Any], columns: list[tuple[int, str, Field, Any]], specs: dict[str, Field]
) -> tuple[dict[str, Any], list[RowError]]:
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    for index, header, spec, scale in columns:
        cell = raw[index] if index < len(raw) else None
        if type(cell) is UnsavedFormula:
            errors.append(
                RowError(
                    number,
                    header,
                    _shown(cell.formula),
                    "公式没有保存的计算结果：请在 Excel（或 WPS）中打开并保存该文件后再导入",
                    "formula without a saved value: open and save the file in Excel, then import",
                )
            )
            continue
        try:
            value = spec.parse(cell, scale)
        except ValidationError as exc:
            errors.append(RowError(number, header, _shown(cell), exc.zh, exc.en))
            continue
        if value is None and spec.required:
            errors.append(RowError(number, header, "", "必填项为空", "required value is empty"))
        elif value is not None:
            values[spec.name] = value
    return values, errors


def _check_row(
    number: int,
    values: dict[str, Any],
    specs: dict[str, Field],
    districts: frozenset[str] | None = None,
) -> list[RowError]:
    """Checks that span fields of one row, and the city's district list."""
    errors: list[RowError] = []
    district = values.get("district")
    if districts is not None and district is not None and "district" in specs:
        try:
            cells.check_district(district, districts)
        except ValidationError as exc:
            errors.append(RowError(number, specs["district"].header, district, exc.zh, exc.en))
    employees = values.get("employees")
    for name in ("rd_staff", "tech_staff"):
        staff = values.get(name)
        if staff is not None and employees is not None and staff > employees:
            errors.append(
                RowError(
                    number,
                    specs[name].header,
                    str(staff),
                    f"{specs[name].zh}（{staff}）多于职工总数（{employees}）",
                    f"{name} ({staff}) exceeds employees ({employees})",
                )
            )
    granted, until = values.get("granted_on"), values.get("valid_until")
    if granted is not None and until is not None and until < granted:
        errors.append(
            RowError(
                number,
                specs["valid_until"].header,
                str(until),
                f"有效期至早于认定日期 {granted}",
                f"valid_until is before granted_on {granted}",
            )
        )
    return errors


def _text(cell: Any) -> str | None:
    """A cell as the text a person would have typed (Excel gives numbers and dates)."""
    if cell is None or isinstance(cell, str):
        return cell
    if isinstance(cell, UnsavedFormula):
        return None
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() and abs(cell) < 1e15 else repr(cell)
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell)


def _shown(cell: Any) -> str:
    text = "" if cell is None else str(cell)
    return text if len(text) <= SHOWN else f"{text[: SHOWN - 1]}…（共 {len(text)} 字符 / chars）"
