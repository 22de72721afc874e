"""Compile a policy, as of a date, into a plan of Polars column expressions.

``compile_policy`` resolves the policy's dated parameters (or what-if overrides), then
compiles its score tables, criteria and award with ``compile.compile_expr`` into the
five stages of a ``plan.Plan`` (:data:`Compiled` is that plan with Polars expressions).
``evaluation.run_query`` runs the stages of all policies in one lazy query over the
joined input frame (``inputs``), so Polars evaluates the library in parallel, once.
One enterprise on a web page is the same query over a one-row frame.

Columns of the wide result (``Evaluation.frame``), per policy ``p``:
``p|ok`` (Boolean: true eligible, false ineligible, null undetermined), ``p|award``
(Int64 fen), ``p|c|<criterion>`` (Boolean), ``p|c|<criterion>|v`` (the value, Float64 in
yuan or as a fraction), ``p|c|<criterion>|t`` (a threshold that varies by enterprise),
``p|s|<table>|<item>`` (Int64 thousandths of a point), ``p|s|<table>|lo`` / ``|hi``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeAlias

import polars as pl

from lianzhang.core import contract
from lianzhang.core.errors import LianzhangError

from . import syntax as ast
from .compile import compile_expr
from .inputs import Tables
from .plan import CriterionInfo, ItemInfo, Needs, Plan
from .policy import Band, Criterion, Policy, PolicyError, ScoreItem, ScoreTable, located_error
from .syntax import ExprError
from .values import (
    MILLI,
    Env,
    Exact,
    Items,
    Logic,
    Real,
    Score,
    Text,
    Value,
    arith,
    as_number,
    choose,
    compare,
    exact,
)

__all__ = ["Compiled", "Tables", "compile_policy", "parameter_values"]

#: One policy compiled as of a date, for the Polars backend.
Compiled: TypeAlias = Plan[pl.Expr]


def parameter_values(
    policy: Policy, as_of: dt.date, overrides: Mapping[str, object] | None = None
) -> dict[str, object]:
    values = {name: p.at(as_of) for name, p in policy.parameters.items()}
    for name, value in (overrides or {}).items():
        if name not in values:
            known = "、".join(values) or "（无参数）"
            raise LianzhangError(
                f"政策 {policy.id} 没有参数 {name}，可选：{known}",
                f"policy {policy.id} has no parameter {name}; one of {', '.join(values)}",
            )
        values[name] = _checked_override(policy, name, values[name], value)
    return values


KIND_ZH = {"yuan": "金额，如 100万元", "ratio": "比例，如 15%", "": "数值，如 5"}


def _kind(raw: object) -> str:
    """What a parameter value is: yuan, ratio, a plain number, bool, list or text."""
    if isinstance(raw, bool):
        return "bool"
    if isinstance(raw, list):
        return "list"
    try:
        node = ast.number(str(raw))
    except ExprError:
        return "text"
    return node.unit


def _checked_override(policy: Policy, name: str, current: object, value: object) -> object:
    """A what-if value must be of the same kind as the dated one (15% is not 15)."""
    if isinstance(value, str) and _kind(current) == "bool":
        value = {"true": True, "false": False, "是": True, "否": False}.get(value, value)
    want, got = _kind(current), _kind(value)
    if want != got:
        zh = KIND_ZH.get(want, "与原值同类的值")
        raise LianzhangError(
            f"政策 {policy.id} 的参数 {name} 应为{zh}（现值 {current}），收到 {value!r}",
            f"parameter {name} of {policy.id} must be like its current value {current}; "
            f"got {value!r}",
        )
    return value


def _param_value(policy: Policy, name: str, raw: object) -> Value:
    if isinstance(raw, bool):
        return Logic(pl.lit(raw))
    if isinstance(raw, list):
        return Items(tuple(Text(pl.lit(str(v)), str(v)) for v in raw))
    try:
        node = ast.parse(str(raw))
    except ExprError as exc:
        raise located_error(policy.path, raw, exc, f"参数 {name}") from None
    if isinstance(node, ast.Num):
        return exact(node.value, node.unit)
    if isinstance(node, ast.Unary) and isinstance(node.operand, ast.Num):
        return exact(-node.operand.value, node.operand.unit)
    return Text(pl.lit(str(raw)), str(raw))


def compile_policy(
    policy: Policy, as_of: dt.date, needs: Needs, overrides: Mapping[str, object] | None = None
) -> Compiled:
    raw = parameter_values(policy, as_of, overrides)
    out = Compiled(policy, as_of, {k: str(v) for k, v in raw.items()})
    params = {k: _param_value(policy, k, v) for k, v in raw.items()}
    env = Env(as_of, params, policy.definitions, {}, needs, compile=compile_expr)
    scores: dict[str, tuple[str, str]] = {}
    for table in policy.scores:
        _compile_table(out, table, env, scores)
    env.scores = scores
    root = _compile_criterion(out, policy.criteria, env, 0)
    out.stages[3].append(root.alias(out.col("ok")))
    if policy.award is not None:
        _compile_award(out, env, pl.col(out.col("ok")))
    return out


def _at(out: Compiled, source: object, exc: ExprError, what: str) -> PolicyError:
    return located_error(out.policy.path, source, exc, what)


@contextmanager
def _located(out: Compiled, root: ast.Node | None, what: str) -> Iterator[None]:
    """Errors while compiling ``root`` point at where it is written in the policy file."""
    try:
        yield
    except ExprError as exc:
        text = out.policy.texts.get(id(root)) if root is not None else None
        raise _at(out, text, exc, what) from None


# ---------------------------------------------------------------- scores


def _milli(node: ast.Node, v: Value) -> pl.Expr:
    n = as_number(node, v)
    if isinstance(n, Real):
        return (n.expr * MILLI).round(0).cast(pl.Int64)
    num = n.num * MILLI
    return (num if n.den is None else num // n.den).cast(pl.Int64)


def _item_points(out: Compiled, item: ScoreItem, table: ScoreTable, env: Env) -> pl.Expr:
    what = f"评分项 {table.id}.{item.id}"
    if item.points is not None:
        with _located(out, item.points, what):
            points = _milli(item.points, compile_expr(item.points, env))
    else:
        with _located(out, item.value, what):
            value = compile_expr(item.value, env) if item.value is not None else None
        op = ">=" if table.shared_end == "higher" else ">"
        chain: Any = pl
        for band in item.bands[:-1]:
            with _located(out, band.when if band.when is not None else band.start, what):
                test = _band_test(band, op, value, env)
            chain = chain.when(test.is_null()).then(None).when(test)
            chain = chain.then(pl.lit(int(band.points * MILLI), dtype=pl.Int64))
        points = chain.otherwise(pl.lit(int(item.bands[-1].points * MILLI), dtype=pl.Int64))
        if value is not None and not item.bands[:-1]:
            points = pl.when(_known_value(value)).then(points)
    if item.cap is not None:
        points = _keep_null(points, pl.min_horizontal(points, pl.lit(int(item.cap * MILLI))))
    return points


def _band_test(band: Band, op: str, value: Value | None, env: Env) -> pl.Expr:
    if band.when is not None:
        cond = compile_expr(band.when, env)
        if not isinstance(cond, Logic):
            raise ExprError(
                band.when.line,
                band.when.col,
                "when 应为条件，如 ip_class1 >= 1",
                "when: a condition",
            )
        return cond.expr
    assert band.start is not None and value is not None
    return compare(band.start, op, value, compile_expr(band.start, env))


def _keep_null(source: pl.Expr, result: pl.Expr) -> pl.Expr:
    """min_horizontal / max_horizontal skip nulls; an unknown must stay unknown."""
    return pl.when(source.is_not_null()).then(result)


def _known_value(v: Value) -> pl.Expr:
    if isinstance(v, Exact):
        return v.num.is_not_null()
    return v.expr.is_not_null() if isinstance(v, Real | Logic | Text) else pl.lit(True)


def _compile_table(
    out: Compiled, table: ScoreTable, env: Env, scores: dict[str, tuple[str, str]]
) -> None:
    groups: dict[str, tuple[list[pl.Expr], list[pl.Expr]]] = {}
    for item in table.items:
        name = out.col("s", table.id, item.id)
        try:
            if item.alternatives:
                alts = [_item_points(out, a, table, env) for a in item.alternatives]
                top = int(item.max_points * MILLI)
                best_known = pl.max_horizontal(alts)  # ignores unknowns
                all_known = pl.all_horizontal([a.is_not_null() for a in alts])
                points: pl.Expr = pl.when(all_known | (best_known >= top)).then(best_known)
                lo = pl.max_horizontal(
                    [
                        a.fill_null(int(x.min_points * MILLI))
                        for a, x in zip(alts, item.alternatives, strict=True)
                    ]
                )
            else:
                points = _item_points(out, item, table, env)
                lo = pl.col(name).fill_null(int(item.min_points * MILLI))
        except ExprError as exc:
            raise _at(out, None, exc, f"评分项 {table.id}.{item.id}") from None
        out.stages[0].append(points.alias(name))
        out.items.append(
            ItemInfo(table.id, item.id, item.label, item.group, float(item.max_points))
        )
        hi = pl.col(name).fill_null(int(item.max_points * MILLI))
        if item.alternatives:
            lo = pl.col(name).fill_null(lo)
        los, his = groups.setdefault(item.group, ([], []))
        los.append(lo)
        his.append(hi)
    total_lo: list[pl.Expr] = []
    total_hi: list[pl.Expr] = []
    for group, (los, his) in groups.items():
        lo, hi = pl.sum_horizontal(los), pl.sum_horizontal(his)
        cap = table.group_caps.get(group)
        if cap is not None:
            lo, hi = (pl.min_horizontal(x, pl.lit(int(cap * MILLI))) for x in (lo, hi))
        if group:
            key = f"{table.id}.{group}"
            names = (out.col("s", key, "lo"), out.col("s", key, "hi"))
            out.stages[1] += [lo.alias(names[0]), hi.alias(names[1])]
            scores[key] = names
        total_lo.append(lo)
        total_hi.append(hi)
    lo, hi = pl.sum_horizontal(total_lo), pl.sum_horizontal(total_hi)
    if table.cap is not None:
        lo, hi = (pl.min_horizontal(x, pl.lit(int(table.cap * MILLI))) for x in (lo, hi))
    names = (out.col("s", table.id, "lo"), out.col("s", table.id, "hi"))
    out.stages[1] += [lo.alias(names[0]), hi.alias(names[1])]
    scores[table.id] = names


# ---------------------------------------------------------------- criteria


def _compile_criterion(out: Compiled, c: Criterion, env: Env, depth: int) -> pl.Expr:
    """Compile a criterion; returns its expression (groups inline their children)."""
    name = out.col("c", c.id)
    if c.kind != "leaf":
        info = CriterionInfo(c.id, c.label, c.clause, c.kind, depth)
        out.criteria.append(info)
        parts = [_compile_criterion(out, child, env, depth + 1) for child in c.children]
        value = parts[0]
        for other in parts[1:]:
            value = value & other if c.kind == "all" else value | other
        value = ~value if c.kind == "not" else value
        out.stages[3].append(value.alias(name))
        return value
    if c.manual or c.expr is None:
        out.stages[2].append(pl.lit(None, dtype=pl.Boolean).alias(name))
        out.criteria.append(CriterionInfo(c.id, c.label, c.clause, "leaf", depth, manual=True))
        return pl.col(name)
    try:
        info = _compile_leaf(out, c, c.expr, env, depth)
    except ExprError as exc:
        raise _at(out, c.source, exc, f"条件 {c.id}") from None
    out.criteria.append(info)
    return pl.col(name)


def _compile_leaf(
    out: Compiled, c: Criterion, node: ast.Node, env: Env, depth: int
) -> CriterionInfo:
    name = out.col("c", c.id)
    comparable = isinstance(node, ast.Compare) and node.op in (">=", ">", "<=", "<")
    if not comparable:
        value = compile_expr(node, env)
        if not isinstance(value, Logic):
            raise ExprError(
                node.line, node.col, "条件应为真假判断，如 a >= b", "expected a condition"
            )
        out.stages[2].append(value.expr.alias(name))
        return CriterionInfo(c.id, c.label, c.clause, "leaf", depth)
    assert isinstance(node, ast.Compare)
    left, right = compile_expr(node.left, env), compile_expr(node.right, env)
    out.stages[2].append(compare(node, node.op, left, right).alias(name))
    shown, unit = _display(node.left, left)
    threshold, _ = _display(node.right, right)
    out.stages[2].append(shown.alias(name + "|v"))
    const = _constant(right)
    if const is None:
        out.stages[2].append(threshold.alias(name + "|t"))
    ratio = _ratio_line(out, name, node, left, env)
    measure = measure_of(node.left, env) or measure_of(node.right, env)
    return CriterionInfo(
        c.id,
        c.label,
        c.clause,
        "leaf",
        depth,
        node.op,
        unit,
        const,
        const is None,
        ratio=ratio,
        measure=measure if unit != "ratio" else "",
    )


#: Counts whose contract field carries no unit (the header must not change): what they count.
COUNTED = {
    "ip_class1": "件",
    "ip_class1_self": "件",
    "ip_class1_high_value": "件",
    "ip_class2": "件",
    "standards_led": "项",
    "tech_conversions": "项",
    "digital_level": "级",
    "market_rank_domestic": "名",
    "market_rank_global": "名",
    "innovation_score": "分",
    "local_feature_score": "分",
    "specialization_dev_score": "分",
}
_SAME_MEASURE = {"min", "max", "abs", "floor", "coalesce", "sum_years", "avg_years"}


def measure_of(node: ast.Node, env: Env | None, depth: int = 0) -> str:
    """What the value of ``node`` is counted in, for explanations: 人, 天, 年, 亩, 件 …;
    ``/亩`` for an amount per 亩 (亩均税收); "" for money, ratios and plain numbers.

    >>> from lianzhang.rules.syntax import parse
    >>> measure_of(parse("employees"), None), measure_of(parse("days_since(registered_on)"), None)
    ('人', '天')
    >>> measure_of(parse("tax_paid / land_mu"), None), measure_of(parse("employees * 10%"), None)
    ('/亩', '人')
    """
    if depth > 20:  # definitions referring to definitions: deep enough
        return ""
    if isinstance(node, ast.Name):
        if node.name in COUNTED:
            return COUNTED[node.name]
        if env is not None and node.name in env.definitions:
            return measure_of(env.definitions[node.name], env, depth + 1)
        for table in ("annual", "enterprises"):
            for f in contract.fields(table):
                if f.name == node.name and f.kind is not contract.Kind.MONEY:
                    return f.unit
        return ""
    if isinstance(node, ast.Call):
        if node.func == "days_since":
            return "天"
        if node.func == "years_since":
            return "年"
        if node.func == "count_true":
            return "项"
        if node.func in _SAME_MEASURE and node.args:
            return measure_of(node.args[0], env, depth + 1)
        return ""
    if isinstance(node, ast.Binary):
        if node.op in ("and", "or"):
            return ""
        left = measure_of(node.left, env, depth + 1)
        right = measure_of(node.right, env, depth + 1)
        if node.op == "/":
            if left == right:
                return ""  # a share of like things
            return f"/{right}" if right and not left else left
        return left or right
    if isinstance(node, ast.Unary):
        return measure_of(node.operand, env, depth + 1)
    return ""


def _ratio_line(out: Compiled, name: str, node: ast.Compare, left: Value, env: Env) -> float | None:
    """For ``x op y * r`` with money x, y and a constant fraction r (研发费用 ≥ 营业收入 × 3%),
    also show x / y as a percentage against r (column ``|r``); the money margin stays."""
    right = node.right
    if not (isinstance(right, ast.Binary) and right.op == "*"):
        return None
    factor = compile_expr(right.right, env)
    if not (isinstance(factor, Exact) and factor.unit == "ratio" and factor.const is not None):
        return None
    base = compile_expr(right.left, env)
    if not (isinstance(left, Exact) and left.unit == "yuan" and isinstance(base, Exact)):
        return None
    if base.unit != "yuan":
        return None
    shown, _ = _display(node, arith(node, "/", left, base))
    out.stages[2].append(shown.alias(name + "|r"))
    return float(factor.const)


DISPLAY_SCALE = 10**9  # a quotient that is not money is shown rounded to 1e-9


def _display(node: ast.Node, v: Value) -> tuple[pl.Expr, str]:
    """A value for explanations: Float64 in yuan or as a plain number.

    A quotient is rounded half up in integers (money to the fen) before it becomes a
    float, so the shown value, and the margin between two shown values, is the same
    however Polars evaluates the frame (one row or a million). A whole number of fen
    is exact as a float already.
    """
    if isinstance(v, Score):
        return (pl.when(v.lo == v.hi).then(v.lo.cast(pl.Float64) / MILLI), "points")
    n = as_number(node, v)
    divisor = 100 if n.unit == "yuan" else 1
    if isinstance(n, Real) or n.den is None:
        shown = n.expr if isinstance(n, Real) else n.num.cast(pl.Float64) / divisor
        return shown.cast(pl.Float64), n.unit
    wide = n.degree >= 2 or n.unit != "yuan"  # fen × 10⁹ or a product of columns
    kind = pl.Int128 if wide else pl.Int64
    scale = 1 if n.unit == "yuan" else DISPLAY_SCALE
    num, den = n.num.cast(kind) * scale, n.den.cast(kind)
    if not n.pos_den:
        sign = pl.when(den < 0).then(-1).otherwise(1).cast(kind)
        num, den = num * sign, den * sign
    rounded = pl.when(den != 0).then((num * 2 + den) // (den * 2))
    return rounded.cast(pl.Float64) / (divisor * scale), n.unit


def _constant(v: Value) -> float | None:
    if isinstance(v, Exact) and v.const is not None:
        return float(v.const / 100 if v.unit == "yuan" else v.const)
    return None


# ---------------------------------------------------------------- award


def _compile_award(out: Compiled, env: Env, eligible: pl.Expr) -> None:
    award = out.policy.award
    assert award is not None
    with _located(out, award.amount, "award.amount"):
        amount = as_number(award.amount, compile_expr(award.amount, env))
        if amount.unit != "yuan":
            raise ExprError(
                award.amount.line,
                award.amount.col,
                "奖励金额应为金额，如 rd_expense * rate 或 20万元",
                "the award must be money, e.g. rd_expense * rate or 20万元",
            )
    cap = None
    if award.cap is not None:
        with _located(out, award.cap, "award.cap"):
            cap = as_number(award.cap, compile_expr(award.cap, env))
            capped = choose(award.cap, compare(award.cap, "<=", amount, cap), amount, cap)
            amount = as_number(award.cap, capped)
    out.stages[4].append(
        pl.when(eligible)
        .then(_round_fen(amount, award.step_fen, award.rounding, cap))
        .alias(out.col("award"))
    )


def _round_fen(amount: Exact | Real, step: int, mode: str, cap: Exact | Real | None) -> pl.Expr:
    """Exact money in fen, rounded to ``step`` fen (down or half up), never above the cap."""
    if isinstance(amount, Real):
        num = (amount.expr * 100).round(0).cast(pl.Int64)
        den = pl.lit(1, dtype=pl.Int64)
    else:
        kind = pl.Int128 if amount.degree >= 2 else pl.Int64  # fen × a rate fits in Int64
        num = amount.num.cast(kind)
        den = (amount.den if amount.den is not None else pl.lit(1)).cast(kind)
        if not amount.pos_den:
            sign = pl.when(den < 0).then(-1).otherwise(1).cast(kind)
            num, den = num * sign, den * sign
    if mode == "half_up":
        rounded = (num * 2 + den * step) // (den * 2 * step) * step
    else:
        rounded = num // (den * step) * step
    rounded = rounded.clip(lower_bound=0)  # keeps an unknown unknown
    if cap is not None:
        cap_fen = _round_fen(cap, 1, "down", None)
        rounded = (
            pl.when(cap_fen.is_null())
            .then(None)
            .when(rounded > cap_fen)
            .then(cap_fen)
            .otherwise(rounded)
        )
    return rounded.cast(pl.Int64)
