"""Bounds on what one request may ask for, checked where the work starts.

A date of year 9999, a payment run for year −298079 or an amount of ``1e30`` yuan is a
typing error or a probe, never a real request; left alone it runs unbounded work or fails
deep inside (a database integer out of range, ``decimal.InvalidOperation``) as a 500.
These checks refuse it up front with a clear bilingual ``ValidationError`` (400 in the API
and on pages, one line in the CLI). Pure: no Django, so the API schemas, the services and
the CLI share them.

>>> check_year(2024)
2024
>>> check_money(Decimal("12.30"))
Decimal('12.30')
>>> check_money(Decimal("1e30")).en  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
lianzhang.core.errors.ValidationError: 金额超出范围...
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .errors import ValidationError
from .money import FEN, LIMIT

#: Dates a request may name: the platform's data starts in the 1990s (the registry's oldest
#: records) and nothing is planned past this century's end.
EARLIEST = dt.date(1990, 1, 1)
LATEST = dt.date(2099, 12, 31)
#: Years of annual data, budgets and payment runs.
FIRST_YEAR = EARLIEST.year
LAST_YEAR = LATEST.year
#: Money: what ``MoneyField`` stores exactly (integer fen, far inside the Int64 range).
MONEY_LIMIT = LIMIT
#: Items in one list a request sends (names, codes, rows to act on).
MAX_ITEMS = 1000
#: Characters in one text field or cell.
MAX_TEXT = 20_000
#: Bytes in one uploaded file.
MAX_FILE_BYTES = 50 * 1024 * 1024


def check_date(value: dt.date, zh: str = "日期", en: str = "date") -> dt.date:
    """``value`` when it lies in [``EARLIEST``, ``LATEST``]; else a ``ValidationError``."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if not EARLIEST <= value <= LATEST:
        raise ValidationError(
            f"{zh}超出范围（{EARLIEST} 至 {LATEST}）：{value}",
            f"{en} out of range ({EARLIEST} to {LATEST}): {value}",
        )
    return value


def check_year(value: int, zh: str = "年度", en: str = "year") -> int:
    """``value`` when it is a year in [``FIRST_YEAR``, ``LAST_YEAR``] (never a bool)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(
            f"{zh}应为整数年份：{value!r}", f"{en} must be a whole year: {value!r}"
        )
    if not FIRST_YEAR <= value <= LAST_YEAR:
        raise ValidationError(
            f"{zh}超出范围（{FIRST_YEAR} 至 {LAST_YEAR}）：{value}",
            f"{en} out of range ({FIRST_YEAR} to {LAST_YEAR}): {value}",
        )
    return value


def check_money(
    value: Decimal, zh: str = "金额", en: str = "amount", *, negative: bool = False
) -> Decimal:
    """``value`` when it is a finite amount below ``MONEY_LIMIT``, exact to the fen, and not
    negative unless ``negative``; else a ``ValidationError``."""
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    if not value.is_finite():
        raise ValidationError(f"{zh}不是有效金额：{value}", f"{en} is not a valid amount: {value}")
    if abs(value) >= MONEY_LIMIT:
        raise ValidationError(
            f"{zh}超出范围（绝对值须小于 10^15 元）：{value}",
            f"{en} out of range (must be below 10^15 yuan in absolute value): {value}",
        )
    if value < 0 and not negative:
        raise ValidationError(f"{zh}不能为负：{value}", f"{en} cannot be negative: {value}")
    if value != value.quantize(FEN):
        raise ValidationError(
            f"{zh}最多精确到分：{value}", f"{en} is exact to the fen (0.01 yuan): {value}"
        )
    return value


def check_count(
    value: int, limit: int = MAX_ITEMS, zh: str = "数量", en: str = "count", *, low: int = 0
) -> int:
    """``value`` when ``low <= value <= limit`` (list sizes, ``k``, day counts)."""
    if not low <= value <= limit:
        raise ValidationError(
            f"{zh}超出范围（{low} 至 {limit}）：{value}",
            f"{en} out of range ({low} to {limit}): {value}",
        )
    return value


def check_size(value: int, limit: int = MAX_FILE_BYTES, zh: str = "文件", en: str = "file") -> int:
    """``value`` (bytes) when at most ``limit``; else a ``ValidationError``."""
    if value > limit:
        raise ValidationError(
            f"{zh}过大（{value} 字节，上限 {limit} 字节）",
            f"{en} too large ({value} bytes, at most {limit})",
        )
    return value


def check_text(value: str, limit: int = MAX_TEXT, zh: str = "文本", en: str = "text") -> str:
    """``value`` when at most ``limit`` characters long (a cell, a note, a statement)."""
    if len(value) > limit:
        raise ValidationError(
            f"{zh}过长（{len(value)} 字，上限 {limit} 字）",
            f"{en} too long ({len(value)} characters, at most {limit})",
        )
    return value
