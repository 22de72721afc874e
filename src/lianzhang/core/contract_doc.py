"""The data contract as Markdown: docs/data-contract.md is this text (a test keeps it current).

Regenerate with ``python -m lianzhang.core.contract_doc > docs/data-contract.md``.
"""

from __future__ import annotations

from . import cells
from .contract import CHOICE_LABELS, KEYS, TABLE_ZH, TABLES, Kind


def markdown() -> str:
    """The contract as Markdown (docs/data-contract.md is this text; a test keeps it current)."""
    kinds = {
        Kind.TEXT: "text",
        Kind.USCC: "USCC (GB 32100)",
        Kind.INDUSTRY: "GB/T 4754 小类",
        Kind.MONEY: "yuan (exact)",
        Kind.INT: "integer",
        Kind.FRACTION: "fraction",
        Kind.DECIMAL: "number",
        Kind.BOOL: "true/false",
        Kind.DATE: "YYYY-MM-DD",
        Kind.CHOICE: "one of",
    }
    lines = [
        "# Data contract / 数据规范",
        "",
        "Generated from `src/lianzhang/core/contract.py`",
        "(`python -m lianzhang.core.contract_doc > docs/data-contract.md`).",
        "Source: `shared/spec/enterprise-data.md` v1. Money in yuan, exact to the fen; ratios",
        "as fractions; an empty cell is unknown, never zero. Import headers: the Chinese header",
        "below, the Chinese name with 万元/亿元/% instead of the unit, or the English name.",
        "",
        f"Every cell: at most {cells.MAX_CELL:,} characters (Excel's limit). Numbers: full-width",
        "digits and punctuation (１２３．４５) read as ASCII; commas only in groups of three",
        f"(1,234,567; `1,2,3` is refused). Dates: {cells.DATE_MIN} to {cells.DATE_MAX}. Districts:",
        "`src/lianzhang/core/data/districts.csv`, or the file named by `LIANZHANG_DISTRICTS`",
        "(one name per line). An Excel formula without a saved value is refused.",
    ]
    for table, specs in TABLES.items():
        lines += [
            "",
            f"## `{table}` — {TABLE_ZH[table]}",
            "",
            f"Key: {', '.join(f'`{k}`' for k in KEYS[table])}",
            "",
            "| name | 中文表头 header | kind | English | notes |",
            "|---|---|---|---|---|",
        ]
        for f in specs:
            labels = CHOICE_LABELS.get(f.name, {})
            notes = ", ".join(f"`{c}` {labels.get(c, '')}".strip() for c in f.choices)
            bounds = []
            if f.minimum is None:
                bounds.append("may be negative")
            elif f.minimum != 0:
                bounds.append(f"≥ {f.minimum}")
            if f.maximum is not None:
                bounds.append(f"≤ {f.maximum}")
            if f.max_length is not None:
                bounds.append(f"≤ {f.max_length} characters")
            if f.name == "district":
                bounds.append("a district of the city's list")
            notes = "; ".join(
                x for x in [notes, ", ".join(bounds), "required" if f.required else ""] if x
            )
            lines.append(f"| `{f.name}` | {f.header} | {kinds[f.kind]} | {f.en} | {notes} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
