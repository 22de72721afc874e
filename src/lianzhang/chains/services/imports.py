"""Importing the tables chain analysis rests on: purchases, outside companies, listings.

Each import replaces what it covers and writes nothing when a row is bad. Files are read
with ``lianzhang.core.tables.read_records`` (CSV in UTF-8 or GB18030, or Excel), so these
functions only map columns and check values.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from lianzhang.core.errors import ValidationError
from lianzhang.core.money import parse_yuan
from lianzhang.core.tables import read_records
from lianzhang.enterprises.models import Enterprise

from ..models import Chain, Listing, OutsideCompany, RegionValue, SupplyRelation
from .linking import matcher_for

# -- supply relations and outside companies -------------------------------------------

SUPPLY_HEADERS = {
    "buyer_uscc": ("buyer_uscc", "采购方统一社会信用代码", "采购方"),
    "supplier_uscc": ("supplier_uscc", "供应方统一社会信用代码"),
    "supplier_name": ("supplier_name", "供应方名称", "供应商"),
    "supplier_region": ("supplier_region", "供应方所在地", "供应商所在地"),
    "product": ("product", "产品", "采购产品"),
    "amount": ("amount", "金额", "采购金额（元）", "采购金额"),
    "year": ("year", "年度", "年份"),
    "node": ("node", "节点", "产业链节点"),
}


def _column(row: dict[str, str], name: str) -> str:
    for header in SUPPLY_HEADERS[name]:
        if header in row and row[header] is not None:
            return row[header].strip()
    return ""


@transaction.atomic
def import_supply(path: str | Path, *, replace_years: bool = True) -> int:
    """Import purchases (CSV: buyer_uscc, supplier_uscc, supplier_name, supplier_region,
    product, amount (yuan), year, optional node as ``chain/node``). Suppliers found in the
    registry count as local. Without a node column, products are matched to chain nodes.
    Re-importing a year replaces it; a bad row writes nothing."""
    _, rows = read_records(path)
    known = set(Enterprise.objects.values_list("uscc", flat=True))
    matcher, nodes = matcher_for(Chain.objects.all())
    out = []
    for i, row in enumerate(rows, start=2):
        buyer = _column(row, "buyer_uscc").upper()
        if buyer not in known:
            raise ValidationError(
                f"{Path(path).name} 第 {i} 行：采购方 {buyer} 不在企业名录中",
                f"{Path(path).name} line {i}: buyer {buyer} is not in the registry",
            )
        supplier = _column(row, "supplier_uscc").upper()
        try:
            amount = parse_yuan(_column(row, "amount"))
            year = int(_column(row, "year"))
        except (ValueError, ValidationError) as exc:
            raise ValidationError(
                f"{Path(path).name} 第 {i} 行：金额或年度无效（{exc}）",
                f"{Path(path).name} line {i}: bad amount or year ({exc})",
            ) from None
        product = _column(row, "product")
        node_key = _column(row, "node")
        if node_key and node_key not in nodes:
            raise ValidationError(
                f"{Path(path).name} 第 {i} 行：没有节点 {node_key}（写作 产业链代码/节点代码）",
                f"{Path(path).name} line {i}: no node {node_key} (write chain-code/node-code)",
            )
        found = [] if node_key or not product else matcher.match(product, threshold=0.6)
        node = nodes[node_key] if node_key else (nodes[found[0].node] if found else None)
        out.append(
            SupplyRelation(  # type: ignore[misc]
                buyer_id=buyer,
                supplier_id=supplier if supplier in known else None,
                supplier_name=_column(row, "supplier_name") or supplier,
                supplier_region=_column(row, "supplier_region"),
                product=product,
                node=node,
                amount=amount,
                year=year,
            )
        )
    if replace_years:
        SupplyRelation.objects.filter(year__in={r.year for r in out}).delete()
    SupplyRelation.objects.bulk_create(out, batch_size=2000)
    return len(out)


def read_outside_companies(path: str | Path) -> list[dict[str, Any]]:
    """Outside companies from a CSV (code, name, region, revenue, products "a;b") or a
    ChainKG-style JSON Lines file of (company_code, company_name, product_name, rel_weight)."""
    path = Path(path)
    companies: dict[str, dict[str, Any]] = {}
    if path.suffix.lower() in (".json", ".jsonl"):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                rec = json.loads(line)
                code = str(rec.get("company_code", ""))[:6] or str(rec.get("company_name"))
                company = companies.setdefault(
                    code,
                    {
                        "code": code,
                        "name": rec.get("company_name", code),
                        "region": "",
                        "listed": True,
                        "revenue": None,
                        "products": [],
                    },
                )
                share = rec.get("rel_weight")
                company["products"].append(
                    {
                        "name": str(rec.get("product_name", "")).strip(),
                        "share": share
                        if isinstance(share, int | float) and 0 <= share <= 1
                        else None,
                    }
                )
        return list(companies.values())
    for row in read_records(path)[1]:
        code = (row.get("code") or row.get("代码") or row.get("name") or "").strip()
        revenue = (row.get("revenue") or row.get("营业收入") or "").strip()
        companies[code] = {
            "code": code,
            "name": (row.get("name") or row.get("企业名称") or code).strip(),
            "region": (row.get("region") or row.get("所在地") or "").strip(),
            "listed": None,
            "revenue": str(parse_yuan(revenue)) if revenue else None,
            "products": [
                {"name": p, "share": None}
                for p in (row.get("products") or row.get("主营产品") or "").split(";")
                if p.strip()
            ],
        }
    return list(companies.values())


@transaction.atomic
def import_outside_companies(path: str | Path, source: str = "") -> int:
    records = read_outside_companies(path)
    OutsideCompany.objects.filter(code__in=[r["code"] for r in records]).delete()
    OutsideCompany.objects.bulk_create(
        [
            OutsideCompany(  # type: ignore[misc]
                code=r["code"],
                name=r["name"],
                region=r["region"],
                listed=r["listed"],
                revenue=Decimal(r["revenue"]) if r["revenue"] else None,
                products=r["products"],
                source=source or Path(path).name,
            )
            for r in records
        ],
        batch_size=2000,
    )
    return len(records)


# -- listings and region × industry tables -----------------------------------------------


def _cell(row: dict[str, str], *names: str) -> str:
    return next((row[n].strip() for n in names if row.get(n) is not None), "")


def _records(path: str | Path, required: dict[str, tuple[str, ...]]) -> list[dict[str, str]]:
    """The rows of a CSV or Excel file, after checking it has the ``required`` columns."""
    path = Path(path)
    header, rows = read_records(path)
    missing = [name for name, aliases in required.items() if not set(header) & set(aliases)]
    if missing:
        wanted = "，".join(f"{n}（{'/'.join(required[n][1:]) or n}）" for n in missing)
        raise ValidationError(
            f"{path.name} 缺少列：{wanted}", f"{path.name} lacks the columns: {', '.join(missing)}"
        )
    return rows


def _csv_rows(path: str | Path, required: dict[str, tuple[str, ...]]) -> list[dict[str, str]]:
    """Rows of a CSV or Excel file renamed to canonical names; checks headers."""
    rows = _records(path, required)
    return [{name: _cell(row, *aliases) for name, aliases in required.items()} for row in rows]


LISTING_HEADERS = {
    "uscc": ("uscc", "统一社会信用代码"),
    "stock_code": ("stock_code", "证券代码", "股票代码"),
    "exchange": ("exchange", "交易所", "上市板块"),
    "listed_on": ("listed_on", "上市日期"),
}


@transaction.atomic
def import_listings(path: str | Path) -> int:
    """Replace the register of listed enterprises (uscc, stock_code, exchange, listed_on)."""
    rows = _records(path, {k: LISTING_HEADERS[k] for k in ("uscc", "stock_code")})
    known = set(Enterprise.objects.values_list("uscc", flat=True))
    out = []
    for i, raw in enumerate(rows, start=2):
        uscc = _cell(raw, *LISTING_HEADERS["uscc"]).upper()
        if uscc not in known:
            raise ValidationError(
                f"{Path(path).name} 第 {i} 行：企业 {uscc} 不在企业名录中",
                f"{Path(path).name} line {i}: enterprise {uscc} is not in the registry",
            )
        day = _cell(raw, *LISTING_HEADERS["listed_on"])
        try:
            listed_on = dt.date.fromisoformat(day) if day else None
        except ValueError:
            raise ValidationError(
                f"{Path(path).name} 第 {i} 行：上市日期 {day!r} 应为 YYYY-MM-DD",
                f"{Path(path).name} line {i}: listing date {day!r} is not YYYY-MM-DD",
            ) from None
        out.append(
            Listing(
                enterprise_id=uscc,
                stock_code=_cell(raw, *LISTING_HEADERS["stock_code"]),
                exchange=_cell(raw, *LISTING_HEADERS["exchange"]),
                listed_on=listed_on,
            )
        )
    Listing.objects.all().delete()
    Listing.objects.bulk_create(out, batch_size=2000)
    return len(out)


REGION_HEADERS = {
    "region": ("region", "区域", "地区"),
    "industry": ("industry", "产业", "行业", "产品"),
    "value": ("value", "数值", "产值"),
}


@transaction.atomic
def import_region_table(path: str | Path, dataset: str) -> int:
    """Store a region × industry table (region, industry, value) as ``dataset``, replacing
    it. Repeated (region, industry) cells are summed; an empty or negative value is an
    error (write 0 for "none": the table says nothing is unknown)."""
    if not dataset or not dataset.replace("-", "").replace("_", "").isalnum():
        raise ValidationError(
            f"数据集名 {dataset!r} 只能含字母、数字、- 和 _",
            f"dataset name {dataset!r} may hold letters, digits, - and _ only",
        )
    cells: dict[tuple[str, str], Decimal] = {}
    for i, row in enumerate(_csv_rows(path, REGION_HEADERS), start=2):
        try:
            value = Decimal(row["value"].replace(",", ""))
        except ArithmeticError:
            value = Decimal("NaN")
        if not row["region"] or not row["industry"] or not value.is_finite() or value < 0:
            raise ValidationError(
                f"{Path(path).name} 第 {i} 行：需要区域、产业和不小于 0 的数值",
                f"{Path(path).name} line {i}: needs a region, an industry and a value ≥ 0",
            )
        key = (row["region"], row["industry"])
        cells[key] = cells.get(key, Decimal(0)) + value
    RegionValue.objects.filter(dataset=dataset).delete()
    RegionValue.objects.bulk_create(
        [
            RegionValue(dataset=dataset, region=r, industry=k, value=v)
            for (r, k), v in cells.items()
        ],
        batch_size=5000,
    )
    return len(cells)
