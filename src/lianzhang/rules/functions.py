"""The functions of the expression language: a registry with each one's docs and arity.

``FUNCTIONS`` maps a name to a :class:`Function`: its usage line, a Chinese and an
English description, its implementation, how many positional arguments it takes and
which keywords. The compiler (``compile``) checks a call against the arity and keywords
before calling the implementation, which builds its result from ``values`` and compiles
its arguments through ``env.compile`` (so this module does not import the compiler).

The reference in ``docs/policies/expressions.md`` is generated from this table
(``python -m lianzhang.rules.reference``) and a test keeps it current.

>>> FUNCTIONS["each_year"].usage, FUNCTIONS["each_year"].min_args
('each_year(条件, 2)', 2)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cache

import polars as pl

from lianzhang.core import gbt4754
from lianzhang.core.contract import AWARD_KINDS, HONOUR_TITLES

from . import sizes
from . import syntax as ast
from .plan import award_column, grant_column, title_column
from .values import (
    Day,
    Env,
    Exact,
    Logic,
    Number,
    Real,
    Score,
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


@dataclass(frozen=True)
class Function:
    """One function: usage, docs (zh, en), implementation, arity and keywords."""

    usage: str
    zh: str
    en: str
    impl: Callable[[ast.Call, Env], Value]
    min_args: int
    max_args: int
    keywords: tuple[str, ...] = ()


def _years(node: ast.Call, index: int, default: int | None = None) -> int:
    if len(node.args) <= index:
        if default is None:
            raise fail(node, "缺少年数参数", "the number of years is missing")
        return default
    arg = node.args[index]
    if not isinstance(arg, ast.Num) or arg.value.denominator != 1 or not 1 <= arg.value <= 10:
        raise fail(arg, "年数应为 1 到 10 的整数，如 2", "years must be a whole number 1–10")
    return int(arg.value)


def _shifted(node: ast.Call, env: Env, years: int) -> list[Value]:
    return [env.compile(node.args[0], replace(env, shift=env.shift + k)) for k in range(years)]


def _each_year(node: ast.Call, env: Env) -> Value:
    parts = [as_logic(node.args[0], v) for v in _shifted(node, env, _years(node, 1))]
    out = parts[0]
    for p in parts[1:]:
        out = out & p
    return Logic(out)


def _any_year(node: ast.Call, env: Env) -> Value:
    parts = [as_logic(node.args[0], v) for v in _shifted(node, env, _years(node, 1))]
    out = parts[0]
    for p in parts[1:]:
        out = out | p
    return Logic(out)


def _sum(node: ast.Call, values: list[Value]) -> Number:
    total = as_number(node, values[0])
    for v in values[1:]:
        total = arith(node, "+", total, as_number(node, v))
    return total


def _sum_years(node: ast.Call, env: Env) -> Value:
    values = _shifted(node, env, _years(node, 1))
    since = dict(node.kwargs).get("since")
    if since is not None:
        start = env.compile(since, env)
        if not isinstance(start, Day):
            raise fail(since, "since 应为日期，如 since=registered_on", "since takes a date")
        first = env.as_of.year - 1 - env.shift  # the calendar year of values[0]
        values = [_zero_before(node, start, first - k, v) for k, v in enumerate(values)]
    return _sum(node, values)


def _zero_before(node: ast.Call, start: Day, year: int, v: Value) -> Value:
    """A year before the enterprise existed counts as 0 (实际经营期不满三年的按实际经营时间计算)."""
    n = as_number(node, v)
    before = start.expr.dt.year() > year  # unknown start: the year counts as it is
    if isinstance(n, Real):
        return Real(pl.when(before).then(pl.lit(0.0)).otherwise(n.expr), n.unit)
    zero = pl.lit(0, dtype=pl.Int64)
    return replace(n, num=pl.when(before).then(zero).otherwise(n.num), const=None)


def _avg_years(node: ast.Call, env: Env) -> Value:
    years = _years(node, 1)
    total = _sum(node, _shifted(node, env, years))
    return arith(node, "/", total, exact(Fraction(years)))


def _growth_at(node: ast.Call, env: Env, back: int) -> Number:
    now = as_number(node, env.compile(node.args[0], replace(env, shift=env.shift + back)))
    before = as_number(node, env.compile(node.args[0], replace(env, shift=env.shift + back + 1)))
    return arith(node, "/", arith(node, "-", now, before), before)


def _growth(node: ast.Call, env: Env) -> Value:
    return _growth_at(node, env, 0)


def _avg_growth(node: ast.Call, env: Env) -> Value:
    years = _years(node, 1)
    total = _growth_at(node, env, 0)
    for k in range(1, years):
        total = arith(node, "+", total, _growth_at(node, env, k))
    return arith(node, "/", total, exact(Fraction(years)))


def _extreme(node: ast.Call, env: Env, op: str) -> Value:
    values = [env.compile(a, env) for a in node.args]
    best = values[0]
    for v in values[1:]:
        best = choose(node, compare(node, op, best, v), best, v)
    return best


def _min(node: ast.Call, env: Env) -> Value:
    return _extreme(node, env, "<=")


def _max(node: ast.Call, env: Env) -> Value:
    return _extreme(node, env, ">=")


def _abs(node: ast.Call, env: Env) -> Value:
    v = as_number(node, env.compile(node.args[0], env))
    zero = exact(Fraction(0), v.unit)
    return choose(node, compare(node, ">=", v, zero), v, arith(node, "-", zero, v))


def _floor(node: ast.Call, env: Env) -> Value:
    v = as_number(node, env.compile(node.args[0], env))
    if isinstance(v, Real):
        return Real(v.expr.floor(), v.unit)
    if v.unit == "yuan":
        raise fail(node, "floor 用于个数和年数，不用于金额", "floor is for counts, not money")
    num = v.num if v.den is None else v.num // v.den
    return Exact(num, None, v.unit, v.degree)


def _known(node: ast.Call, env: Env) -> Value:
    v = env.compile(node.args[0], env)
    if isinstance(v, Exact):
        known = v.num.is_not_null() if v.den is None else v.num.is_not_null() & v.den.is_not_null()
    elif isinstance(v, Score):
        known = v.lo == v.hi
    elif isinstance(v, Real | Logic | Text | Day):
        known = v.expr.is_not_null()
    else:
        raise fail(node, "known 的参数应为字段或表达式", "known takes a field or expression")
    return Logic(known)


def _coalesce(node: ast.Call, env: Env) -> Value:
    value, default = (env.compile(a, env) for a in node.args)
    known = _known(node, env)  # compiles node.args[0] again: the same expression
    assert isinstance(known, Logic)
    return choose(node, known.expr, value, default)


def _count_true(node: ast.Call, env: Env) -> Value:
    total: pl.Expr = pl.lit(0, dtype=pl.Int64)
    for arg in node.args:
        total = total + as_logic(arg, env.compile(arg, env)).cast(pl.Int64)
    return Exact(total, None, "", 1)


def _name_arg(node: ast.Call, arg: ast.Node) -> str:
    if isinstance(arg, ast.Name) and not arg.back:
        return arg.name
    if isinstance(arg, ast.Str):
        return arg.value
    raise fail(arg, "此处应为名称，如 high_tech", "expected a name such as high_tech")


def _holds(node: ast.Call, env: Env) -> Value:
    out: pl.Expr | None = None
    for arg in node.args:
        title = check_title(arg, _name_arg(node, arg))
        env.needs.titles.add(title)
        column = pl.col(title_column(title))
        out = column if out is None else out | column
    assert out is not None
    return Logic(out)


def _granted_within(node: ast.Call, env: Env) -> Value:
    title = check_title(node.args[0], _name_arg(node, node.args[0]))
    years = _years(node, 1, default=1)
    env.needs.grants.add((title, years))
    return Logic(pl.col(grant_column(title, years)))


def _kwarg_int(node: ast.Call, key: str, default: int) -> int:
    for k, v in node.kwargs:
        if k == key:
            if not isinstance(v, ast.Num) or v.value.denominator != 1 or v.value < 1:
                raise fail(v, f"{key} 应为正整数", f"{key} must be a positive whole number")
            return int(v.value)
    return default


def _has_award(node: ast.Call, env: Env) -> Value:
    kind = check_award(node, _name_arg(node, node.args[0]))
    years, top = _kwarg_int(node, "years", 3), _kwarg_int(node, "top", 3)
    env.needs.awards.add((kind, years, top))
    return Logic(pl.col(award_column(kind, years, top)))


def _days_since(node: ast.Call, env: Env) -> Value:
    v = env.compile(node.args[0], env)
    if not isinstance(v, Day):
        raise fail(node, "days_since 的参数应为日期，如 registered_on", "days_since takes a date")
    days = (pl.lit(env.as_of) - v.expr).dt.total_days().cast(pl.Int64)
    return Exact(days, None, "", 1)


def _years_since(node: ast.Call, env: Env) -> Value:
    v = env.compile(node.args[0], env)
    if not isinstance(v, Day):
        raise fail(node, "years_since 的参数应为日期，如 registered_on", "years_since takes a date")
    day = v.expr
    month_day = day.dt.month().cast(pl.Int32) * 100 + day.dt.day().cast(pl.Int32)  # Int8 wraps
    before_anniversary = month_day > env.as_of.month * 100 + env.as_of.day
    years = (
        pl.lit(env.as_of.year) - day.dt.year().cast(pl.Int64) - before_anniversary.cast(pl.Int64)
    )
    return Exact(years.cast(pl.Int64), None, "", 1)


def _date(node: ast.Call, env: Env) -> Value:
    arg = node.args[0]
    try:
        assert isinstance(arg, ast.Str)
        return Day(pl.lit(dt.date.fromisoformat(arg.value)))
    except (AssertionError, ValueError):
        raise fail(
            arg, '日期写作 date("2026-04-01")', 'write dates as date("2026-04-01")'
        ) from None


def _section(node: ast.Call, env: Env) -> Value:
    v = env.compile(node.args[0], env)
    if not isinstance(v, Text):
        raise fail(node, "section 的参数应为行业代码", "section takes an industry code")
    return Text(v.expr.str.slice(0, 2).replace_strict(sections(), default=None))


def _is_sme(node: ast.Call, env: Env) -> Value:
    """中小企业 (not 大型) by the industry's row of the 划型标准 in force on the as-of date."""
    back = 1 + env.shift
    env.needs.enterprise.add("industry_code")
    for indicator in sizes.INDICATORS:
        env.needs.annual.add((indicator, back))
    return Logic(~sizes.is_large(env.as_of, back))  # the frame has sizes.ROW_COLUMN


