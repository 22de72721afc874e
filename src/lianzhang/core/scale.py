"""规模以上 and 限额以上 (the 四上 units): the statistical size lines by GB/T 4754 大类.

The lines of 国家统计局: 规上工业 (门类 B, C, D) 主营业务收入 2000 万元; 限上批发 2000 万元,
零售 500 万元, 住宿和餐饮 200 万元; 规上服务业 2000 万元 (交通运输仓储邮政, 信息传输软件和
信息技术服务, 水利环境和公共设施管理), 1000 万元 (租赁和商务服务, 科学研究和技术服务, 教育,
卫生和社会工作), 500 万元 (房地产业除开发经营, 居民服务修理, 文化体育娱乐), all on 营业收入.
Construction and real-estate development count by licence, which the registry does not
hold: unknown. Agriculture and the rest have no such line: never above scale.

The registry, the chain maps and the web filter all use this one table.

>>> from decimal import Decimal
>>> is_above_scale("3973", main_revenue=Decimal("20000000"), revenue=None)
True
>>> is_above_scale("6513", main_revenue=None, revenue=Decimal("19999999.99"))
False
>>> is_above_scale("6513", main_revenue=None, revenue=None) is None
True
>>> is_above_scale("4710", main_revenue=Decimal("1e9"), revenue=Decimal("1e9")) is None
True
>>> is_above_scale("0111", main_revenue=Decimal("1e9"), revenue=Decimal("1e9"))
False
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import polars as pl

Basis = Literal["main_revenue", "revenue"]


@dataclass(frozen=True)
class ScaleLine:
    low: int  # first 大类 (two digits) of the range
    high: int  # last 大类 of the range
    yuan: int
    basis: Basis


LINES: tuple[ScaleLine, ...] = (
    ScaleLine(6, 46, 20_000_000, "main_revenue"),
    ScaleLine(51, 51, 20_000_000, "revenue"),
    ScaleLine(52, 52, 5_000_000, "revenue"),
    ScaleLine(53, 60, 20_000_000, "revenue"),
    ScaleLine(61, 62, 2_000_000, "revenue"),
    ScaleLine(63, 65, 20_000_000, "revenue"),
    ScaleLine(70, 70, 5_000_000, "revenue"),
    ScaleLine(71, 75, 10_000_000, "revenue"),
    ScaleLine(76, 78, 20_000_000, "revenue"),
    ScaleLine(79, 81, 5_000_000, "revenue"),
    ScaleLine(83, 84, 10_000_000, "revenue"),
    ScaleLine(86, 90, 5_000_000, "revenue"),
)
#: Counted by licence, not by a revenue line: 建筑业 (大类 47–50) and 房地产开发经营.
BY_LICENCE_MAJORS = range(47, 51)
BY_LICENCE_CLASSES = frozenset({"7010"})


def _major(industry_code: str) -> int | None:
    head = industry_code[:2]
    return int(head) if head.isdigit() else None


def line(industry_code: str) -> ScaleLine | None:
    """The size line of the enterprise's trade; None where none applies."""
    major = _major(industry_code)
    if major is None or industry_code in BY_LICENCE_CLASSES:
        return None
    return next((s for s in LINES if s.low <= major <= s.high), None)


def is_above_scale(
    industry_code: str, *, main_revenue: Decimal | None, revenue: Decimal | None
) -> bool | None:
    """规上 / 限上 by the trade's line; None when the line's figure or the trade is unknown."""
    major = _major(industry_code)
    if major in BY_LICENCE_MAJORS or industry_code in BY_LICENCE_CLASSES or major is None:
        return None
    found = line(industry_code)
    if found is None:
        return False
    value = main_revenue if found.basis == "main_revenue" else revenue
    return None if value is None else bool(value >= found.yuan)


def expression(
    *, code: str = "industry_code", main_revenue: str = "main_revenue", revenue: str = "revenue"
) -> pl.Expr:
    """The same test on a frame whose money columns are integer fen (null when unknown)."""
    major = pl.col(code).str.slice(0, 2).cast(pl.Int64, strict=False)
    by_licence = major.is_between(BY_LICENCE_MAJORS.start, BY_LICENCE_MAJORS.stop - 1) | pl.col(
        code
    ).is_in(list(BY_LICENCE_CLASSES))
    columns = {"main_revenue": main_revenue, "revenue": revenue}
    expr: Any = pl.when(by_licence | major.is_null()).then(None)  # Then, then ChainedThen
    for s in LINES:
        inside = major.is_between(s.low, s.high)
        figure = pl.col(columns[s.basis])
        expr = expr.when(inside & figure.is_not_null()).then(figure >= s.yuan * 100)
        expr = expr.when(inside).then(None)
    result: pl.Expr = expr.otherwise(False)
    return result
