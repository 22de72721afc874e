"""Compile expressions to vectorised Polars expressions with three-valued (Kleene) logic.

Numbers stay exact. Money columns are integer fen; a quotient such as
``rd_expense / revenue`` is kept as a numerator and a denominator, and a comparison
``rd_expense / revenue >= 3%`` is decided by cross-multiplication in 128-bit integers,
so a boundary written （含） in the legal text is met exactly. Fraction and decimal
columns (market share, scores) are Float64 parsed from decimal text and compared with
thresholds parsed the same way. Products of more than two columns fall back to Float64.

Unknown (null) propagates: ``false and unknown`` is false, ``true or unknown`` is true,
every other use of an unknown is unknown. A quotient by zero is unknown too; guard it
with ``if revenue > 0 then … else …`` where the legal text says what happens.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import cache

import polars as pl

from lianzhang.core import gbt4754
from lianzhang.core.contract import AWARD_KINDS, HONOUR_TITLES, Kind, fields

from . import expr as ast
from .expr import ExprError

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
    expr: pl.Expr


@dataclass(frozen=True)
class Text:
    expr: pl.Expr
    const: str | None = None


@dataclass(frozen=True)
class Day:
    expr: pl.Expr


@dataclass(frozen=True)
class Items:
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
    den = None if value.denominator == 1 else pl.lit(value.denominator, dtype=pl.Int64)
    return Exact(pl.lit(value.numerator, dtype=pl.Int64), den, unit, 0, value)


# ---------------------------------------------------------------- columns the policies need


@dataclass
class Needs:
    """Columns a compiled library reads, gathered while compiling."""

    enterprise: set[str] = field(default_factory=set)
    annual: set[tuple[str, int]] = field(default_factory=set)  # (field, years back ≥ 1)
    titles: set[str] = field(default_factory=set)
    awards: set[tuple[str, int, int]] = field(default_factory=set)  # (kind, years, top)


@cache
def field_kinds() -> dict[str, tuple[str, Kind]]:
    """Every field a policy may name → (table, kind)."""
    out: dict[str, tuple[str, Kind]] = {}
    for table in ("annual", "enterprises"):
        for f in fields(table):
            if f.name not in ("uscc", "year"):
                out[f.name] = (table, f.kind)
    return out


def annual_column(name: str, back: int) -> str:
    return f"{name}@{back}"


def title_column(title: str) -> str:
    return f"holds:{title}"


def award_column(kind: str, years: int, top: int) -> str:
    return f"award:{kind}:{years}:{top}"


# ---------------------------------------------------------------- environment


@dataclass
class Env:
    """What names mean while compiling one policy as of one date."""

    as_of: dt.date
    params: Mapping[str, Value]
    definitions: Mapping[str, ast.Node]
    scores: Mapping[str, tuple[str, str]]  # "table" or "table.group" → (lo column, hi column)
    needs: Needs
    shift: int = 0  # years further back, inside each_year / sum_years
    expanding: tuple[str, ...] = ()


def compile_expr(node: ast.Node, env: Env) -> Value:
    handler = _HANDLERS.get(type(node))
    if handler is None:  # pragma: no cover - every node type has a handler
        raise ExprError(node.line, node.col, "不支持的表达式", "unsupported expression")
    return handler(node, env)


def _fail(node: ast.Node, zh: str, en: str) -> ExprError:
    return ExprError(node.line, node.col, zh, en)


def _num(node: ast.Node, env: Env) -> Value:
    assert isinstance(node, ast.Num)
    return exact(node.value, node.unit)


def _str(node: ast.Node, env: Env) -> Value:
    assert isinstance(node, ast.Str)
    return Text(pl.lit(node.value), node.value)


def _bool(node: ast.Node, env: Env) -> Value:
    assert isinstance(node, ast.BoolLit)
    return Logic(pl.lit(node.value))


def _list(node: ast.Node, env: Env) -> Value:
    assert isinstance(node, ast.ListLit)
    return Items(tuple(compile_expr(item, env) for item in node.items))


def _name(node: ast.Node, env: Env) -> Value:
    assert isinstance(node, ast.Name)
    name = node.name
    if name in env.definitions:
        if name in env.expanding:
            raise _fail(node, f"定义 {name} 引用了自身", f"definition {name} refers to itself")
        inner = replace(env, expanding=(*env.expanding, name), shift=env.shift + node.back)
        try:
            return compile_expr(env.definitions[name], inner)
        except ExprError as exc:
            raise _fail(
                node, f"定义 {name} 有误：{exc.reason_zh}", f"in definition {name}: {exc.reason_en}"
            ) from None
    if name in env.params:
        return env.params[name]
    if name == "as_of":
        return Day(pl.lit(env.as_of))
    known = field_kinds()
    if name not in known:
        choices = [*known, *env.params, *env.definitions]
        close = difflib.get_close_matches(name, choices, n=1)
        hint_zh = (
            f"，是否应为 {close[0]}？" if close else "（字段见数据规范 docs/data-contract.md）"
        )
        hint_en = f"; did you mean {close[0]}?" if close else " (fields: docs/data-contract.md)"
        raise _fail(node, f"未知名称 {name}{hint_zh}", f"unknown name {name}{hint_en}")
    table, kind = known[name]
    if table == "enterprises":
        if node.back:
            raise _fail(node, f"{name} 不是年度指标，不能取往年值", f"{name} is not yearly")
        env.needs.enterprise.add(name)
        column = pl.col(name)
    else:
        back = 1 + env.shift + node.back
        env.needs.annual.add((name, back))
        column = pl.col(annual_column(name, back))
    if kind is Kind.MONEY:
        return Exact(column, None, "yuan", 1)
    if kind is Kind.INT:
        return Exact(column, None, "", 1)
    if kind in (Kind.FRACTION, Kind.DECIMAL):
        return Real(column, "ratio" if kind is Kind.FRACTION else "")
    if kind is Kind.BOOL:
        return Logic(column)
    if kind is Kind.DATE:
        return Day(column)
    return Text(column)


# ---------------------------------------------------------------- arithmetic


def to_real(v: Number) -> Real:
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
        raise _fail(
            node,
            "金额不能与非金额数值相加减或比较；金额请带单位，如 100万元",
            "money cannot be added to or compared with a plain number; write money with "
            "its unit, e.g. 100万元",
        )
    if op == "*":
        if a.unit == "yuan" and b.unit == "yuan":
            raise _fail(node, "金额不能相乘", "money cannot be multiplied by money")
        return "yuan" if "yuan" in (a.unit, b.unit) else a.unit or b.unit
    if a.unit == "yuan" and b.unit == "yuan":
        return "ratio"
    if b.unit == "yuan":
        raise _fail(node, "不能用数值除以金额", "a plain number cannot be divided by money")
    return a.unit


def arith(node: ast.Node, op: str, a: Number, b: Number) -> Number:
    unit = _units(node, op, a, b)
    if isinstance(a, Exact) and isinstance(b, Exact):
        if a.const is not None and b.const is not None:
            if op == "/" and b.const == 0:
                raise _fail(node, "除数为 0", "division by zero")
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


def _binary(node: ast.Node, env: Env) -> Value:
    assert isinstance(node, ast.Binary)
    left, right = compile_expr(node.left, env), compile_expr(node.right, env)
    if node.op in ("and", "or"):
        a, b = _logic(node.left, left), _logic(node.right, right)
        return Logic(a & b if node.op == "and" else a | b)
    return arith(node, node.op, _number(node.left, left), _number(node.right, right))


def _number(node: ast.Node, v: Value) -> Number:
    if isinstance(v, Score):
        known = pl.when(v.lo == v.hi).then(v.lo)
        return Exact(known, pl.lit(MILLI, dtype=pl.Int64), "", 1)
    if not isinstance(v, Exact | Real):
        raise _fail(
            node,
            f"此处应为数值，实为{TYPE_ZH[type(v)]}",
            f"expected a number, got {type(v).__name__}",
        )
    return v


def _logic(node: ast.Node, v: Value) -> pl.Expr:
    if not isinstance(v, Logic):
        raise _fail(
            node,
            f"此处应为条件（如 a >= b），实为{TYPE_ZH[type(v)]}",
            f"expected a condition such as a >= b, got {type(v).__name__}",
        )
    return v.expr


def _unary(node: ast.Node, env: Env) -> Value:
    assert isinstance(node, ast.Unary)
    v = compile_expr(node.operand, env)
    if node.op == "not":
        return Logic(~_logic(node.operand, v))
    n = _number(node.operand, v)
    return arith(node, "-", exact(Fraction(0), n.unit), n)


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
    if isinstance(a, Score) or isinstance(b, Score):
        return _compare_score(node, op, a, b)
    if isinstance(a, Text | Day | Logic) or isinstance(b, Text | Day | Logic):
        if type(a) is not type(b) or (isinstance(a, Logic) and op not in ("==", "!=")):
            raise _fail(
                node,
                f"不能比较{TYPE_ZH[type(a)]}与{TYPE_ZH[type(b)]}",
                f"cannot compare {type(a).__name__} with {type(b).__name__}",
            )
        if isinstance(a, Text) and op not in ("==", "!="):
            raise _fail(node, "文本只能用 == 或 != 比较", "text compares only with == or !=")
        x, y = a.expr, b.expr  # type: ignore[union-attr]
        return {">=": x >= y, ">": x > y, "<=": x <= y, "<": x < y, "==": x == y, "!=": x != y}[op]
    na, nb = _number(node, a), _number(node, b)
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
    x, y = a.expr, b.expr
    return {">=": x >= y, ">": x > y, "<=": x <= y, "<": x < y}[op]


def _compare_score(node: ast.Node, op: str, a: Value, b: Value) -> pl.Expr:
    if isinstance(b, Score) and not isinstance(a, Score):
        return _compare_score(node, _FLIP[op], b, a)
    if not isinstance(a, Score) or not isinstance(b, Exact) or b.const is None:
        raise _fail(
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
        raise _fail(node, "得分请用 >=、>、<=、< 比较", "compare scores with >=, >, <=, <")
    return pl.when(yes).then(pl.lit(True)).when(no).then(pl.lit(False))


def _compare(node: ast.Node, env: Env) -> Value:
    assert isinstance(node, ast.Compare)
    a, b = compile_expr(node.left, env), compile_expr(node.right, env)
    if node.op in ("in", "notin"):
        if not isinstance(b, Items):
            raise _fail(node, 'in 后面应为列表，如 ["B", "C"]', 'in takes a list: ["B", "C"]')
        if isinstance(a, Text) and all(isinstance(i, Text) and i.const for i in b.values):
            found = a.expr.is_in([i.const for i in b.values if isinstance(i, Text)])
        else:
            found = pl.lit(False)
            for item in b.values:
                found = found | compare(node, "==", a, item)
        return Logic(~found if node.op == "notin" else found)
    return Logic(compare(node, node.op, a, b))


def _if(node: ast.Node, env: Env) -> Value:
    assert isinstance(node, ast.If)
    cond = _logic(node.cond, compile_expr(node.cond, env))
    a, b = compile_expr(node.then, env), compile_expr(node.other, env)
    return choose(node, cond, a, b)


def choose(node: ast.Node, cond: pl.Expr, a: Value, b: Value) -> Value:
    """``if cond then a else b``; unknown when cond is unknown."""

    def pick(x: pl.Expr, y: pl.Expr) -> pl.Expr:
        return pl.when(cond).then(x).when(~cond).then(y)

    if isinstance(a, Exact | Real | Score) and isinstance(b, Exact | Real | Score):
        na, nb = _number(node, a), _number(node, b)
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
        raise _fail(
            node,
            f"if 的两个分支类型不同：{TYPE_ZH[type(a)]}与{TYPE_ZH[type(b)]}",
            "both branches of if must have the same type",
        )
    return type(a)(pick(a.expr, b.expr))  # type: ignore[union-attr, call-arg]


def _call(node: ast.Node, env: Env) -> Value:
    assert isinstance(node, ast.Call)
    from .functions import FUNCTIONS

    spec = FUNCTIONS.get(node.func)
    if spec is None:
        close = difflib.get_close_matches(node.func, list(FUNCTIONS), n=1)
        raise _fail(
            node,
            f"未知函数 {node.func}" + (f"，是否应为 {close[0]}？" if close else ""),
            f"unknown function {node.func}" + (f"; did you mean {close[0]}?" if close else ""),
        )
    allowed = set(spec.keywords)
    for key, _ in node.kwargs:
        if key not in allowed:
            raise _fail(
                node,
                f"{node.func} 没有参数 {key}（用法：{spec.usage}）",
                f"{node.func} has no argument {key} (usage: {spec.usage})",
            )
    if not spec.min_args <= len(node.args) <= spec.max_args:
        raise _fail(
            node, f"参数个数不对，用法：{spec.usage}", f"wrong arguments; usage: {spec.usage}"
        )
    return spec.impl(node, env)


_HANDLERS: dict[type, Callable[[ast.Node, Env], Value]] = {
    ast.Num: _num,
    ast.Str: _str,
    ast.BoolLit: _bool,
    ast.ListLit: _list,
    ast.Name: _name,
    ast.Binary: _binary,
    ast.Unary: _unary,
    ast.Compare: _compare,
    ast.If: _if,
    ast.Call: _call,
}


@cache
def sections() -> dict[str, str]:
    """GB/T 4754 大类 (two digits) → 门类 letter."""
    return {i.code: i.section for i in gbt4754.table().values() if i.level == 2}


def check_title(node: ast.Node, title: str) -> str:
    if title not in HONOUR_TITLES:
        raise _fail(
            node,
            f"未知称号 {title}，可选：{'、'.join(HONOUR_TITLES)}",
            f"unknown title {title}; one of {', '.join(HONOUR_TITLES)}",
        )
    return title


def check_award(node: ast.Node, kind: str) -> str:
    if kind not in AWARD_KINDS:
        raise _fail(
            node,
            f"未知奖项 {kind}，可选：{'、'.join(AWARD_KINDS)}",
            f"unknown award kind {kind}; one of {', '.join(AWARD_KINDS)}",
        )
    return kind
