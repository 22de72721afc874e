"""Read the monitoring files (CSV or Excel) into the frames ``growth`` works on (pure).

- values: ``uscc``, ``period`` (``YYYY-MM``) and one column per indicator with that month's
  flow (yuan exact to the fen, kWh to 0.01); an empty cell is unknown, never zero;
- roster: ``uscc``, ``year``: the firms in scope (规上) in that year;
- enterprises: ``uscc``, ``district``, ``industry_code`` (for grouping).

Headers are the English names above or their Chinese names (统一社会信用代码, 期别, 年度,
区县, 行业代码, the indicator's name). Every bad cell is collected with its spreadsheet row
(the header is row 1); a file with any bad cell is refused as a whole with the first few
reasons and the count, so a figure is never computed on half a file.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "v.csv"
>>> _ = p.write_text("uscc,period,output_value\\n91350100M000100Y43,2025-06,1234.5\\n"
...                  "91350100M000100Y43,2025-05,\\n", "utf-8")
>>> read_values(p, ["output_value"]).rows()
[('91350100M000100Y43', 2025, 6, 123450), ('91350100M000100Y43', 2025, 5, None)]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import polars as pl

from lianzhang.core import cells, sheets, uscc
from lianzhang.core.errors import ValidationError
from lianzhang.core.tables import RowError

from .indicators import SCALE, indicator

#: How many bad cells the refusal shows.
SHOWN = 5
#: Chinese headers accepted for the fixed columns.
ALIASES = {
    "统一社会信用代码": "uscc",
    "期别": "period",
    "年月": "period",
    "年度": "year",
    "年份": "year",
    "区县": "district",
    "所属区（市）县": "district",
    "行业代码": "industry_code",
    "国民经济行业分类代码": "industry_code",
}
#: Larger values are typing errors (the money contract's limit, in hundredths).
LIMIT = 10**17
_FAST = r"^-?\d{1,15}(\.\d{1,2})?$"
_PERIOD = r"^(\d{4})-(\d{1,2})$"


def _text(cell: Any) -> str:
    """A cell as text; Excel dates as their month, Excel numbers as written."""
    if cell is None:
        return ""
    if isinstance(cell, sheets.UnsavedFormula):
        return "\x00formula"  # refused with its own reason
    if isinstance(cell, dt.datetime | dt.date):
        return f"{cell.year:04d}-{cell.month:02d}"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _columns(
    path: Path, wanted: Sequence[str], zh: dict[str, str]
) -> tuple[dict[str, pl.Series], list[int]]:
    """The wanted columns of the file as stripped text, and the rows' spreadsheet numbers."""
    fast = _csv_columns(path) if path.suffix.lower() == ".csv" else None
    if fast is not None:
        names, texts = fast
    else:
        rows: Iterator[list[Any]] = sheets.raw_rows(path)
        header = next(rows, None)
        if header is None:
            raise ValidationError(f"{path.name} 为空", f"{path.name} is empty")
        names = [_text(h).strip() for h in header]
        body = [[_text(c) for c in raw] for raw in rows]
        texts = [
            pl.Series([r[i] if i < len(r) else "" for r in body], dtype=pl.String)
            for i in range(len(names))
        ]
    index: dict[str, int] = {}
    for i, name in enumerate(names):
        key = ALIASES.get(name) or zh.get(name) or name
        if key in wanted and key not in index:
            index[key] = i
    missing = [w for w in wanted if w not in index]
    if missing:
        raise ValidationError(
            f"{path.name} 缺少列：{'、'.join(missing)}",
            f"{path.name} lacks the columns: {', '.join(missing)}",
        )
    frame = pl.DataFrame({w: texts[index[w]] for w in wanted}).with_columns(
        pl.col(w).fill_null("").str.strip_chars() for w in wanted
    )
    frame = frame.with_row_index("__row", offset=2).filter(
        pl.any_horizontal(pl.col(w) != "" for w in wanted)
    )
    return {w: frame[w] for w in wanted}, frame["__row"].cast(pl.Int64).to_list()


