"""Readable Chinese explanations of one enterprise's verdicts, criterion by criterion.

Money is shown exactly, in 万元/亿元 where that reads well, fractions as percentages, and the
signed margin as 超出 (room to spare) or 差 (short of the line).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .evaluation import Evaluation

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


def shown(value: float | None, unit: str) -> str:
    if value is None:
        return "未知"
    if unit == "yuan":
        return exact_yuan(Decimal(str(round(value, 2))))
    if unit == "ratio":
        return f"{value * 100:.2f}%"
    return f"{value:g}"


def _criterion_line(c: dict[str, Any]) -> str:
    indent = "  " * (c["depth"] + 1)
    line = f"{indent}{MARK[c['passed']]} {c['label']}"
    if c["value"] is not None or c["threshold"] is not None:
        line += f"：实际 {shown(c['value'], c['unit'])}，标准 {shown(c['threshold'], c['unit'])}"
        margin = c["margin"]
        if margin is not None:
            word = "超出" if margin >= 0 else "差"
            line += f"，{word} {shown(abs(margin), c['unit'])}"
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
            failed = [x["label"] for x in leaves if x["passed"] is False]
            lines.append(f"  未满足：{'；'.join(failed)}（满足其一即可的备选条件也列在内）")
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
        if r["verdict"] == "eligible" and not c.auto_grant:
            lines.append("  须申报或人工审核后方可兑现（非免申即享或含未核实条件）")
        lines.extend(_criterion_line(x) for x in r["criteria"])
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
