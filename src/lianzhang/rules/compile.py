"""Compile an expression to a typed value: vectorised Polars with three-valued logic.

``compile_expr`` walks the syntax tree (``syntax``) and returns a ``values.Value``:
names become columns of the input frame (named as in ``plan``), literals become exact
constants, operators combine values (``values.arith``, ``values.compare``), and calls go
to the function library (``functions.FUNCTIONS``). Compiling a whole policy into a plan
is ``engine.compile_policy``.

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

import difflib
from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction

import polars as pl

from lianzhang.core.contract import Kind

from . import syntax as ast
from .functions import FUNCTIONS
from .plan import Needs, annual_column, field_kinds
from .syntax import ExprError
from .values import (
    Day,
    Env,
    Exact,
    Items,
    Logic,
    Real,
    Text,
    Value,
    arith,
    as_logic,
    as_number,
    choose,
    compare,
    exact,
    fail,
)

__all__ = ["Env", "Needs", "Value", "compile_expr", "field_kinds"]


def compile_expr(node: ast.Node, env: Env) -> Value:
    """The value of ``node`` in ``env`` (raises ``ExprError`` at the offending node)."""
    handler = _HANDLERS.get(type(node))
    if handler is None:  # pragma: no cover - every node type has a handler
        raise ExprError(node.line, node.col, "不支持的表达式", "unsupported expression")
    return handler(node, env)


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
            raise fail(node, f"定义 {name} 引用了自身", f"definition {name} refers to itself")
        inner = replace(env, expanding=(*env.expanding, name), shift=env.shift + node.back)
        try:
            return compile_expr(env.definitions[name], inner)
        except ExprError as exc:
            raise fail(
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
        raise fail(node, f"未知名称 {name}{hint_zh}", f"unknown name {name}{hint_en}")
    table, kind = known[name]
    if table == "enterprises":
        if node.back:
            raise fail(node, f"{name} 不是年度指标，不能取往年值", f"{name} is not yearly")
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


def _binary(node: ast.Node, env: Env) -> Value:
    assert isinstance(node, ast.Binary)
    left, right = compile_expr(node.left, env), compile_expr(node.right, env)
    if node.op in ("and", "or"):
        a, b = as_logic(node.left, left), as_logic(node.right, right)
        return Logic(a & b if node.op == "and" else a | b)
    return arith(node, node.op, as_number(node.left, left), as_number(node.right, right))


def _unary(node: ast.Node, env: Env) -> Value:
    assert isinstance(node, ast.Unary)
    v = compile_expr(node.operand, env)
    if node.op == "not":
        return Logic(~as_logic(node.operand, v))
    n = as_number(node.operand, v)
    return arith(node, "-", exact(Fraction(0), n.unit), n)


def _compare(node: ast.Node, env: Env) -> Value:
    assert isinstance(node, ast.Compare)
    a, b = compile_expr(node.left, env), compile_expr(node.right, env)
    if node.op in ("in", "notin"):
        if not isinstance(b, Items):
            raise fail(node, 'in 后面应为列表，如 ["B", "C"]', 'in takes a list: ["B", "C"]')
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
    cond = as_logic(node.cond, compile_expr(node.cond, env))
    a, b = compile_expr(node.then, env), compile_expr(node.other, env)
    return choose(node, cond, a, b)


def _call(node: ast.Node, env: Env) -> Value:
    assert isinstance(node, ast.Call)
    spec = FUNCTIONS.get(node.func)
    if spec is None:
        close = difflib.get_close_matches(node.func, list(FUNCTIONS), n=1)
        raise fail(
            node,
            f"未知函数 {node.func}" + (f"，是否应为 {close[0]}？" if close else ""),
            f"unknown function {node.func}" + (f"; did you mean {close[0]}?" if close else ""),
        )
    allowed = set(spec.keywords)
    for key, _ in node.kwargs:
        if key not in allowed:
            raise fail(
                node,
                f"{node.func} 没有参数 {key}（用法：{spec.usage}）",
                f"{node.func} has no argument {key} (usage: {spec.usage})",
            )
    if not spec.min_args <= len(node.args) <= spec.max_args:
        raise fail(
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
