"""A chain report as an Excel workbook (xlsxwriter): summary, nodes, gaps, masters."""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter

from . import health
from .queries import yuan


def _wan(fen: Any) -> float | None:
    """万元 for display; the exact yuan stays in the database."""
    value = yuan(fen)
    return None if value is None else float(value / 10000)


def write_excel(report: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True})
    pct = book.add_format({"num_format": "0.0%"})
    money = book.add_format({"num_format": "#,##0.00"})
    chain = report["chain_obj"]

    sheet = book.add_worksheet("概况")
    rows: list[tuple[str, Any, Any]] = [
        ("产业链", chain.name, None),
        ("年度", report.get("year"), None),
        ("口径", report.get("basis"), None),
        ("企业数", report["enterprises"], None),
        ("营业收入（万元）", _wan(report.get("revenue")), money),
        ("工业总产值（万元）", _wan(report.get("output")), money),
        ("营收增长", report.get("growth"), pct),
        ("规上企业", report.get("above_scale"), None),
        ("专精特新", report.get("specialized"), None),
        ("小巨人", report.get("little_giant"), None),
        ("链级", report.get("tier") or "未知", None),
        ("节点覆盖率", report.get("coverage"), pct),
        ("集中度 HHI", report.get("hhi"), None),
        ("健康指数", report["index"].value, None),
    ]
    for part, value in report["index"].parts.items():
        rows.append((f"  {health.PART_NAMES[part]}", value, None))
    supply = report.get("supply") or {}
    rows.append(("本地配套率", supply.get("rate"), pct))
    for i, (label, value, fmt) in enumerate(rows):
        sheet.write(i, 0, label, bold)
        if value is None:
            sheet.write(i, 1, "未知")
        else:
            sheet.write(i, 1, value, fmt) if fmt else sheet.write(i, 1, value)
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 20)

    nodes = book.add_worksheet("节点")
    headers = [
        "环节",
        "节点",
        "企业数",
        "营收（万元）",
        "产值（万元）",
        "增长",
        "规上",
        "专精特新",
        "小巨人",
        "最大企业占比",
        "状态",
    ]
    nodes.write_row(0, 0, headers, bold)
    status = {"empty": "空白", "weak": "薄弱", "covered": "覆盖"}
    for i, r in enumerate(report["node_table"].to_dicts(), start=1):
        nodes.write_row(i, 0, [r["segment"], r["name"], r["enterprises"]])
        for j, key in ((3, "revenue"), (4, "output")):
            value = _wan(r[key])
            nodes.write(i, j, value if value is not None else "未知")
        nodes.write(i, 5, r["growth"] if r["growth"] is not None else "未知", pct)
        nodes.write_row(i, 6, [r["above_scale"], r["specialized"], r["little_giant"]])
        nodes.write(i, 9, r["top_share"] if r["top_share"] is not None else "未知", pct)
        nodes.write(i, 10, status.get(r["status"], r["status"]))
    nodes.set_column(0, 1, 18)

    gaps = book.add_worksheet("缺链环节")
    gaps.write_row(0, 0, ["环节", "节点", "状态", "企业数"], bold)
    for i, g in enumerate(report["gaps"], start=1):
        gaps.write_row(i, 0, [g["segment"], g["name"], status[g["status"]], g["enterprises"]])

    masters = book.add_worksheet("链主企业")
    masters.write_row(
        0, 0, ["企业", "统一社会信用代码", "营收（万元）", "节点数", "配套关系", "得分"], bold
    )
    for i, m in enumerate(report["masters"].to_dicts(), start=1):
        masters.write_row(
            i,
            0,
            [m["name"], m["uscc"], _wan(m["revenue"]), m["nodes"], m["ties"], round(m["score"], 3)],
        )
    book.close()
    return out.getvalue()