def _score(node: ast.Call, env: Env) -> Value:
    key = ".".join(_name_arg(node, a) for a in node.args)
    if key not in env.scores:
        known = "、".join(env.scores) or "（本政策没有评分表）"
        raise fail(node, f"没有评分 {key}，可选：{known}", f"no score {key}; one of {known}")
    lo, hi = env.scores[key]
    return Score(pl.col(lo), pl.col(hi))


FUNCTIONS: dict[str, Function] = {
    "each_year": Function(
        "each_year(条件, 2)",
        "近 N 年每一年都满足条件（条件中的年度字段逐年取值）",
        "the condition holds in each of the last N years",
        _each_year,
        2,
        2,
    ),
    "any_year": Function(
        "any_year(条件, 3)",
        "近 N 年中任一年满足条件",
        "the condition holds in any of the last N years",
        _any_year,
        2,
        2,
    ),
    "sum_years": Function(
        "sum_years(rd_expense, 3, since=registered_on)",
        "近 N 年合计；写 since=日期 时，该日期所在年之前的年度按 0 计（按实际经营时间计算）",
        "sum over the last N years; with since=DATE, years before that date's year count as 0",
        _sum_years,
        2,
        2,
        ("since",),
    ),
    "avg_years": Function(
        "avg_years(rd_expense, 2)",
        "近 N 年平均值",
        "average over the last N years",
        _avg_years,
        2,
        2,
    ),
    "growth": Function(
        "growth(main_revenue)",
        "上年度增长率 = (上年度 − 前年) ÷ 前年",
        "last year's growth rate: (last − year before) / year before",
        _growth,
        1,
        1,
    ),
    "avg_growth": Function(
        "avg_growth(main_revenue, 2)",
        "近 N 年增长率的算术平均（需 N+1 年数据）",
        "arithmetic mean of the last N yearly growth rates (needs N+1 years)",
        _avg_growth,
        2,
        2,
    ),
    "min": Function("min(a, b, …)", "最小值", "smallest value", _min, 2, 9),
    "max": Function("max(a, b, …)", "最大值", "largest value", _max, 2, 9),
    "abs": Function("abs(x)", "绝对值", "absolute value", _abs, 1, 1),
    "floor": Function(
        "floor(segment_years / 2)",
        "向下取整（“每满 2 年得 1 分”）",
        'round down ("1 point per full 2 years")',
        _floor,
        1,
        1,
    ),
    "known": Function(
        "known(market_share)",
        "该值已知（不为空）；本身从不未知",
        "the value is known; never unknown itself",
        _known,
        1,
        1,
    ),
    "coalesce": Function(
        "coalesce(x, 0)",
        "x 未知时取默认值（仅在政策明文规定时使用）",
        "x, or the default when x is unknown (only where the policy text says so)",
        _coalesce,
        2,
        2,
    ),
    "count_true": Function(
        "count_true(a, b, c)",
        "成立的条件个数",
        "how many of the conditions hold",
        _count_true,
        1,
        9,
    ),
    "holds": Function(
        "holds(high_tech, …)",
        "评估日持有任一有效称号（称号表为完整名录；未登记有效期的按法定有效期计）",
        "holds any of the titles, valid on the as-of date (register is complete; missing "
        "valid_until uses the statutory term)",
        _holds,
        1,
        9,
    ),
    "granted_within": Function(
        "granted_within(little_giant, 1)",
        "近 N 年内（评估日之前 N 年至评估日，含评估日）新获该称号（“新认定”；默认 1 年；"
        "称号表为完整名录）",
        "the title was newly granted within the N years up to the as-of date (新认定; "
        "default 1; the register is complete)",
        _granted_within,
        1,
        2,
    ),
    "has_award": Function(
        "has_award(sci_national, years=3, top=3)",
        "近 years 年（评估年之前）获得该类奖励且排名不低于 top；评估年内授予的，"
        "授奖日期（awarded_on）不晚于评估日即计入，只有年度没有日期的为未知",
        "won that kind of award in the last `years` years, ranked within `top`; one of the "
        "evaluation year counts when awarded_on is on or before the as-of date, and is unknown "
        "without a date",
        _has_award,
        1,
        1,
        ("years", "top"),
    ),
    "days_since": Function(
        "days_since(registered_on)",
        "距评估日的天数",
        "days from the date to the as-of date",
        _days_since,
        1,
        1,
    ),
    "years_since": Function(
        "years_since(registered_on)",
        "到评估日已满的周年数（“成立满3年”写 years_since(registered_on) >= 3）",
        "whole years from the date to the as-of date",
        _years_since,
        1,
        1,
    ),
    "date": Function('date("2026-04-01")', "日期常量", "a date constant", _date, 1, 1),
    "section": Function(
        "section(industry_code)",
        "GB/T 4754 门类字母（B 采矿、C 制造、D 电力燃气水）",
        "GB/T 4754 section letter (B mining, C manufacturing, D utilities)",
        _section,
        1,
        1,
    ),
    "is_sme": Function(
        "is_sme()",
        "符合《中小企业划型标准规定》的中小企业（非大型）：按行业代码所属行业的从业人员、"
        "营业收入、资产总额（上年度）划型，表见 library/sme-size-classes.table.yaml；"
        "行业或所需指标未知时为未知",
        "a small or medium enterprise (not 大型) under the 划型标准, by the industry's row: last "
        "year's staff, revenue and total assets; unknown when the industry or a needed value is",
        _is_sme,
        0,
        0,
    ),
    "score": Function(
        "score(total) / score(total, 创新能力)",
        "评分表总分或分组得分；部分指标未知时为区间，可判定时才给出结论",
        "a scored table's total or group; an interval while items are unknown",
        _score,
        1,
        2,
    ),
}


@cache
def sections() -> dict[str, str]:
    """GB/T 4754 大类 (two digits) → 门类 letter."""
    return {i.code: i.section for i in gbt4754.table().values() if i.level == 2}


def check_title(node: ast.Node, title: str) -> str:
    if title not in HONOUR_TITLES:
        raise fail(
            node,
            f"未知称号 {title}，可选：{'、'.join(HONOUR_TITLES)}",
            f"unknown title {title}; one of {', '.join(HONOUR_TITLES)}",
        )
    return title


def check_award(node: ast.Node, kind: str) -> str:
    if kind not in AWARD_KINDS:
        raise fail(
            node,
            f"未知奖项 {kind}，可选：{'、'.join(AWARD_KINDS)}",
            f"unknown award kind {kind}; one of {', '.join(AWARD_KINDS)}",
        )
    return kind
