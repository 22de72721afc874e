"""Raw rows of a CSV or Excel file, and why a file cannot be read (``ValidationError``).

CSV files are UTF-8 (with or without BOM), GB18030 (Excel on Chinese Windows saves CSV so)
or UTF-16 (Excel's "Unicode text"); the encoding is checked over the whole file before a row
is given, so a file never half-reads in a wrong guess. Excel files: the first sheet, with the
saved values of formulas; a formula whose value was never saved (a file written by a program
and not opened in Excel since) comes as ``UnsavedFormula`` instead of an empty cell.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "u16.csv"
>>> _ = p.write_text("名称,值\\n甲,1\\n", "utf-16")
>>> list(raw_rows(p))
[['名称', '值'], ['甲', '1']]
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import cells
from .errors import ValidationError

#: Longer cells are reported row by row (``cells.MAX_CELL``); past this one the file is refused.
CSV_FIELD_LIMIT = 1 << 24
csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))


@dataclass(frozen=True)
class UnsavedFormula:
    """An Excel cell holding a formula whose result the file does not contain."""

    formula: str


def raw_rows(path: Path) -> Iterator[list[Any]]:
    if path.suffix.lower() == ".csv":
        yield from csv_rows(path)
    else:
        yield from xlsx_rows(path)


def csv_rows(path: Path) -> Iterator[list[Any]]:
    encoding = encoding_of(path)
    number = 1
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle)
        try:
            for number, row in enumerate(reader, start=1):  # noqa: B007 (kept for the message)
                yield row
        except csv.Error as exc:
            raise ValidationError(
                f"CSV 格式错误（第 {number + 1} 行附近，引号不成对或单元格过大）：{exc}",
                f"malformed CSV near row {number + 1} (unbalanced quote or huge cell): {exc}",
            ) from None
        except UnicodeDecodeError:  # the file changed since it was checked
            raise ValidationError(
                f"文件不是 {encoding} 编码（第 {number + 1} 行附近）",
                f"the file is not {encoding} (near row {number + 1})",
            ) from None


_CHUNK = 1 << 20


def encoding_of(path: Path) -> str:
    """The file's encoding, checked over the whole file: UTF-8, GB18030 or UTF-16.

    A byte-order mark is believed, and a file that does not keep to it is refused (a UTF-8
    mark over GB18030 bytes is a file two programs have written; guessing would garble it).
    Without a mark, UTF-8 is tried first and GB18030 (Excel on Chinese Windows) next.
    """
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        candidates = ["utf-32"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif len(head) >= 4 and head[1] == 0 and head[3] == 0 and head[0] and head[2]:
        candidates = ["utf-16-le"]  # UTF-16 text without a mark: ASCII with NULs between
    elif len(head) >= 4 and head[0] == 0 and head[2] == 0 and head[1] and head[3]:
        candidates = ["utf-16-be"]
    else:
        candidates = ["utf-8", "gb18030"]
    lines = []
    for encoding in candidates:
        lines.append(_bad_line(path, encoding))
        if lines[-1] == 0:
            return encoding
    line = lines[0]  # where the likeliest encoding stops
    names = {
        "utf-8-sig": ("UTF-8（带 BOM）", "UTF-8 (with a byte-order mark)"),
        "utf-8": ("UTF-8、GB18030 或带 BOM 的 UTF-16", "UTF-8, GB18030 or UTF-16 with a BOM"),
    }
    zh, en = names.get(candidates[0], (candidates[0].upper(), candidates[0].upper()))
    hint_zh = (
        "：文件开头声明为 UTF-8，内容却是其他编码（如 GB18030）"
        if head.startswith(codecs.BOM_UTF8)
        else ""
    )
    hint_en = (
        ": the file starts with a UTF-8 mark but the text is in another encoding (GB18030?)"
        if hint_zh
        else ""
    )
    raise ValidationError(
        f"文件编码无法识别，第 {line} 行不是 {zh} 编码{hint_zh}；请在 Excel 中另存为"
        "「CSV UTF-8」后再导入",
        f"cannot read the file: line {line} is not {en}{hint_en}; save it again as "
        '"CSV UTF-8" and import that',
    )


def _bad_line(path: Path, encoding: str) -> int:
    """0 when the whole file decodes, else the (1-based) line where it stops decoding."""
    decoder = codecs.getincrementaldecoder(encoding)()
    lines = 1
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return lines + chunk.count(b"\n", 0, max(exc.start, 0))
            lines += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return lines
    return 0


_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def xlsx_rows(path: Path) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    def damaged(exc: Exception) -> ValidationError:
        return ValidationError(
            f"无法读取 Excel 文件 {path.name}：{cells.brief(str(exc), 200)}",
            f"cannot read Excel file {path.name}: {cells.brief(str(exc), 200)}",
        )

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise damaged(exc) from None
    formulas: Any = None
    try:
        if not book.worksheets:
            return
        sheet = book.worksheets[0]
        rows: Iterator[tuple[Any, ...]] = sheet.iter_rows(values_only=True)
        if _has_formulas(sheet):
            formulas = load_workbook(path, read_only=True, data_only=False)
            rows = _with_formulas(rows, formulas.worksheets[0].iter_rows(values_only=True))
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # a cell openpyxl cannot convert (a date beyond 9999…)
                raise damaged(exc) from None
            yield list(row)
    finally:
        book.close()
        if formulas is not None:
            formulas.close()


def _has_formulas(sheet: Any) -> bool:
    """Whether the sheet's XML has any formula element (most exported files have none)."""
    try:
        source = sheet._get_source()  # openpyxl's read-only sheet: the XML in the archive
    except Exception:
        return True  # cannot tell cheaply: read the formulas too
    tail = b""
    with source:
        while chunk := source.read(_CHUNK):
            if _FORMULA.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


def _with_formulas(
    values: Iterator[tuple[Any, ...]], formulas: Iterator[tuple[Any, ...]]
) -> Iterator[tuple[Any, ...]]:
    """Values, with ``UnsavedFormula`` where a cell has a formula but no saved value."""
    for row in values:
        written = next(formulas, ())
        if None in row and any(f is not None for f in written):
            row = tuple(
                UnsavedFormula(str(written[i]))
                if v is None and i < len(written) and written[i] is not None
                else v
                for i, v in enumerate(row)
            )
        yield row
