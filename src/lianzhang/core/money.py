"""Exact money. Yuan as Decimal in Python, integer fen (分) in storage and in columnar data.

>>> parse_yuan("1,234.5")
Decimal('1234.50')
>>> parse_yuan("12.3456", scale=10_000)  # a cell in 万元
Decimal('123456.00')
>>> to_fen(Decimal("0.07")), from_fen(7)
(7, Decimal('0.07'))
>>> format_yuan(Decimal("482000"))
'48.2 万元'
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import ValidationError

FEN = Decimal("0.01")
#: Larger amounts are typing errors (a thousand trillion yuan); storage holds Int64 fen.
LIMIT = Decimal(10) ** 15


def parse_yuan(text: str, scale: int = 1) -> Decimal:
    """Parse an amount written in yuan (or in yuan × ``scale``), exact to the fen.

    Thousands separators and a trailing 元 are accepted; more precision than a fen is an
    error, never silently rounded.
    """
    cleaned = text.strip().replace(",", "").replace("，", "").removesuffix("元").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError(f"不是金额：{text!r}", f"not an amount: {text!r}") from None
    if not value.is_finite():
        raise ValidationError(f"不是金额：{text!r}", f"not an amount: {text!r}")
    value *= scale
    if abs(value) >= LIMIT:
        raise ValidationError(f"金额超出范围：{text!r}", f"amount out of range: {text!r}")
    if value != value.quantize(FEN):
        raise ValidationError(
            f"金额最多精确到分：{text!r}", f"amounts are exact to the fen (0.01 yuan): {text!r}"
        )
    return value.quantize(FEN)


def to_fen(yuan: Decimal) -> int:
    """Yuan to integer fen; refuses sub-fen precision."""
    fen = yuan * 100
    if fen != fen.to_integral_value():
        raise ValidationError(f"金额最多精确到分：{yuan}", f"amounts are exact to the fen: {yuan}")
    return int(fen)


def from_fen(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(FEN)


def round_yuan(value: Decimal, step: Decimal = FEN) -> Decimal:
    """Round half up to ``step`` (a fen, a yuan, 100 yuan...)."""
    return (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def format_yuan(value: Decimal) -> str:
    """Readable Chinese amount: 万元 from ten thousand, 亿元 from a hundred million."""
    sign = "-" if value < 0 else ""
    v = abs(value)
    if v >= 100_000_000:
        return f"{sign}{_trim(v / 100_000_000)} 亿元"
    if v >= 10_000:
        return f"{sign}{_trim(v / 10_000)} 万元"
    return f"{sign}{_trim(v)} 元"


def _trim(v: Decimal) -> str:
    text = f"{v.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
