"""The typed values an expression compiles to, and the operations every compiler shares.

A compiled expression is a :data:`Value`: an exact number (:class:`Exact`, a numerator
and an optional denominator, money in fen), a Float64 number (:class:`Real`), a
condition (:class:`Logic`), text, a date, a list or a score interval, each wrapping
Polars expressions. :func:`arith`, :func:`compare` and :func:`choose` combine values with
exact, three-valued semantics; :class:`Env` is what names mean while compiling. The
expression compiler (``compile``) and the function library (``functions``) both build on
this module, so neither imports the other's internals; a function compiles its
arguments through ``env.compile``.

Numbers stay exact. A quotient such as ``rd_expense / revenue`` is kept as a numerator
and a denominator, and a comparison ``rd_expense / revenue >= 3%`` is decided by
cross-multiplication in 128-bit integers, so a boundary written （含） in the legal text
is met exactly. Products of more than two columns fall back to Float64.

>>> exact(Fraction(3, 100), "ratio").const
Fraction(3, 100)
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

import polars as pl

from . import syntax as ast
from .plan import Needs
from .syntax import ExprError

# ---------------------------------------------------------------- values


@dataclass(frozen=True)
class Exact:
    """An exact number num/den (den None means 1). Money is in fen."""

    num: pl.Expr
    den: pl.Expr | None
    unit: str  # "yuan", "ratio" or ""
    degree: int  # how many column factors were multiplied (overflow guard)
    const: Fraction | None = None
    pos_den: bool = True  # the denominator is known positive (made of positive literals)


@dataclass(frozen=True)
class Real:
    """A Float64 number in display units (yuan for money)."""

    expr: pl.Expr
    unit: str


@dataclass(frozen=True)
class Logic:
    """A condition: Boolean, null when unknown."""

    expr: pl.Expr


@dataclass(frozen=True)
class Text:
    """Text; ``const`` when it is a literal."""

    expr: pl.Expr
    const: str | None = None


@dataclass(frozen=True)
class Day:
    """A date."""

    expr: pl.Expr


@dataclass(frozen=True)
class Items:
    """A list literal, for ``in`` and ``not in``."""

    values: tuple[Value, ...]


@dataclass(frozen=True)
class Score:
    """A score known to lie between lo and hi (Int64 thousandths of a point)."""

    lo: pl.Expr
    hi: pl.Expr


Value = Exact | Real | Logic | Text | Day | Items | Score
Number = Exact | Real

TYPE_ZH = {
    Exact: "数值",
    Real: "数值",
    Logic: "条件",
    Text: "文本",
    Day: "日期",
    Items: "列表",
    Score: "得分",
}
MILLI = 1000  # scores are stored in thousandths of a point, exactly


def exact(value: Fraction, unit: str = "") -> Exact:
    """A constant."""
    den = None if value.denominator == 1 else pl.lit(value.denominator, dtype=pl.Int64)
    return Exact(pl.lit(value.numerator, dtype=pl.Int64), den, unit, 0, value)


@dataclass
class Env:
    """What names mean while compiling one policy as of one date.

    ``compile`` is the expression compiler itself (``compile.compile_expr``), handed in
    so that functions can compile their arguments without importing the compiler.
    """

    as_of: dt.date
    params: Mapping[str, Value]
    definitions: Mapping[str, ast.Node]
    scores: Mapping[str, tuple[str, str]]  # "table" or "table.group" → (lo column, hi column)
    needs: Needs
    shift: int = 0  # years further back, inside each_year / sum_years
    expanding: tuple[str, ...] = ()
    compile: Callable[[ast.Node, Env], Value] = field(kw_only=True, repr=False)


def fail(node: ast.Node, zh: str, en: str) -> ExprError:
    """An error located at ``node``, in Chinese and English."""
    return ExprError(node.line, node.col, zh, en)


# ---------------------------------------------------------------- arithmetic


def to_real(v: Number) -> Real:
    """The number as Float64 in display units (money in yuan)."""
    if isinstance(v, Real):
        return v
    value = v.num.cast(pl.Float64)
    if v.den is not None:
        value = value / v.den.cast(pl.Float64)
    return Real(value / 100 if v.unit == "yuan" else value, v.unit)


def _wide(e: pl.Expr, degree: int) -> pl.Expr:
    return e.cast(pl.Int128) if degree >= 1 else e


def _mul_den(a: pl.Expr | None, b: pl.Expr | None) -> pl.Expr | None:
    if a is None:
        return b
    return a if b is None else a * b


def _units(node: ast.Node, op: str, a: Number, b: Number) -> str:
    if op in "+-" or op in ("cmp", "if", "min"):
        if a.unit == b.unit or "yuan" not in (a.unit, b.unit):
            return a.unit or b.unit
        for v in (a, b):  # 0 needs no unit
            if isinstance(v, Exact) and v.const == 0:
                return "yuan"
        raise fail(
            node,
            "金额不能与非金额数值相加减或比较；金额请带单位，如 100万元",
            "money cannot be added to or compared with a plain number; write money with "
            "its unit, e.g. 100万元",
        )
    if op == "*":
        if a.unit == "yuan" and b.unit == "yuan":
            raise fail(node, "金额不能相乘", "money cannot be multiplied by money")
        return "yuan" if "yuan" in (a.unit, b.unit) else a.unit or b.unit
    if a.unit == "yuan" and b.unit == "yuan":
        return "ratio"
    if b.unit == "yuan":
        raise fail(node, "不能用数值除以金额", "a plain number cannot be divided by money")
    return a.unit


def arith(node: ast.Node, op: str, a: Number, b: Number) -> Number:
    """``a op b`` for + - * /: exact while it fits, else Float64; units checked."""
    unit = _units(node, op, a, b)
    if isinstance(a, Exact) and isinstance(b, Exact):
        if a.const is not None and b.const is not None:
            if op == "/" and b.const == 0:
                raise fail(node, "除数为 0", "division by zero")
            ops: dict[str, Callable[[Fraction, Fraction], Fraction]] = {
                "+": lambda x, y: x + y,
                "-": lambda x, y: x - y,
                "*": lambda x, y: x * y,
                "/": lambda x, y: x / y,
            }
            return exact(ops[op](a.const, b.const), unit)
        return _exact_arith(op, a, b, unit) or arith(node, op, to_real(a), to_real(b))
    ra, rb = to_real(a), to_real(b)
    # Real money is in yuan; an exact literal joining it must be in yuan too (to_real did it).
    result = {"+": ra.expr + rb.expr, "-": ra.expr - rb.expr, "*": ra.expr * rb.expr}.get(op)
    if result is None:
        result = pl.when(rb.expr != 0).then(ra.expr / rb.expr)
    return Real(result, unit)


def _exact_arith(op: str, a: Exact, b: Exact, unit: str) -> Exact | None:
    """The exact result, or None when it would need more than two column factors."""
    if op in "+-":
        if a.den is None and b.den is None:
            num = a.num + b.num if op == "+" else a.num - b.num
            return Exact(num, None, unit, max(a.degree, b.degree))
        degree = a.degree + b.degree
        if degree > 2:
            return None
        an = _wide(a.num, degree) * (b.den if b.den is not None else 1)
        bn = _wide(b.num, degree) * (a.den if a.den is not None else 1)
        den = _mul_den(a.den, b.den)
        return Exact(
            an + bn if op == "+" else an - bn, den, unit, degree, None, a.pos_den and b.pos_den
        )
    degree = a.degree + b.degree
    if degree > 2:
        return None
    if op == "*":
        num = _wide(a.num, degree - 1) * _wide(b.num, degree - 1)
        den = _mul_den(a.den, b.den)
        return Exact(num, den, unit, degree, None, a.pos_den and b.pos_den)
    num = _wide(a.num, degree - 1) * (b.den if b.den is not None else 1)
    den = _wide(b.num, degree - 1) * (a.den if a.den is not None else 1)
    positive = a.pos_den and b.const is not None and b.const > 0
    return Exact(num, den, unit, degree, pos_den=positive)


def as_number(node: ast.Node, v: Value) -> Number:
    """``v`` as a number (a decided score counts), or an error at ``node``."""
    if isinstance(v, Score):
        known = pl.when(v.lo == v.hi).then(v.lo)
        return Exact(known, pl.lit(MILLI, dtype=pl.Int64), "", 1)
    if not isinstance(v, Exact | Real):
        raise fail(
            node,
            f"此处应为数值，实为{TYPE_ZH[type(v)]}",
            f"expected a number, got {type(v).__name__}",
        )
    return v


def as_logic(node: ast.Node, v: Value) -> pl.Expr:
    """``v`` as a condition, or an error at ``node``."""
    if not isinstance(v, Logic):
        raise fail(
            node,
            f"此处应为条件（如 a >= b），实为{TYPE_ZH[type(v)]}",
            f"expected a condition such as a >= b, got {type(v).__name__}",
        )
    return v.expr


# ---------------------------------------------------------------- comparisons

_FLIP = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "==": "==", "!=": "!="}


def _cmp0(e: pl.Expr, op: str) -> pl.Expr:
    return {
        ">=": e >= 0,
        ">": e > 0,
        "<=": e <= 0,
        "<": e < 0,
        "==": e == 0,
        "!=": e != 0,
    }[op]


def compare(node: ast.Node, op: str, a: Value, b: Value) -> pl.Expr:
    """``a op b`` as a three-valued Boolean, exact for exact numbers and scores."""
    if isinstance(a, Score) or isinstance(b, Score):
        return _compare_score(node, op, a, b)
    if isinstance(a, Text | Day | Logic) or isinstance(b, Text | Day | Logic):
        if type(a) is not type(b) or (isinstance(a, Logic) and op not in ("==", "!=")):
            raise fail(
                node,
                f"不能比较{TYPE_ZH[type(a)]}与{TYPE_ZH[type(b)]}",
                f"cannot compare {type(a).__name__} with {type(b).__name__}",
            )
        if isinstance(a, Text) and op not in ("==", "!="):
            raise fail(node, "文本只能用 == 或 != 比较", "text compares only with == or !=")
        x, y = a.expr, b.expr  # type: ignore[union-attr]
        return {">=": x >= y, ">": x > y, "<=": x <= y, "<": x < y, "==": x == y, "!=": x != y}[op]
    na, nb = as_number(node, a), as_number(node, b)
    _units(node, "cmp", na, nb)
    if isinstance(na, Exact) and isinstance(nb, Exact):
        degree = max(na.degree + (nb.den is not None), nb.degree + (na.den is not None))
        if degree <= 2:
            diff = _wide(na.num, 1) * (nb.den if nb.den is not None else 1) - _wide(nb.num, 1) * (
                na.den if na.den is not None else 1
            )
            den = _mul_den(na.den, nb.den)
            if den is None or (na.pos_den and nb.pos_den):
                return _cmp0(diff, op)
            return pl.when(den > 0).then(_cmp0(diff, op)).when(den < 0).then(_cmp0(diff, _FLIP[op]))
    ra, rb = to_real(na), to_real(nb)
    return _cmp0(ra.expr - rb.expr, op) if op in ("==", "!=") else compare_real(ra, rb, op)


def compare_real(a: Real, b: Real, op: str) -> pl.Expr:
    """An ordering comparison of two Float64 numbers."""
    x, y = a.expr, b.expr
    return {">=": x >= y, ">": x > y, "<=": x <= y, "<": x < y}[op]


def _compare_score(node: ast.Node, op: str, a: Value, b: Value) -> pl.Expr:
    if isinstance(b, Score) and not isinstance(a, Score):
        return _compare_score(node, _FLIP[op], b, a)
    if not isinstance(a, Score) or not isinstance(b, Exact) or b.const is None:
        raise fail(
            node, "得分只能与常数比较，如 score(total) >= 60", "compare a score with a constant"
        )
    # Bounds are whole thousandths, so x >= t ⟺ x >= ceil(t) and x > t ⟺ x > floor(t):
    # the test stays exact in integers even for a threshold such as 70.0005.
    t = b.const * MILLI
    up = pl.lit(math.ceil(t), dtype=pl.Int64)
    down = pl.lit(math.floor(t), dtype=pl.Int64)
    if op in (">=", ">"):
        yes, no = (a.lo >= up, a.hi < up) if op == ">=" else (a.lo > down, a.hi <= down)
    elif op in ("<=", "<"):
        yes, no = (a.hi <= down, a.lo > down) if op == "<=" else (a.hi < up, a.lo >= up)
    else:
        raise fail(node, "得分请用 >=、>、<=、< 比较", "compare scores with >=, >, <=, <")
    return pl.when(yes).then(pl.lit(True)).when(no).then(pl.lit(False))


def choose(node: ast.Node, cond: pl.Expr, a: Value, b: Value) -> Value:
    """``if cond then a else b``; unknown when cond is unknown."""

    def pick(x: pl.Expr, y: pl.Expr) -> pl.Expr:
        return pl.when(cond).then(x).when(~cond).then(y)

    if isinstance(a, Exact | Real | Score) and isinstance(b, Exact | Real | Score):
        na, nb = as_number(node, a), as_number(node, b)
        unit = _units(node, "if", na, nb)
        if isinstance(na, Exact) and isinstance(nb, Exact):
            one = pl.lit(1, dtype=pl.Int64)
            den_a = na.den if na.den is not None else one
            den_b = nb.den if nb.den is not None else one
            num = pick(_wide(na.num, 1), _wide(nb.num, 1))
            den = None if na.den is None and nb.den is None else pick(den_a, den_b)
            positive = na.pos_den and nb.pos_den
            return Exact(num, den, unit, max(na.degree, nb.degree), None, positive)
        return Real(pick(to_real(na).expr, to_real(nb).expr), unit)
    if type(a) is not type(b) or isinstance(a, Items):
        raise fail(
            node,
            f"if 的两个分支类型不同：{TYPE_ZH[type(a)]}与{TYPE_ZH[type(b)]}",
            "both branches of if must have the same type",
        )
    return type(a)(pick(a.expr, b.expr))  # type: ignore[union-attr, call-arg]
