"""Use cases of the chains app: the only writers of its tables."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from lianzhang.core import gbt4754
from lianzhang.core.errors import NotFound, ValidationError
from lianzhang.core.money import parse_yuan
from lianzhang.enterprises.models import Enterprise

from . import templates
from .matching import Matcher
from .models import (
    Chain,
    EnterpriseLink,
    Kind,
    LinkStatus,
    Listing,
    Node,
    OutsideCompany,
    RegionValue,
    SupplyRelation,
)

# -- chains and templates -------------------------------------------------------------


def get_chain(code: str) -> Chain:
    chain = Chain.objects.filter(code=code).first()
    if chain is None:
        known = ", ".join(Chain.objects.values_list("code", flat=True)) or "（无 / none）"
        raise NotFound(
            f"没有产业链 {code!r}（已有：{known}；先运行 lianzhang chains load-templates）",
            f"no chain {code!r} (known: {known}; run `lianzhang chains load-templates` first)",
        )
    return chain


@transaction.atomic
def save_spec(spec: templates.ChainSpec, *, source: str = "file", order: int = 0) -> Chain:
    """Create or update a chain from a spec; nodes matched by code keep their links.

    Nodes missing from the spec are deleted with their candidate links; a node that
    holds confirmed or rejected links is kept, so an analyst's decisions survive.
    """
    chain, _ = Chain.objects.update_or_create(
        code=spec.code,
        defaults={
            "name": spec.name,
            "name_en": spec.name_en,
            "group": spec.group,
            "description": spec.description,
            "source": source,
            "order": order,
        },
    )
    existing = {n.code: n for n in chain.nodes.all()}
    kept: set[str] = set()
    for i, segment in enumerate(templates.SEGMENTS):
        seg_code = f"{spec.code}-{segment}"
        seg = _upsert_node(
            chain,
            existing,
            seg_code,
            None,
            templates.SEGMENT_NAMES[segment],
            segment,
            Kind.SEGMENT,
            i,
            [],
            [],
            [],
        )
        kept.add(seg_code)
        _place(chain, existing, kept, [n for n in spec.nodes if n.segment == segment], seg, [0])
    for code, node in existing.items():
        if code not in kept and not node.links.exclude(status=LinkStatus.CANDIDATE).exists():
            node.delete()
    return chain


def _place(
    chain: Chain,
    existing: dict[str, Node],
    kept: set[str],
    specs: list[templates.NodeSpec],
    parent: Node,
    counter: list[int],
) -> None:
    for spec in specs:
        counter[0] += 1
        node = _upsert_node(
            chain,
            existing,
            spec.code,
            parent,
            spec.name,
            spec.segment,
            spec.kind,
            counter[0],
            spec.gbt,
            spec.sei,
            spec.keywords,
        )
        kept.add(spec.code)
        _place(chain, existing, kept, spec.children, node, counter)


def _upsert_node(
    chain: Chain,
    existing: dict[str, Node],
    code: str,
    parent: Node | None,
    name: str,
    segment: str,
    kind: str,
    order: int,
    gbt: list[str],
    sei: list[str],
    keywords: list[str],
) -> Node:
    node = existing.get(code) or Node(chain=chain, code=code)
    node.parent, node.name, node.segment, node.kind, node.order = parent, name, segment, kind, order
    node.gbt_codes, node.sei_codes, node.keywords = list(gbt), list(sei), list(keywords)
    node.save()
    existing[code] = node
    return node


def load_templates(codes: Iterable[str] | None = None, *, refresh: bool = True) -> list[Chain]:
    """Load the shipped chain templates. ``refresh=False`` leaves chains already in the
    database as they are (an analyst may have edited them) and adds the missing ones."""
    wanted = set(codes) if codes else None
    have = {c.code: c for c in Chain.objects.all()}
    out = []
    for i, spec in enumerate(templates.shipped()):
        if wanted is not None and spec.code not in wanted:
            continue
        if spec.code in have and not refresh:
            out.append(have[spec.code])
        else:
            out.append(save_spec(spec, source="template", order=i))
    return out


def spec_of(chain: Chain) -> templates.ChainSpec:
    """The chain as it stands in the database, as a file spec (for export)."""
    nodes = list(chain.nodes.all())
    children: dict[int | None, list[Node]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)

    def build(node: Node, depth: int) -> templates.NodeSpec:
        return templates.NodeSpec(
            code=node.code,
            name=node.name,
            segment=node.segment,
            kind=node.kind,
            gbt=list(node.gbt_codes),
            sei=list(node.sei_codes),
            keywords=list(node.keywords),
            children=[build(c, depth + 1) for c in children.get(node.pk, [])],
            depth=depth,
        )

    top = [build(child, 1) for seg in children.get(None, []) for child in children.get(seg.pk, [])]
    return templates.ChainSpec(
        chain.code, chain.name, chain.name_en, chain.group, chain.description, top
    )


def export_chain(chain: Chain, fmt: str = "yaml") -> str:
    return templates.dump(spec_of(chain), fmt)


def import_chain(path: str | Path) -> Chain:
    return save_spec(templates.read(path), source="file")


def import_chain_text(data: bytes | str, name: str) -> Chain:
    """A chain file uploaded through the web page (YAML, or JSON by its name)."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        raw = json.loads(text) if name.lower().endswith(".json") else yaml.safe_load(text)
    except (UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise ValidationError(
            f"{name} 不是 UTF-8 的 YAML/JSON 产业链文件（{exc}）",
            f"{name} is not a UTF-8 YAML/JSON chain file ({exc})",
        ) from None
    return save_spec(templates.parse(raw, name), source="file")


# -- editing ---------------------------------------------------------------------------


def add_node(chain: Chain, parent: Node, code: str, name: str, kind: str = Kind.PRODUCT) -> Node:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", code) or not name:
        raise ValidationError(
            "节点需要名称和代码（小写字母、数字和 -）",
            "a node needs a name and a code (lower-case letters, digits and -)",
        )
    if kind not in templates.KINDS or kind == Kind.SEGMENT:
        raise ValidationError(f"节点类型 {kind!r} 无效", f"node kind {kind!r} is not valid")
    if parent.chain_id != chain.pk:
        raise ValidationError("上级节点不属于该产业链", "the parent node is in another chain")
    if chain.nodes.filter(code=code).exists():
        raise ValidationError(f"节点代码 {code} 已存在", f"node code {code} already exists")
    order = (chain.nodes.filter(parent=parent).count() + 1) * 10
    return Node.objects.create(
        chain=chain,
        parent=parent,
        code=code,
        name=name,
        segment=parent.segment,
        kind=kind,
        order=order,
    )


def _words(text: str | list[str]) -> list[str]:
    parts = text if isinstance(text, list) else re.split(r"[,，、;；\s]+", text)
    return list(dict.fromkeys(p.strip() for p in parts if p.strip()))


def update_node(node: Node, *, name: str, keywords: str | list[str], gbt: str | list[str]) -> Node:
    """Rename a node and set its matching keywords and GB/T 4754 classes (checked)."""
    if not name.strip():
        raise ValidationError("节点名称不能为空", "a node needs a name")
    codes = [gbt4754.validate_class(code) for code in _words(gbt)]
    node.name, node.keywords, node.gbt_codes = name.strip(), _words(keywords), codes
    node.save()
    return node


@transaction.atomic
def move_node(node: Node, new_parent: Node) -> Node:
    if new_parent.chain_id != node.chain_id:
        raise ValidationError("不能移到其他产业链", "a node cannot move to another chain")
    ancestor: Node | None = new_parent
    while ancestor is not None:
        if ancestor.pk == node.pk:
            raise ValidationError("不能移到自己的下级", "a node cannot move under itself")
        ancestor = ancestor.parent
    node.parent = new_parent
    node.save()
    _set_segment(node, new_parent.segment)
    return node


def _set_segment(node: Node, segment: str) -> None:
    Node.objects.filter(pk=node.pk).update(segment=segment)
    for child in node.children.all():
        _set_segment(child, segment)


@transaction.atomic
def merge_nodes(keep: Node, gone: Node) -> Node:
    """Fold ``gone`` into ``keep``: codes, keywords, children and links move over.

    A link already on ``keep`` for the same enterprise wins if it was decided.
    """
    if keep.chain_id != gone.chain_id or keep.pk == gone.pk:
        raise ValidationError("只能合并同一产业链的两个节点", "merge two nodes of one chain")
    for attr in ("gbt_codes", "sei_codes", "keywords"):
        setattr(keep, attr, list(dict.fromkeys([*getattr(keep, attr), *getattr(gone, attr)])))
    keep.keywords = list(dict.fromkeys([*keep.keywords, gone.name]))
    keep.save()
    gone.children.update(parent=keep)
    have = {lk.enterprise_id: lk for lk in keep.links.all()}
    for link in gone.links.all():
        mine = have.get(link.enterprise_id)
        if mine is None:
            link.node = keep
            link.save()
        elif mine.status == LinkStatus.CANDIDATE and link.status != LinkStatus.CANDIDATE:
            mine.status, mine.decided_by, mine.decided_at = (
                link.status,
                link.decided_by,
                link.decided_at,
            )
            mine.save()
    gone.delete()
    return keep


# -- linking ---------------------------------------------------------------------------


def matcher_for(chains: Iterable[Chain]) -> tuple[Matcher, dict[str, Node]]:
    """A matcher over the chains' non-segment nodes (keys ``chain/node``)."""
    from .matching import NodeTerms, normalise

    nodes: dict[str, Node] = {}
    terms = []
    for chain in chains:
        for node in chain.nodes.exclude(kind=Kind.SEGMENT):
            key = f"{chain.code}/{node.code}"
            nodes[key] = node
            words = [w for w in (normalise(x) for x in [node.name, *node.keywords]) if len(w) >= 2]
            products = [
                p.product
                for p in templates.sei_products_under(node.sei_codes)
                if any(w in normalise(p.product) for w in words)
            ]
            terms.append(
                NodeTerms(
                    key, node.name, tuple(node.keywords), tuple(products), tuple(node.gbt_codes)
                )
            )
    return Matcher(terms), nodes


@dataclass
class LinkReport:
    enterprises: int = 0
    created: int = 0
    updated: int = 0
    removed: int = 0
    kept_decided: int = 0
    confirmed: int = 0

    def __str__(self) -> str:
        return (
            f"企业 {self.enterprises}，新增候选 {self.created}，更新 {self.updated}，"
            f"移除过时候选 {self.removed}，保留人工决定 {self.kept_decided}，"
            f"自动确认 {self.confirmed} / enterprises {self.enterprises}, created "
            f"{self.created}, updated {self.updated}, removed {self.removed}, decided kept "
            f"{self.kept_decided}, confirmed {self.confirmed}"
        )


def link_enterprises(
    chains: Iterable[Chain] | None = None,
    enterprises: QuerySet[Enterprise] | None = None,
    *,
    threshold: float = 0.3,
    confirm_above: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> LinkReport:
    """Propose enterprise → node links; decided (confirmed/rejected) links are never touched.

    Candidates the new run no longer proposes are removed. ``confirm_above`` confirms
    new or candidate links at or above that confidence (bulk acceptance by an analyst).
    """
    chain_list = list(chains if chains is not None else Chain.objects.all())
    matcher, nodes = matcher_for(chain_list)
    node_ids = [n.pk for n in nodes.values()]
    qs = enterprises if enterprises is not None else Enterprise.objects.all()
    report = LinkReport()
    existing: dict[tuple[str, int], EnterpriseLink] = {
        (lk.enterprise_id, lk.node_id): lk
        for lk in EnterpriseLink.objects.filter(node_id__in=node_ids, enterprise__in=qs)
    }
    proposed: dict[tuple[str, int], tuple[float, list[dict[str, Any]]]] = {}
    for ent in qs.only("uscc", "main_product", "industry_code").iterator(chunk_size=2000):
        report.enterprises += 1
        for m in matcher.match_enterprise(ent.main_product, ent.industry_code, threshold):
            proposed[(ent.uscc, nodes[m.node].pk)] = (round(m.confidence, 4), m.evidence)
        if progress and report.enterprises % 1000 == 0:
            progress(1000)
    now = timezone.now()
    new, changed = [], []
    for key, (conf, evidence) in proposed.items():
        link = existing.get(key)
        confirm = confirm_above is not None and conf >= confirm_above
        if link is None:
            link = EnterpriseLink(
                enterprise_id=key[0],
                node_id=key[1],
                confidence=conf,
                evidence=evidence,
                method="auto",
                status=LinkStatus.CONFIRMED if confirm else LinkStatus.CANDIDATE,
                decided_at=now if confirm else None,
            )
            new.append(link)
            report.confirmed += int(confirm)
        elif link.status != LinkStatus.CANDIDATE:
            report.kept_decided += 1
        elif confirm or link.confidence != conf or link.evidence != evidence:
            link.confidence, link.evidence = conf, evidence
            if confirm:
                link.status, link.decided_at = LinkStatus.CONFIRMED, now
                report.confirmed += 1
            changed.append(link)
    stale = [
        lk.pk
        for key, lk in existing.items()
        if key not in proposed and lk.status == LinkStatus.CANDIDATE
    ]
    report.kept_decided += sum(
        1
        for key, lk in existing.items()
        if key not in proposed and lk.status != LinkStatus.CANDIDATE
    )
    with transaction.atomic():
        EnterpriseLink.objects.bulk_create(new, batch_size=2000)
        EnterpriseLink.objects.bulk_update(
            changed, ["confidence", "evidence", "status", "decided_at"], batch_size=2000
        )
        for i in range(0, len(stale), 5000):
            EnterpriseLink.objects.filter(pk__in=stale[i : i + 5000]).delete()
    report.created, report.updated, report.removed = len(new), len(changed), len(stale)
    return report


def decide_link(
    link: EnterpriseLink, status: str, user: Any = None, note: str = ""
) -> EnterpriseLink:
    if status not in LinkStatus.values:
        raise ValidationError(
            f"状态 {status!r} 无效", f"status {status!r} is not one of {LinkStatus.values}"
        )
    link.status = status
    link.decided_by = user if getattr(user, "is_authenticated", False) else None
    link.decided_at = timezone.now() if status != LinkStatus.CANDIDATE else None
    link.note = note or link.note
    link.save()
    return link


def add_manual_link(enterprise: Enterprise, node: Node, user: Any = None) -> EnterpriseLink:
    link, _ = EnterpriseLink.objects.get_or_create(
        enterprise=enterprise,
        node=node,
        defaults={
            "confidence": 1.0,
            "method": "manual",
            "evidence": [{"kind": "manual", "term": node.name}],
        },
    )
    return decide_link(link, LinkStatus.CONFIRMED, user)


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
    text = Path(path).read_text("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
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
    for row in csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))):
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


