"""The chains REST API (django-ninja router, mounted at ``/api/v1/chains``).

The same numbers as the chain pages and ``lianzhang chains``: every query is restricted
through ``accounts.access`` (a district officer's chains hold their district's
enterprises only) and every write goes through the services. Money is in yuan
(decimal strings), ratios are fractions, unknown is ``null``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from lianzhang.accounts import access
from lianzhang.core.errors import NotFound, PermissionDenied
from lianzhang.web.bounded import Count
from lianzhang.web.errors import Error

from . import complexity, queries, services
from .health import PART_NAMES
from .models import Chain, EnterpriseLink, LinkStatus, Node

router = Router(tags=["chains"])


class ChainOut(Schema):
    code: str
    name: str
    group: str
    enterprises: int
    revenue: Decimal | None
    output: Decimal | None
    growth: float | None
    tier: str | None
    nodes: int
    covered: int
    coverage: float | None
    gaps: int
    index: float | None
    supply_rate: float | None


class PartOut(Schema):
    part: str
    name: str
    value: float | None
    weight: float | None


class NodeOut(Schema):
    id: int
    code: str
    parent: str | None
    name: str
    segment: str
    kind: str
    enterprises: int
    revenue: Decimal | None
    output: Decimal | None
    growth: float | None
    above_scale: int
    specialized: int
    little_giant: int
    listed: int | None
    top_share: float | None
    status: str


class MasterOut(Schema):
    uscc: str
    name: str | None
    revenue: Decimal | None
    nodes: int
    ties: int
    size: float
    centrality: float
    supply_ties: float
    score: float


class ChainDetailOut(ChainOut):
    year: int | None
    basis: str
    above_scale: int
    specialized: int
    little_giant: int
    listed: int | None
    hhi: float | None
    index_parts: list[PartOut]
    masters: list[MasterOut]
    node_list: list[NodeOut]


def _basis(basis: str) -> str:
    return basis if basis in queries.BASES else "probable"


def _reports(request: HttpRequest, codes: list[str] | None, basis: str) -> list[dict[str, Any]]:
    access.require_chain_analysis(request.user)
    chains = [services.get_chain(c) for c in codes] if codes else list(Chain.objects.all())
    visible = access.enterprises_for(request.user, "view")
    return queries.chain_reports(chains, visible, basis=_basis(basis))


def _summary(r: dict[str, Any]) -> dict[str, Any]:
    chain = r["chain_obj"]
    return {
        "code": chain.code,
        "name": chain.name,
        "group": chain.group,
        "enterprises": r["enterprises"],
        "revenue": queries.yuan(r.get("revenue")),
        "output": queries.yuan(r.get("output")),
        "growth": r.get("growth"),
        "tier": r["tier"],
        "nodes": r["nodes"],
        "covered": r["covered"],
        "coverage": r["coverage"],
        "gaps": len(r["gaps"]),
        "index": r["index"].value,
        "supply_rate": (r["supply"] or {}).get("rate"),
    }


def _nodes(r: dict[str, Any]) -> list[dict[str, Any]]:
    codes = dict(r["chain_obj"].nodes.values_list("pk", "code"))
    return [
        {
            **{k: row[k] for k in ("name", "segment", "kind", "enterprises", "growth", "status")},
            **{k: row[k] for k in ("above_scale", "specialized", "little_giant", "listed")},
            "id": row["node_id"],
            "code": codes[row["node_id"]],
            "parent": codes.get(row["parent_id"]),
            "revenue": queries.yuan(row["revenue"]),
            "output": queries.yuan(row["output"]),
            "top_share": row["top_share"],
        }
        for row in r["node_table"].to_dicts()
    ]


@router.get("", response={200: list[ChainOut], 403: Error})
def list_chains(request: HttpRequest, basis: str = "probable") -> list[dict[str, Any]]:
    """Every chain with its health: enterprises, revenue, tier, coverage, gaps, index."""
    return [_summary(r) for r in _reports(request, None, basis)]


class RegionOut(Schema):
    region: str
    diversity: int
    eci: float
    coi: float


class GrowOut(Schema):
    industry: str
    rca: float
    density: float
    pci: float
    cog: float


class RelatednessOut(Schema):
    dataset: str | None
    regions: list[RegionOut]
    region: str | None
    grow_next: list[GrowOut]


@router.get("/relatedness", response={200: RelatednessOut, 400: Error, 403: Error, 404: Error})
def relatedness(
    request: HttpRequest, dataset: str | None = None, region: str | None = None, top: Count = 20
) -> dict[str, Any]:
    """ECI of each region of a stored region × industry table (default: the registry's
    districts × GB/T 4754 classes) and, for ``region``, the industries to grow next."""
    access.require_chain_analysis(request.user)
    result = _compute(queries.region_table(dataset))
    order = sorted(range(len(result.regions)), key=lambda i: -result.eci[i])
    regions = [
        {
            "region": result.regions[i],
            "diversity": int(result.diversity[i]),
            "eci": float(result.eci[i]),
            "coi": float(result.coi[i]),
        }
        for i in order
    ]
    grow: list[dict[str, Any]] = []
    if region is not None:
        if region not in result.regions:
            raise NotFound(f"表中没有区域 {region!r}", f"region {region!r} is not in the table")
        grow = complexity.grow_next(result, region, max(1, min(top, 500))).to_dicts()
    return {"dataset": dataset, "regions": regions, "region": region, "grow_next": grow}


def _compute(frame: Any) -> complexity.Complexity:
    from lianzhang.core.errors import ValidationError

    try:
        return complexity.compute(frame)
    except ValueError as exc:
        raise ValidationError(
            "区域×产业表太小或太稀，无法计算复杂度（至少两个区域、两个产业）",
            f"the region × industry table is too small or sparse for complexity ({exc})",
        ) from None


@router.get("/{code}", response={200: ChainDetailOut, 403: Error, 404: Error})
def get_chain(request: HttpRequest, code: str, basis: str = "probable") -> dict[str, Any]:
    """One chain: health and its parts, nodes with their numbers, chain masters."""
    (r,) = _reports(request, [code], basis)
    index = r["index"]
    return {
        **_summary(r),
        "year": r["year"],
        "basis": r["basis"],
        "hhi": r.get("hhi"),
        "above_scale": r.get("above_scale") or 0,
        "specialized": r.get("specialized") or 0,
        "little_giant": r.get("little_giant") or 0,
        "listed": r.get("listed"),
        "index_parts": [
            {"part": k, "name": PART_NAMES[k], "value": v, "weight": index.weights.get(k)}
            for k, v in index.parts.items()
        ],
        "masters": [{**m, "revenue": queries.yuan(m["revenue"])} for m in r["masters"].to_dicts()],
        "node_list": _nodes(r),
    }


@router.get("/{code}/export", response={200: str, 404: Error})
def export_chain(request: HttpRequest, code: str, format: str = "yaml") -> HttpResponse:
    """The chain as a file (YAML or JSON) that ``import`` reads back."""
    access.require(request.user, "view")
    fmt = "json" if format == "json" else "yaml"
    text = services.export_chain(services.get_chain(code), fmt)
    kind = "application/json" if fmt == "json" else "application/yaml"
    response = HttpResponse(text, content_type=f"{kind}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="chain-{code}.{fmt}"'
    return response


class EvidenceOut(Schema):
    kind: str
    term: str | None = None
    text: str | None = None
    how: str | None = None
    score: float | None = None


class LinkOut(Schema):
    id: int
    uscc: str
    enterprise: str
    node: str
    node_name: str
    status: str
    confidence: float
    method: str
    evidence: list[EvidenceOut]


def _link(link: EnterpriseLink) -> dict[str, Any]:
    return {
        "id": link.pk,
        "uscc": link.enterprise_id,
        "enterprise": link.enterprise.name,
        "node": link.node.code,
        "node_name": link.node.name,
        "status": link.status,
        "confidence": link.confidence,
        "method": link.method,
        "evidence": link.evidence,
    }


@router.get(
    "/{code}/nodes/{node_code}/enterprises",
    response={200: list[LinkOut], 403: Error, 404: Error},
)
def node_enterprises(
    request: HttpRequest, code: str, node_code: str, status: str = ""
) -> list[dict[str, Any]]:
    """Enterprises on a node and its sub-nodes (rejected links left out unless asked)."""
    access.require_chain_analysis(request.user)
    chain = services.get_chain(code)
    node = Node.objects.filter(chain=chain, code=node_code).first()
    if node is None:
        raise NotFound(
            f"产业链 {code} 没有节点 {node_code}", f"chain {code} has no node {node_code}"
        )
    ids, frontier = [node.pk], [node.pk]
    while frontier:
        frontier = list(Node.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
    links = EnterpriseLink.objects.filter(
        node_id__in=ids, enterprise__in=access.enterprises_for(request.user, "view")
    ).select_related("enterprise", "node")
    links = links.filter(status=status) if status else links.exclude(status=LinkStatus.REJECTED)
    return [_link(lk) for lk in links.order_by("-confidence", "enterprise_id")[:1000]]


class GapTargetOut(Schema):
    code: str
    name: str
    region: str
    revenue: Decimal | None
    score: float
    reasons: list[str]
    products: list[str]


class GapOut(Schema):
    node_id: int
    name: str
    segment: str
    status: str
    enterprises: int
    targets: list[GapTargetOut]


@router.get("/{code}/gaps", response={200: list[GapOut], 403: Error, 404: Error})
def gaps(
    request: HttpRequest, code: str, basis: str = "probable", top: Count = 5
) -> list[dict[str, Any]]:
    """Empty and weak nodes, each with its 招商 targets among the imported outside companies."""
    (r,) = _reports(request, [code], basis)
    return [
        {**g, "targets": [vars(t) for t in g["targets"]]}
        for g in queries.gap_targets(r, max(0, min(top, 50)))
    ]


@router.get("/{code}/targets", response={200: list[GapOut], 403: Error, 404: Error})
def targets(
    request: HttpRequest, code: str, basis: str = "probable", top: Count = 10
) -> list[dict[str, Any]]:
    """招商 targets: the gap nodes that have candidates, best first."""
    return [g for g in gaps(request, code, basis, top) if g["targets"]]


class NodeRateOut(Schema):
    node_id: int
    name: str
    total: Decimal
    local: Decimal
    rate: float | None


class SupplierOut(Schema):
    supplier_name: str
    amount: Decimal
    buyers: int


class SupplyRateOut(Schema):
    chain: str
    total: Decimal | None
    local: Decimal | None
    rate: float | None
    per_node: list[NodeRateOut]
    top_external: list[SupplierOut]


@router.get("/{code}/supply-rate", response={200: SupplyRateOut, 403: Error, 404: Error})
def supply_rate(request: HttpRequest, code: str, basis: str = "probable") -> dict[str, Any]:
    """本地配套率: the share of the chain's purchases bought from local enterprises."""
    (r,) = _reports(request, [code], basis)
    s = r["supply"]
    if not s or not s["total"]:
        unknown: dict[str, Any] = {
            "total": None,
            "local": None,
            "rate": None,
            "per_node": [],
            "top_external": [],
        }
        return {"chain": code, **unknown}
    return {
        "chain": code,
        "total": queries.yuan(s["total"]),
        "local": queries.yuan(s["local"]),
        "rate": s["rate"],
        "per_node": [
            {**n, "total": queries.yuan(n["total"]), "local": queries.yuan(n["local"] or 0)}
            for n in s["per_node"].to_dicts()
        ],
        "top_external": [
            {**e, "amount": queries.yuan(e["amount"])} for e in s["top_external"].to_dicts()
        ],
    }


class DecisionIn(Schema):
    status: str
    note: str = ""


@router.post("/links/{link_id}/decide", response={200: LinkOut, 400: Error, 403: Error})
def decide_link(request: HttpRequest, link_id: int, body: DecisionIn) -> dict[str, Any]:
    """Confirm or reject a link (analysts and administrators, on enterprises they may change)."""
    access.require(request.user, "import")
    link = (
        EnterpriseLink.objects.filter(
            pk=link_id, enterprise__in=access.enterprises_for(request.user, "change")
        )
        .select_related("enterprise", "node")
        .first()
    )
    if link is None:
        raise PermissionDenied(
            f"无权访问链接 {link_id}（或不存在）",
            f"link {link_id} is not accessible to you (or does not exist)",
        )
    return _link(services.decide_link(link, body.status, request.user, body.note))
