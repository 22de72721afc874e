"""Chain pages: dashboard, chain map, node enterprises, gaps and 招商 targets, Excel.

Every query goes through ``access.enterprises_for(user, …)``: a district officer sees
the chains filled with their own district's enterprises only.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from lianzhang.accounts import access
from lianzhang.core.money import format_yuan

from . import queries, services
from .health import PART_NAMES
from .models import Chain, EnterpriseLink, LinkStatus, Node
from .reports import write_excel
from .targets import rank_targets

SEGMENT_RANK = {"upstream": 0, "midstream": 1, "downstream": 2}
STATUS_COLOURS = {"covered": "#2e7d32", "weak": "#f0a020", "empty": "#c62828"}


def _basis(request: HttpRequest) -> str:
    basis = request.GET.get("basis", "probable")
    return basis if basis in queries.BASES else "probable"


def _money(fen: Any) -> str:
    return "—" if fen is None else format_yuan(queries.yuan(fen))


def _report(request: HttpRequest, chain: Chain) -> dict[str, Any]:
    visible = access.enterprises_for(request.user, "view")
    (report,) = queries.chain_reports([chain], visible, basis=_basis(request))
    return report


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    visible = access.enterprises_for(request.user, "view")
    basis = _basis(request)
    reports = queries.chain_reports(list(Chain.objects.all()), visible, basis=basis)
    rows = [
        {
            "chain": r["chain_obj"],
            "enterprises": r["enterprises"],
            "revenue": _money(r.get("revenue")),
            "tier": r["tier"] or "—",
            "coverage": r["coverage"],
            "covered": r["covered"],
            "nodes": r["nodes"],
            "gaps": len(r["gaps"]),
            "index": r["index"].value,
            "rate": (r["supply"] or {}).get("rate"),
        }
        for r in reports
    ]
    return render(request, "chains/dashboard.html", {"rows": rows, "basis": basis})


def _tree(report: dict[str, Any], chain: Chain) -> dict[str, Any]:
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
            "output": _money(row["output"]),
            "symbolSize": 10 + (26 * (size / top) ** 0.5 if top else 0),
            "itemStyle": {"color": STATUS_COLOURS[row["status"]]},
            "children": [node(c) for c in children.get(row["node_id"], [])],
        }

    return {
        "name": chain.name,
        "id": 0,
        "symbolSize": 30,
        "itemStyle": {"color": "#1f4e79"},
        "children": [node(r) for r in children.get(None, [])],
    }


@login_required
def chain_map(request: HttpRequest, code: str) -> HttpResponse:
    chain = get_object_or_404(Chain, code=code)
    report = _report(request, chain)
    index = report["index"]
    parts = [
        {"name": PART_NAMES[k], "value": v, "weight": index.weights.get(k)}
        for k, v in index.parts.items()
    ]
    masters = [{**m, "revenue": _money(m["revenue"])} for m in report["masters"].to_dicts()]
    supply = report["supply"] or {}
    context = {
        "chain": chain,
        "report": report,
        "revenue": _money(report.get("revenue")),
        "output": _money(report.get("output")),
        "parts": parts,
        "masters": masters,
        "supply_rate": supply.get("rate"),
        "external": [
            {**s, "amount": _money(s["amount"])}
            for s in (supply["top_external"].to_dicts() if supply else [])
        ],
        "tree": _tree(report, chain),
        "nodes": sorted(
            (r for r in report["node_table"].to_dicts() if r["kind"] != "segment"),
            key=lambda r: (SEGMENT_RANK[r["segment"]], r["node_id"]),
        ),
        "basis": _basis(request),
        "node_url": reverse("chain-node", args=[chain.code, 0]).rstrip("0/"),
    }
    return render(request, "chains/chain_map.html", context)


@login_required
def node_enterprises(request: HttpRequest, code: str, node_id: int) -> HttpResponse:
    node = get_object_or_404(Node, pk=node_id, chain__code=code)
    visible = access.enterprises_for(request.user, "view")
    ids = [node.pk]
    frontier = [node.pk]
    while frontier:
        frontier = list(Node.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
    links = (
        EnterpriseLink.objects.filter(node_id__in=ids, enterprise__in=visible)
        .exclude(status=LinkStatus.REJECTED)
        .select_related("enterprise", "node")
        .order_by("-status", "-confidence")[:200]
    )
    return render(
        request,
        "chains/_node_enterprises.html",
        {"node": node, "links": links, "can_change": access.can(request.user, "import")},
    )


@login_required
@require_POST
def decide(request: HttpRequest, link_id: int) -> HttpResponse:
    if not access.can(request.user, "import"):  # analysts and admins decide links
        return HttpResponseForbidden("无权确认或否决链接 / you may not decide links")
    visible = access.enterprises_for(request.user, "change")
    link = get_object_or_404(EnterpriseLink, pk=link_id, enterprise__in=visible)
    status = request.POST.get("status", "")
    services.decide_link(link, status, request.user)
    return redirect("chain-map", link.node.chain.code)


@login_required
def gaps(request: HttpRequest, code: str) -> HttpResponse:
    chain = get_object_or_404(Chain, code=code)
    report = _report(request, chain)
    terms = queries.gap_terms(chain, report["gaps"])
    ranked = rank_targets(terms, queries.outside_companies(), top=5) if terms else {}
    rows = [{**g, "targets": ranked.get(str(g["node_id"]), [])} for g in report["gaps"]]
    return render(
        request, "chains/gaps.html", {"chain": chain, "rows": rows, "basis": _basis(request)}
    )


@login_required
def excel(request: HttpRequest, code: str) -> HttpResponse:
    chain = Chain.objects.filter(code=code).first()
    if chain is None:
        raise Http404(code)
    data = write_excel(_report(request, chain))
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="chain-{code}.xlsx"'
    return response