def _csv_rows(path: str | Path, required: dict[str, tuple[str, ...]]) -> list[dict[str, str]]:
    """Rows of a CSV (UTF-8, BOM allowed) renamed to canonical names; checks headers."""
    path = Path(path)
    reader = csv.DictReader(io.StringIO(path.read_text("utf-8-sig")))
    headers = set(reader.fieldnames or [])
    missing = [name for name, aliases in required.items() if not headers & set(aliases)]
    if missing:
        wanted = "，".join(f"{n}（{'/'.join(required[n][1:]) or n}）" for n in missing)
        raise ValidationError(
            f"{path.name} 缺少列：{wanted}", f"{path.name} lacks the columns: {', '.join(missing)}"
        )
    return [{name: _cell(row, *aliases) for name, aliases in required.items()} for row in reader]


LISTING_HEADERS = {
    "uscc": ("uscc", "统一社会信用代码"),
    "stock_code": ("stock_code", "证券代码", "股票代码"),
    "exchange": ("exchange", "交易所", "上市板块"),
    "listed_on": ("listed_on", "上市日期"),
}


@transaction.atomic
def import_listings(path: str | Path) -> int:
    """Replace the register of listed enterprises (uscc, stock_code, exchange, listed_on)."""
    _csv_rows(path, {k: LISTING_HEADERS[k] for k in ("uscc", "stock_code")})  # headers
    rows = list(csv.DictReader(io.StringIO(Path(path).read_text("utf-8-sig"))))
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


def today() -> dt.date:
    return timezone.localdate()
