"""Readable Chinese explanations of one enterprise's verdicts, criterion by criterion.

Money is shown exactly, the value and its threshold in one unit (the threshold's, so
25752.156332 万元 stands next to 2000 万元, not 元 next to 万元), the gap in its own size;
fractions as percentages; the signed margin as 超出 (room to spare) or 差 (short of the
line). For an ineligible verdict, a failed ``any`` group names only its alternative
closest to passing and how many others there are; a verdict resting on a manual or
unverified clause is labelled 须人工审核.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .evaluation import Evaluation
from .policy import Criterion

VERDICT_ZH = {
    "eligible": "符合",
    "ineligible": "不符合",
    "undetermined": "待定（缺少数据或需人工审核）",
}
MARK = {True: "✓", False: "✗", None: "？"}


def exact_yuan(value: Decimal) -> str:
    """An amount in 亿元 or 万元 when that is exact within four decimals, else in 元.

    ``format_yuan`` rounds to 0.01 万元; an explanation must not: 1999.9999 万元 is not
    2000 万元, and a margin of 1 元 must show next to it.
    """
    sign, v = ("-" if value < 0 else ""), abs(value)
    for unit, factor in (("亿元", 100_000_000), ("万元", 10_000)):
        q = v / factor
        if v >= factor and q == q.quantize(Decimal("0.0001")):
            return f"{sign}{_trim(q)} {unit}"
    return f"{sign}{_trim(v.quantize(Decimal('0.01')), grouped=True)} 元"


def _trim(v: Decimal, grouped: bool = False) -> str:
    text = f"{v:,f}" if grouped else f"{v:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def money_unit(values: list[float | None]) -> tuple[str, int]:
    """The one unit a line of money is shown in: that of its first known amount other than
    zero (the threshold, as the policy text writes it: 元, 万元 or 亿元).

    >>> money_unit([0.0, 123457.0])
    ('万元', 10000)
    """
    big = next((abs(v) for v in values if v), 0.0)  # a line of 0 元 takes the other side's
    for unit, factor in (("亿元", 100_000_000), ("万元", 10_000)):
        if big >= factor:
            return unit, factor
    return "元", 1


def in_unit(value: float, unit: tuple[str, int]) -> str:
    """An amount in the given unit, exact to the fen (trailing zeros trimmed)."""
    name, factor = unit
    fen = Decimal(str(round(value, 2)))
    if factor == 1:
        return f"{_trim(fen.quantize(Decimal('0.01')), grouped=True)} 元"
    return f"{_trim(fen / factor)} {name}"


def shown(
    value: float | None, unit: str, money: tuple[str, int] | None = None, measure: str = ""
) -> str:
    """A value in its own unit: money (in ``money``'s unit when given), a percentage, or a
    number with what it counts (``measure``: 人, 天, 亩 …; ``/亩`` for an amount per 亩).

    >>> shown(300000.0, "yuan", ("万元", 10_000), "/亩"), shown(364.0, "", measure="天")
    ('30 万元/亩', '364 天')
    >>> shown(1500000.0, ""), shown(0.026, "ratio")
    ('1500000', '2.60%')
    """
    if value is None:
        return "未知"
    if unit == "yuan":
        if money is not None:
            text = in_unit(value, money)
        else:
            text = exact_yuan(Decimal(str(round(value, 2))))
        return text + measure if measure.startswith("/") else text
    if unit == "ratio":
        return f"{value * 100:.2f}%"
    if unit == "points" and not measure:
        measure = "分"
    number = _trim(Decimal(str(round(value, 6))))  # never 1.5e+06
    if not measure:
        return number
    return f"{number}{measure}" if measure.startswith("/") else f"{number} {measure}"


def _percent(fraction: float) -> str:
    """A line such as 3% or 2.5%, as the policy writes it (trailing zeros trimmed)."""
    return f"{_trim(Decimal(str(round(fraction * 100, 6))))}%"


def _criterion_line(c: dict[str, Any]) -> str:
    indent = "  " * (c["depth"] + 1)
    line = f"{indent}{MARK[c['passed']]} {c['label']}"
    if c.get("ratio_threshold") is not None and c["ratio_threshold"] > 1:
        # x >= y × 110.25%: a growth over the years, shown as growth (两年增长 10.25%)
        grown = None if c.get("ratio") is None else c["ratio"] - 1
        line += f"：实际增长 {shown(grown, 'ratio')}，标准增长 {_percent(c['ratio_threshold'] - 1)}"
        margin = c["margin"]
        if margin is not None:
            word = "超出" if margin >= 0 else "差"
            line += f"，{word} {shown(abs(margin), c['unit'])}"
    elif c.get("ratio_threshold") is not None:
        line += f"：实际 {shown(c.get('ratio'), 'ratio')}，标准 {_percent(c['ratio_threshold'])}"
        margin = c["margin"]
        if margin is not None:
            word = "超出" if margin >= 0 else "差"
            line += f"，{word} {shown(abs(margin), c['unit'])}"
    elif c["value"] is not None or c["threshold"] is not None:
        unit, measure = c["unit"], c.get("measure") or ""
        money = money_unit([c["threshold"], c["value"]]) if unit == "yuan" else None
        value, line_ = (
            shown(c["value"], unit, money, measure),
            shown(c["threshold"], unit, money, measure),
        )
        line += f"：实际 {value}，标准 {line_}"
        margin = c["margin"]
        if margin is not None:
            word = "超出" if margin >= 0 else "差"
            line += f"，{word} {shown(abs(margin), unit, None, measure)}"  # the gap in its own size
    if c["clause"]:
        line += f"（{c['clause']}）"
    return line


def explain(evaluation: Evaluation, uscc: str) -> str:
    """The verdict of every evaluated policy for one enterprise, in readable Chinese."""
    records = evaluation.records([uscc])
    if not records:
        return f"没有找到企业 {uscc}"
    head = records[0]
    lines = [f"{head['name'] or uscc}（{uscc}），评估日期 {evaluation.as_of.isoformat()}", ""]
    for r in records:
        c = evaluation.policy(r["policy"]).policy
        lines.append(f"【{r['title']}】{c.doc_number}")
        lines.append(f"  结论：{VERDICT_ZH[r['verdict']]}")
        leaves = [x for x in r["criteria"] if x["is_leaf"]]
        if r["verdict"] == "ineligible":
            by_id = {x["id"]: x for x in r["criteria"]}
            lines.append(f"  未满足：{'；'.join(_deciding(c.criteria, by_id))}")
        elif r["verdict"] == "undetermined":
            missing = [x["label"] for x in leaves if x["passed"] is None]
            lines.append(f"  待补充数据或人工审核：{'；'.join(missing)}")
        if r["score"] is not None:
            lines.append(f"  评分：{r['score']:g} 分")
        elif r["score_min"] is not None:
            lines.append(f"  评分：{r['score_min']:g} 至 {r['score_max']:g} 分之间（部分指标未知）")
        for s in r["scores"]:
            points = "未知" if s["points"] is None else f"{s['points']:g}"
            lines.append(f"    · {s['label']}：{points} / {s['max']:g} 分")
        if r["award"] is not None:
            lines.append(f"  奖励：{exact_yuan(Decimal(r['award_fen']) / 100)}")
        if r.get("needs_review"):
            lines.append("  须人工审核：结论依赖人工审核或未核实的条款，不自动兑现、不计入应享")
        elif r["verdict"] == "eligible" and not c.auto_grant:
            lines.append("  须申报或人工审核后方可兑现（非免申即享或含未核实条件）")
        lines.extend(_criterion_line(x) for x in r["criteria"])
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _gap(node: Criterion, by_id: dict[str, dict[str, Any]]) -> tuple[int, float]:
    """How far a failed criterion is from passing: failing leaves, then the relative margin."""
    row = by_id.get(node.id, {})
    if node.kind == "leaf":
        margin, threshold = row.get("margin"), row.get("threshold")
        rel = abs(margin) / abs(threshold) if margin is not None and threshold else 1.0
        return 1, rel
    failed = [k for k in node.children if by_id.get(k.id, {}).get("passed") is False]
    if node.kind == "any":
        return min((_gap(k, by_id) for k in failed), default=(1, 1.0))
    gaps = [_gap(k, by_id) for k in failed] or [(1, 1.0)]
    return sum(g[0] for g in gaps), sum(g[1] for g in gaps)


def _deciding(node: Criterion, by_id: dict[str, dict[str, Any]]) -> list[str]:
    """The failed criteria that decide an ineligible verdict, one alternative per any-group."""
    passed = by_id.get(node.id, {}).get("passed")
    if passed is not False:
        return []
    if node.kind in ("leaf", "not"):
        return [node.label]
    if node.kind == "all":
        return [label for k in node.children for label in _deciding(k, by_id)]
    best = min(node.children, key=lambda k: _gap(k, by_id))
    others = len(node.children) - 1
    out = _deciding(best, by_id)
    if others and out:
        out[-1] += f"（最接近的备选；另有 {others} 项备选条件也未满足）"
    return out
