"""How the text of one cell is made safe to read, before the contract reads its value.

People type numbers the way their keyboard gives them: full-width digits and punctuation
from a Chinese input method (``１２３．４５``), thousands separators, a minus sign (``−``).
``number_text`` folds the full-width forms to ASCII (the width part of NFKC only: ``①`` or
``²`` are not digits here) and accepts commas only in groups of three, so ``1,2,3`` is
refused as ambiguous instead of being read as 123. Other scripts' digits are refused too.
The same module holds the limits every cell meets (``MAX_CELL``, the date window) and the
city's district list (``core/data/districts.csv``, or the file ``LIANZHANG_DISTRICTS``).

>>> number_text("１２３．４５"), number_text("1,234,567"), number_text("−5")
('123.45', '1234567', '-5')
>>> try:
...     number_text("1,2,3")
... except ValidationError as e:
...     print(e.en)
ambiguous commas: '1,2,3' (write 1,234.5 with groups of three, or no commas)
"""

from __future__ import annotations

import datetime as dt
import os
import re
from functools import cache
from importlib import resources
from pathlib import Path

from .errors import ValidationError

#: The longest cell: Excel's own limit (a longer cell cannot have come from a spreadsheet).
MAX_CELL = 32_767
#: The longest cell of any kind but text (a number, date, code or yes/no is much shorter).
MAX_VALUE = 100
#: Dates outside this window are typing errors (0001-01-01, 9999-12-31 placeholders).
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
#: The environment variable naming a city's own district list (one name per line).
DISTRICTS_ENV = "LIANZHANG_DISTRICTS"

# full-width ASCII (U+FF01…U+FF5E) → ASCII, the ideographic space, and the minus signs
_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_WIDTH.update({0x3000: 0x20, 0x2212: 0x2D, 0xFE63: 0x2D})

_NUMBER = re.compile(
    r"[+-]?(?:(?P<grouped>\d{1,3}(?:,\d{3})+)(?:\.\d*)?|\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,4})?",
    re.ASCII,
)


def fold(text: str) -> str:
    """Full-width letters, digits and punctuation as ASCII (``１２３．４５`` → ``123.45``)."""
    return text.translate(_WIDTH)


def brief(value: object, limit: int = 40) -> str:
    """``repr`` of a value for a message, cut short (a cell may hold 30,000 characters)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def number_text(text: str) -> str:
    """The ASCII number a cell's text writes, without thousands separators.

    Raises ValidationError for commas outside groups of three; anything else that is not
    a plain decimal is returned as it is, for ``Decimal`` to refuse.
    """
    folded = fold(text).strip().replace("，", ",")
    if "," not in folded:
        return folded
    match = _NUMBER.fullmatch(folded)
    if match is None or match.group("grouped") is None:
        raise ValidationError(
            f"千分位逗号位置不对，无法确定数值：{brief(text)}（请写 123 或 1.23）",
            f"ambiguous commas: {brief(text)} (write 1,234.5 with groups of three, or no commas)",
        )
    return folded.replace(",", "")


def plain_number(text: str) -> bool:
    """True when ``text`` (already through ``number_text``) is a decimal in ASCII."""
    return _NUMBER.fullmatch(text) is not None


def check_date(value: dt.date, raw: object) -> dt.date:
    if not DATE_MIN <= value <= DATE_MAX:
        raise ValidationError(
            f"日期超出范围（{DATE_MIN} 至 {DATE_MAX}）：{brief(raw)}",
            f"date out of range ({DATE_MIN} to {DATE_MAX}): {brief(raw)}",
        )
    return value


def check_size(text: str, limit: int | None = None) -> None:
    """Refuse a cell longer than ``limit`` (or ``MAX_CELL``) characters."""
    limit = MAX_CELL if limit is None else min(limit, MAX_CELL)
    if len(text) > limit:
        raise ValidationError(
            f"内容过长：{len(text)} 个字符，最多 {limit} 个",
            f"too long: {len(text)} characters, at most {limit}",
        )


def districts() -> frozenset[str]:
    """The city's districts (区（市）县): ``$LIANZHANG_DISTRICTS`` or the shipped list."""
    return _districts(os.environ.get(DISTRICTS_ENV, ""))


@cache
def _districts(path: str) -> frozenset[str]:
    try:
        if path:
            text = Path(path).read_text("utf-8-sig")
        else:
            text = (
                resources.files("lianzhang.core").joinpath("data/districts.csv").read_text("utf-8")
            )
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(
            f"无法读取区县名单 {path}（{DISTRICTS_ENV}）：{exc}",
            f"cannot read the district list {path} ({DISTRICTS_ENV}): {exc}",
        ) from None
    names = [line.split(",")[0].strip() for line in text.splitlines()]
    found = frozenset(n for n in names if n and not n.startswith("#"))
    if not found:
        raise ValidationError(
            f"区县名单为空：{path or 'core/data/districts.csv'}",
            f"the district list is empty: {path or 'core/data/districts.csv'}",
        )
    return found


def check_district(name: str, known: frozenset[str]) -> None:
    if name not in known:
        shown = "、".join(sorted(known)[:5])
        raise ValidationError(
            f"不是本市的区（市）县：{brief(name)}（如：{shown}……）",
            f"not a district of this city: {brief(name)} (e.g. {', '.join(sorted(known)[:5])}…)",
        )
