"""A chain report as an Excel workbook (xlsxwriter) and as a printable page / PDF.

The PDF is the print page rendered by headless Chromium (``--print-to-pdf``): the same
HTML a browser prints, fonts embedded (Noto Sans CJK on Debian: ``fonts-noto-cjk``), no
network (every request is refused by the host-resolver rule) and no Python PDF stack.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

import xlsxwriter
from django.template.loader import render_to_string

from lianzhang.core import exports
from lianzhang.core.errors import LianzhangError
from lianzhang.core.money import format_yuan

from . import health, queries
from .queries import yuan

STATUS_COLOURS = {"covered": "#2e7d32", "weak": "#f0a020", "empty": "#c62828"}
STATUS_NAMES = {"empty": "空白", "weak": "薄弱", "covered": "覆盖"}
SEGMENT_NAMES = {"upstream": "上游", "midstream": "中游", "downstream": "下游"}


def _wan(fen: Any) -> float | None:
    """万元 for display; the exact yuan stays in the database."""
    value = yuan(fen)
    return None if value is None else float(value / 10000)


def write_excel(report: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, **exports.XLSX_TEXT})
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


# -- the chain map tree (ECharts) and the print page -------------------------------------


def money(fen: Any) -> str:
    return "—" if fen is None else format_yuan(yuan(fen))


def pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


def tree_rows(report: dict[str, Any]) -> list[tuple[dict[str, Any], int]]:
    """The report's node rows in tree order (segments 上游 → 下游), with their depth."""
    rank = {s: i for i, s in enumerate(SEGMENT_NAMES)}
    return queries.tree_order(
        report["node_table"].to_dicts(),
        lambda r: r["node_id"],
        lambda r: r["parent_id"],
        lambda r: (rank.get(r["segment"], 9) if r["parent_id"] is None else 0, r.get("order", 0)),
    )


def tree(report: dict[str, Any]) -> dict[str, Any]:
    """The chain as an ECharts tree: colour by status, size by output (else revenue)."""
    table = {r["node_id"]: r for r in report["node_table"].to_dicts()}
    children: dict[int | None, list[dict[str, Any]]] = {}
    for row in table.values():
        children.setdefault(row["parent_id"], []).append(row)
    outputs = [r["output"] or r["revenue"] or 0 for r in table.values()]
    top = max(outputs) if outputs else 0

    def node(row: dict[str, Any]) -> dict[str, Any]:
        size = row["output"] or row["revenue"] or 0
        return {
            "name": row["name"],
            "id": row["node_id"],
            "status": row["status"],
            "enterprises": row["enterprises"],
            "output": money(row["output"]),
            "symbolSize": 10 + (26 * (size / top) ** 0.5 if top else 0),
            "itemStyle": {"color": STATUS_COLOURS[row["status"]]},
            "children": [node(c) for c in children.get(row["node_id"], [])],
        }

    return {
        "name": report["chain_obj"].name,
        "id": 0,
        "symbolSize": 30,
        "itemStyle": {"color": "#1f4e79"},
        "children": [node(r) for r in children.get(None, [])],
    }


def print_context(report: dict[str, Any], gaps: list[dict[str, Any]]) -> dict[str, Any]:
    """What the print page shows; ``gaps`` from ``queries.gap_targets``."""
    nodes = [
        {
            **row,
            "indent": depth * 1.2,
            "revenue_text": money(row["revenue"]),
            "output_text": money(row["output"]),
            "growth_text": pct(row["growth"]),
            "top_share_text": pct(row["top_share"]),
            "status_name": STATUS_NAMES[row["status"]],
            "colour": STATUS_COLOURS[row["status"]],
        }
        for row, depth in tree_rows(report)
    ]
    index = report["index"]
    supply = report.get("supply") or {}
    return {
        "chain": report["chain_obj"],
        "report": report,
        "today": dt.date.today(),
        "revenue": money(report.get("revenue")),
        "output": money(report.get("output")),
        "parts": [
            {"name": health.PART_NAMES[k], "value": v, "weight": index.weights.get(k)}
            for k, v in index.parts.items()
        ],
        "nodes": nodes,
        "gaps": [{**g, "segment_name": SEGMENT_NAMES.get(g["segment"], "")} for g in gaps],
        "coverage_text": pct(report.get("coverage")),
        "masters": [{**m, "revenue": money(m["revenue"])} for m in report["masters"].to_dicts()],
        "supply_rate": supply.get("rate"),
        "supply_rate_text": pct(supply.get("rate")),
        "growth_text": pct(report.get("growth")),
        "supply_total": money(supply.get("total")) if supply.get("total") else None,
        "per_node": [
            {**r, "total": money(r["total"]), "rate_text": pct(r["rate"])}
            for r in (supply["per_node"].to_dicts() if supply.get("total") else [])
        ],
        "external": [
            {**r, "amount": money(r["amount"])}
            for r in (supply["top_external"].to_dicts() if supply.get("total") else [])
        ],
        "tree": tree(report),
    }


def print_page(
    report: dict[str, Any], gaps: list[dict[str, Any]], echarts_src: str, print_src: str = ""
) -> str:
    """The print page; ``print_src`` names the drawing script when it is not served from
    static files (the PDF is printed from a temporary folder, offline)."""
    context = print_context(report, gaps) | {"echarts_src": echarts_src, "print_src": print_src}
    return render_to_string("chains/report_print.html", context)


class PdfUnavailable(LianzhangError):
    """No Chromium to print with, or it failed."""


def chromium() -> str | None:
    found = os.environ.get("LIANZHANG_CHROMIUM") or shutil.which("chromium")
    return found or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _echarts() -> Path | None:
    path = Path(str(resources.files("lianzhang.web").joinpath("static/vendor/echarts.min.js")))
    return path if path.exists() else None


def write_pdf(report: dict[str, Any], gaps: list[dict[str, Any]], timeout: float = 120) -> bytes:
    """The print page as PDF, printed by headless Chromium with the network cut off."""
    exe = chromium()
    if exe is None:
        raise PdfUnavailable(
            "生成 PDF 需要 Chromium（apt-get install chromium）；也可打开打印版页面另存为 PDF",
            "PDF needs Chromium (apt-get install chromium); or open the print page and save "
            "it as PDF from the browser",
        )
    with tempfile.TemporaryDirectory(prefix="lianzhang-pdf-") as tmp:
        folder = Path(tmp)
        echarts = _echarts()
        if echarts is not None:
            shutil.copy(echarts, folder / "echarts.min.js")
        # the drawing script is a static file (no inline script under the CSP): copy it too
        drawing = Path(str(resources.files("lianzhang.chains").joinpath("static/chains/print.js")))
        shutil.copy(drawing, folder / "print.js")
        page = folder / "report.html"
        echarts_src = "echarts.min.js" if echarts else ""
        page.write_text(print_page(report, gaps, echarts_src, "print.js"), "utf-8")
        out = folder / "report.pdf"
        command = [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-default-browser-check",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={folder / 'profile'}",
            "--no-pdf-header-footer",
            "--virtual-time-budget=5000",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfUnavailable(f"Chromium 打印失败：{exc}", f"Chromium failed: {exc}") from None
        if not out.exists() or out.stat().st_size == 0:
            tail = done.stderr.decode("utf-8", "replace")[-400:]
            raise PdfUnavailable(f"Chromium 未生成 PDF：{tail}", f"Chromium wrote no PDF: {tail}")
        return out.read_bytes()