def _csv_columns(path: Path) -> tuple[list[str], list[pl.Series]] | None:
    """A UTF-8 CSV read column-wise by Polars (rows are records, as in a spreadsheet: a
    cell over several lines is one row); None sends the file to the exact reader (another
    encoding, a broken quote: it says what is wrong)."""
    try:  # the whole file checked first: Polars would read other encodings lossily
        if sheets.encoding_of(path) not in ("utf-8", "utf-8-sig"):
            return None
        frame = pl.read_csv(path, infer_schema=False, has_header=True)
    except Exception:  # Polars raises several types; the exact reader says what is wrong
        return None
    return [c.strip() for c in frame.columns], [frame[c] for c in frame.columns]


def _refuse(path: Path, errors: list[RowError]) -> None:
    if not errors:
        return
    errors.sort(key=lambda e: e.row)
    shown = "；".join(str(e) for e in errors[:SHOWN])
    raise ValidationError(
        f"{path.name} 有 {len(errors)} 处错误：{shown}",
        f"{path.name} has {len(errors)} bad cells (first: {errors[0].en})",
    )


def _usccs(texts: pl.Series, numbers: list[int], errors: list[RowError]) -> pl.Series:
    """Normalised USCCs, checked once per distinct code; a bad one is null and reported."""
    norm = texts.str.replace_all(" ", "", literal=True).str.to_uppercase()
    problems = {code: uscc.problem(code) for code in norm.unique().to_list()}
    bad = {code: why for code, why in problems.items() if why is not None}
    if not bad:
        return norm.alias("uscc")
    for i in norm.is_in(list(bad)).arg_true().to_list():
        why = bad[norm[i]] if norm[i] else "为空 / empty"
        zh, _, en = why.partition(" / ")
        errors.append(RowError(numbers[i], "uscc", cells.brief(texts[i]), zh, en or zh))
    return pl.select(pl.when(~norm.is_in(list(bad))).then(norm)).to_series().alias("uscc")


def _amounts(
    s: pl.Series, numbers: list[int], column: str, signed: bool, errors: list[RowError]
) -> pl.Series:
    """Exact hundredths of the unit; the common forms column-wise, the rest cell by cell."""
    fast = s.str.contains(_FAST)
    negative = s.str.starts_with("-")
    digits = s.str.strip_prefix("-")
    whole = digits.str.extract(r"^(\d+)", 1).cast(pl.Int64, strict=False)
    cents = digits.str.extract(r"\.(\d+)$", 1).fill_null("").str.pad_end(2, "0")
    value = whole * SCALE + cents.cast(pl.Int64, strict=False)
    out = pl.select(pl.when(fast).then(pl.when(negative).then(-value).otherwise(value))).to_series()
    slow = (~fast & (s != "")).arg_true().to_list()
    if not slow and (signed or not (out < 0).any()):
        return out.alias(column)
    fixed = out.to_list()
    for i in slow:
        fixed[i] = _amount(s[i], numbers[i], column, errors)
    if not signed:
        for i, v in enumerate(fixed):
            if v is not None and v < 0:
                errors.append(RowError(numbers[i], column, s[i], "不能为负", "cannot be negative"))
    return pl.Series(column, fixed, dtype=pl.Int64)


def _amount(text: str, number: int, column: str, errors: list[RowError]) -> int | None:
    shown = cells.brief(text)
    if text == "\x00formula":
        errors.append(
            RowError(number, column, "", "公式结果未保存（请在 Excel 中打开后另存）",
                     "a formula whose result was never saved (open and save in Excel)")
        )  # fmt: skip
        return None
    try:
        value = Decimal(cells.number_text(text))
    except (ValidationError, InvalidOperation):
        errors.append(RowError(number, column, shown, "不是数值", "not a number"))
        return None
    if not value.is_finite():
        errors.append(RowError(number, column, shown, "不是数值", "not a number"))
        return None
    scaled = value * SCALE
    if scaled != scaled.to_integral_value():
        errors.append(
            RowError(number, column, shown, "最多两位小数（金额精确到分）",
                     "at most two decimal places (money is exact to the fen)")
        )  # fmt: skip
        return None
    if abs(scaled) >= LIMIT:
        errors.append(RowError(number, column, shown, "数值超出范围", "out of range"))
        return None
    return int(scaled)


