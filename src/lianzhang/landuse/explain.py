"""Per-firm explanations of a 亩均 result, one sentence per indicator.

>>> from lianzhang.landuse.scheme import load
>>> s = load("cn.zj.taizhou-huangyan.2022")
>>> r = {"uscc": "X", "group": "below_scale", "score": None, "class": None, "indicators": [
...     {"id": "tax_per_mu", "value": 18.1, "benchmark": 11.5932, "points": 78.06},
...     {"id": "tax_per_kwh", "value": None, "benchmark": 0.2352, "points": None}]}
>>> for line in explain(s, r): print(line)
亩均税收 18.1 万元/亩，基准 11.6，得 78.1 分（满分 50）
单位电耗税收 无数据，不能评分
未评分：有指标无数据（规下企业）
>>> explain(s, r, "en")[0]
'tax per mu 18.1 万元/亩, benchmark 11.6, 78.1 points (of 50)'
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .scheme import Item, Scheme


def number(x: float | Fraction) -> str:
    """Whole numbers as such, one decimal from 10 up, three significant digits below.

    >>> number(24.097), number(30), number(0.0302), number(2.694)
    ('24.1', '30', '0.0302', '2.69')
    """
    x = float(x)
    if x == int(x) and abs(x) < 1e12:
        return str(int(x))
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.3g}"


def _shown(item: Item, x: float) -> str:
    if item.indicator.unit == "":  # a fraction: as a percentage
        return f"{number(x * 100)}%"
    return f"{number(x)} {item.indicator.unit}"


def _line(item: Item, entry: dict[str, Any], group_zh: str, lang: str) -> str:
    ind = item.indicator
    name = ind.zh if lang == "zh" else ind.en
    full = number(item.weight)
    value, bench, points = entry["value"], entry["benchmark"], entry["points"]
    if lang == "zh":
        if value is None and points is None:
            return f"{name} 无数据，不能评分"
        if value is None:
            how = f"按{group_zh}平均" if item.missing == "group_average" else "按规则"
            return f"{name} 无数据，{how}得 {number(points)} 分（满分 {full}）"
        if points is None:
            return f"{name} {_shown(item, value)}，基准无法计算，不能评分"
        return (
            f"{name} {_shown(item, value)}，基准 {_shown(item, bench).split(' ')[0]}，"
            f"得 {number(points)} 分（满分 {full}）"
        )
    if value is None and points is None:
        return f"{name}: no data, not scored"
    if value is None:
        how = "the group's average" if item.missing == "group_average" else "the rule"
        return f"{name}: no data, {number(points)} points by {how} (of {full})"
    if points is None:
        return f"{name} {_shown(item, value)}, no benchmark, not scored"
    return (
        f"{name} {_shown(item, value)}, benchmark {_shown(item, bench).split(' ')[0]}, "
        f"{number(points)} points (of {full})"
    )


def explain(scheme: Scheme, record: dict[str, Any], lang: str = "zh") -> list[str]:
    """The sentences for one record of ``evaluate.records`` (``lang`` zh or en)."""
    gid = record["group"]
    if gid is None:
        return ["不在本方案评价范围内" if lang == "zh" else "outside the scheme's population"]
    group = scheme.group(gid)
    if group.fixed_class is not None:
        return [
            f"{group.zh}：不评分，按 {group.fixed_class} 类管理"
            if lang == "zh"
            else f"{gid}: not scored, managed as class {group.fixed_class}"
        ]
    entries = {e["id"]: e for e in record["indicators"]}
    lines = [_line(i, entries[i.indicator.id], group.zh, lang) for i in group.items]
    score, cls = record["score"], record["class"]
    if score is None:
        lines.append(
            f"未评分：有指标无数据（{group.zh}）"
            if lang == "zh"
            else f"not scored: an indicator has no data ({gid})"
        )
    elif lang == "zh":
        tail = f"，{cls} 类" if cls else ""
        lines.append(f"综合得分 {number(score)}（满分 {number(group.full_marks)}）{tail}")
    else:
        tail = f", class {cls}" if cls else ""
        lines.append(f"total {number(score)} (of {number(group.full_marks)}){tail}")
    return lines
