"""Readable Chinese explanations of one enterprise's verdicts, criterion by criterion.

Money is shown as 万元/亿元 (``core.money.format_yuan``), fractions as percentages, and the
signed margin as 超出 (room to spare) or 差 (short of the line).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lianzhang.core.money import format_yuan

from .evaluation import Evaluation

VERDICT_ZH = {
    "eligible": "符合",
    "ineligible": "不符合",
    "undetermined": "待定（缺少数据或需人工审核）",
}
MARK = {True: "✓", False: "✗", None: "？"}


def shown(value: float | None, unit: str) -> str:
    if value is None:
        return "未知"
    if unit == "yuan":
        return format_yuan(Decimal(str(round(value, 2))))
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
        if r["score"] is not None:
            lines.append(f"  评分：{r['score']:g} 分")
        elif r["score_min"] is not None:
            lines.append(f"  评分：{r['score_min']:g} 至 {r['score_max']:g} 分之间（部分指标未知）")
        for s in r["scores"]:
            points = "未知" if s["points"] is None else f"{s['points']:g}"
            lines.append(f"    · {s['label']}：{points} / {s['max']:g} 分")
        if r["award"] is not None:
            lines.append(f"  奖励：{format_yuan(Decimal(str(r['award'])))}")
        if r["verdict"] == "eligible" and not c.auto_grant:
            lines.append("  须申报或人工审核后方可兑现（非免申即享或含未核实条件）")
        lines.extend(_criterion_line(x) for x in r["criteria"])
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