def read_values(path: Path | str, codes: Iterable[str]) -> pl.DataFrame:
    """The panel frame ``uscc, year, month, <code>…`` (Int64 hundredths, null unknown)."""
    path = Path(path)
    specs = [indicator(c) for c in codes]
    zh = {s.zh: s.code for s in specs}
    wanted = ["uscc", "period", *(s.code for s in specs)]
    columns, numbers = _columns(path, wanted, zh)
    errors: list[RowError] = []
    ids = _usccs(columns["uscc"], numbers, errors)
    period = columns["period"]
    year = period.str.extract(_PERIOD, 1).cast(pl.Int32)
    month = period.str.extract(_PERIOD, 2).cast(pl.Int8)
    good = year.is_not_null() & month.is_between(1, 12)
    for i in (~good).fill_null(True).arg_true().to_list():
        errors.append(
            RowError(numbers[i], "period", cells.brief(period[i]), "期别应为 YYYY-MM（如 2025-06）",
                     "the period must be YYYY-MM (e.g. 2025-06)")
        )  # fmt: skip
    frame = pl.DataFrame([ids, year.alias("year"), month.alias("month")])
    frame = frame.with_columns(
        _amounts(columns[s.code], numbers, s.code, s.signed, errors) for s in specs
    )
    frame = frame.with_columns(pl.Series("__row", numbers, dtype=pl.Int64))
    if not errors:
        _duplicates(frame, ("uscc", "year", "month"), errors)
    _refuse(path, errors)
    return frame.drop("__row")


def _duplicates(frame: pl.DataFrame, keys: Sequence[str], errors: list[RowError]) -> None:
    doubled = frame.filter(pl.struct(list(keys)).is_duplicated())
    first: dict[tuple[Any, ...], int] = {}
    for row in doubled.select([*keys, "__row"]).iter_rows():
        key, number = tuple(row[:-1]), row[-1]
        if first.setdefault(key, number) != number:
            errors.append(
                RowError(number, "", "/".join(str(k) for k in key),
                         f"与第 {first[key]} 行重复", f"duplicate of row {first[key]}")
            )  # fmt: skip


def read_roster(path: Path | str) -> pl.DataFrame:
    """``uscc, year``: one row per firm and year in scope (repeated rows are one)."""
    path = Path(path)
    columns, numbers = _columns(path, ["uscc", "year"], {})
    errors: list[RowError] = []
    ids = _usccs(columns["uscc"], numbers, errors)
    text = columns["year"]
    year = text.str.extract(r"^(\d{4})$", 1).cast(pl.Int32)
    good = year.is_between(1949, 2100).fill_null(False)
    for i in (~good).arg_true().to_list():
        errors.append(
            RowError(numbers[i], "year", cells.brief(text[i]), "年度应为四位数字（如 2025）",
                     "the year must have four digits (e.g. 2025)")
        )  # fmt: skip
    _refuse(path, errors)
    return pl.DataFrame([ids, year.alias("year")]).unique(maintain_order=True)


def read_enterprises(path: Path | str) -> pl.DataFrame:
    """``uscc, district, industry_code`` (empty = no group); a firm listed twice is refused."""
    path = Path(path)
    columns, numbers = _columns(path, ["uscc", "district", "industry_code"], {})
    errors: list[RowError] = []
    ids = _usccs(columns["uscc"], numbers, errors)
    frame = pl.DataFrame(
        [
            ids,
            *(columns[c].replace("", None).alias(c) for c in ("district", "industry_code")),
            pl.Series("__row", numbers, dtype=pl.Int64),
        ]
    )
    if not errors:
        _duplicates(frame, ("uscc",), errors)
    _refuse(path, errors)
    return frame.drop("__row")
