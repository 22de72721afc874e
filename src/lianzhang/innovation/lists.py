"""Lists to rank, read from CSV or XLSX: a corpus (``id``, ``text``) or queries (``qid``,
``text``), both with optional ``industry_code``, ``region``, ``maturity``, ``kind``.

Pure (no Django). Every problem of a file is collected and raised at once (``BadInput``,
Chinese and English, with the spreadsheet's row numbers), so nothing is ranked, and nothing
written, from a half-good list.

>>> parse_codes("C3972、3985"), parse_maturity("TRL 6")
(('3972', '3985'), 6)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lianzhang.core.errors import ValidationError

from . import text as textmod

#: The optional columns of either list.
FIELDS = ("industry_code", "region", "maturity", "kind")


@dataclass(frozen=True)
class Item:
    """A row of the corpus or of the queries."""

    id: str
    text: str
    industry_codes: tuple[str, ...] = ()
    region: str = ""
    maturity: int | None = None  # TRL 1–9; for a query, the minimum
    kind: str = ""
    row: int = 0  # its spreadsheet row (the header is row 1)


_CODE_SPLIT = re.compile(r"[,，;；、/|\s]+")
_SECTION = re.compile(r"^[A-T](?=\d)")
_TRL = re.compile(r"^(?:trl)?\s*([1-9])(?:\.0+)?\s*(?:级)?$")


def parse_codes(cell: str) -> tuple[str, ...]:
    """GB/T 4754 codes of a cell: several separated by 、,; or spaces; C3972 is 3972."""
    out = []
    for part in _CODE_SPLIT.split(cell.strip().upper()):
        code = _SECTION.sub("", part)
        if code:
            out.append(code)
    return tuple(dict.fromkeys(out))


def parse_maturity(cell: str) -> int | None:
    """TRL 1–9 written as 6, 6.0, TRL6, TRL 6 or 6级; empty is unknown; else ValueError."""
    text = textmod.normalise(cell)
    if not text:
        return None
    m = _TRL.match(text)
    if m is None:
        raise ValueError(cell)
    return int(m[1])


#: Column names accepted besides the English ones.
ALIASES: dict[str, str] = {
    "编号": "id",
    "需求编号": "qid",
    "文本": "text",
    "内容": "text",
    "行业代码": "industry_code",
    "地区": "region",
    "成熟度": "maturity",
    "类型": "kind",
}


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    zh: str
    en: str


class BadInput(ValidationError):
    """A list that cannot be ranked, with every problem (row numbers as in the sheet)."""

    def __init__(self, name: str, problems: list[Problem]) -> None:
        self.name = name
        self.problems = problems
        shown = 20
        zh = "；".join(
            (f"第 {p.row} 行" if p.row else "表头") + (f"「{p.column}」" if p.column else "") + p.zh
            for p in problems[:shown]
        )
        en = "; ".join(
            (f"row {p.row}" if p.row else "header") + (f" {p.column}" if p.column else "") + ": "
            f"{p.en}"
            for p in problems[:shown]
        )
        more_zh = f"；等共 {len(problems)} 处" if len(problems) > shown else ""
        more_en = f"; {len(problems)} in all" if len(problems) > shown else ""
        super().__init__(
            f"{name} 有 {len(problems)} 处错误：{zh}{more_zh}",
            f"{name} has {len(problems)} problems: {en}{more_en}",
        )


def read_items(path: Path | str, key: str = "id") -> list[Item]:
    """The rows of a CSV (UTF-8 with or without BOM, GB18030, UTF-16) or XLSX list.

    ``key`` is the identifier column (``id`` for a corpus, ``qid`` for queries). Every
    problem is collected (missing column, empty or duplicate identifier, empty text, a
    maturity that is no TRL) and raised at once as ``BadInput``.
    """
    from lianzhang.core.sheets import raw_rows

    path = Path(path)
    if path.suffix.lower() not in (".csv", ".xlsx", ".xlsm"):
        raise ValidationError(
            f"不支持的文件类型 {path.suffix!r}：请用 .csv 或 .xlsx",
            f"unsupported file type {path.suffix!r}: use .csv or .xlsx",
        )
    if not path.is_file():
        raise ValidationError(f"文件不存在：{path}", f"file not found: {path}")
    rows = raw_rows(path)
    header = [_cell(c) for c in next(rows, [])]
    names: dict[str, int] = {}
    for index, h in enumerate(header):
        name = h.strip().lstrip("\ufeff")
        canonical = ALIASES.get(name, name.lower())
        if canonical == "id" and key == "qid":
            continue  # a query list's own "id" column is not its qid
        names.setdefault(canonical, index)
    present = set(names)
    problems = [
        Problem(1, c, f"缺少必填列「{c}」", f"required column {c!r} is missing")
        for c in (key, "text")
        if c not in present
    ]
    if problems:
        raise BadInput(path.name, problems)
    items: list[Item] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(rows, start=2):
        cells = [_cell(c).strip() for c in raw]
        if not any(cells):
            continue
        row = {name: cells[i] if i < len(cells) else "" for name, i in names.items()}
        ident, body = row.get(key, ""), row.get("text", "")
        if not ident:
            problems.append(Problem(number, key, "编号为空", "empty identifier"))
        elif ident in seen:
            problems.append(
                Problem(
                    number,
                    key,
                    f"编号 {ident} 与第 {seen[ident]} 行重复",
                    f"identifier {ident} duplicates row {seen[ident]}",
                )
            )
        else:
            seen[ident] = number
        if not body:
            problems.append(Problem(number, "text", "文本为空", "empty text"))
        try:
            maturity = parse_maturity(row.get("maturity", ""))
        except ValueError:
            maturity = None
            problems.append(
                Problem(
                    number,
                    "maturity",
                    f"成熟度 {row['maturity']!r} 不是 1–9 的 TRL",
                    f"maturity {row['maturity']!r} is not a TRL 1–9",
                )
            )
        items.append(
            Item(
                ident,
                body,
                parse_codes(row.get("industry_code", "")),
                row.get("region", ""),
                maturity,
                row.get("kind", "").lower(),
                number,
            )
        )
    if not items and not problems:
        problems.append(Problem(0, "", "没有数据行", "no data rows"))
    if problems:
        raise BadInput(path.name, problems)
    return items


def _cell(value: Any) -> str:
    """A cell as the text a person typed (Excel gives 3972.0 for 3972)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)
