"""Chain pages: dashboard, chain map, node enterprises, gaps and 招商 targets, reports
(Excel, print page, PDF), editing (add, move, merge, edit nodes) and chain files.

Every query goes through ``access.enterprises_for(user, …)``: a district officer sees
the chains filled with their own district's enterprises only.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.template import engines
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianzhang.accounts import access
from lianzhang.core.errors import LianzhangError, ValidationError
from lianzhang.core.money import format_yuan

from . import queries, reports, services
from .health import PART_NAMES
from .models import Chain, EnterpriseLink, Kind, LinkStatus, Node, Segment


def _basis(request: HttpRequest) -> str:
    basis = request.GET.get("basis", "probable")
    return basis if basis in queries.BASES else "probable"


def _money(fen: Any) -> str:
    return "—" if fen is None else format_yuan(queries.yuan(fen))


def _position(request: HttpRequest) -> HttpResponse:
    """An enterprise user's chains page: where its own firm sits, up and down the chain."""
    uscc = access.own_enterprise_id(request.user)
    context = {
        "positions": queries.position(uscc) if uscc else [],
        "purchases": queries.purchases(uscc) if uscc else [],
    }
    return render(request, "chains/position.html", context)


def _report(request: HttpRequest, chain: Chain) -> dict[str, Any]:
    access.require_chain_analysis(request.user)
    visible = access.enterprises_for(request.user, "view")
    (report,) = queries.chain_reports([chain], visible, basis=_basis(request))
    return report


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if not access.may_analyse_chains(request.user):
        return _position(request)
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
    can_edit = access.can(request.user, "import")
    context = {"rows": rows, "basis": basis, "can_edit": can_edit}
    return render(request, "chains/dashboard.html", context)


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
        "tree": reports.tree(report),
        "nodes": [
            {**r, "segment_name": Segment(r["segment"]).label, "indent": (depth - 1) * 1.2}
            for r, depth in reports.tree_rows(report)
            if r["kind"] != "segment"
        ],
        "basis": _basis(request),
        "node_url": reverse("chain-node", args=[chain.code, 0]).rstrip("0/"),
        "can_edit": access.can(request.user, "import"),
    }
    return render(request, "chains/chain_map.html", context)


#: Rows per page of a node's panel.
NODE_PAGE_SIZE = 50


@login_required
def node_enterprises(request: HttpRequest, code: str, node_id: int) -> HttpResponse:
    """A node's enterprises (the node and everything below it), 50 a page, filtered by name or
    USCC (``q``) and link status (``status``). htmx loads it into the map's #node-panel; a
    plain request (a link without JS, the enterprise file's link) gets a full page.

    The rows are exactly what the map counts for the node (``queries.links_frame`` rolled up
    by ``health.node_health``): the distinct enterprises the user may see with a link on the
    subtree, never ``rejected``; basis ``confirmed`` counts confirmed links only, basis
    ``probable`` (the default) also candidates at or above ``queries.PROBABLE``. An enterprise
    on several nodes of the subtree is one row, on its best link (confirmed first, then the
    highest confidence), so the unfiltered total equals the map's count.
    """
    access.require_chain_analysis(request.user)
    node = get_object_or_404(Node.objects.select_related("chain"), pk=node_id, chain__code=code)
    visible = access.enterprises_for(request.user, "view")
    htmx = request.htmx  # type: ignore[attr-defined]  # set by django_htmx's middleware
    # the chart's clicks carry no basis: take the map page's own (htmx sends its URL)
    basis = request.GET.get("basis") or (
        parse_qs(urlsplit(htmx.current_url or "").query).get("basis", [""])[0] if htmx else ""
    )
    basis = basis if basis in queries.BASES else "probable"
    ids = [node.pk]
    frontier = [node.pk]
    while frontier:
        frontier = list(Node.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
    counted = EnterpriseLink.objects.filter(node_id__in=ids, enterprise__in=visible).exclude(
        status=LinkStatus.REJECTED
    )
    if basis == "confirmed":
        counted = counted.filter(status=LinkStatus.CONFIRMED)
    else:
        counted = counted.exclude(status=LinkStatus.CANDIDATE, confidence__lt=queries.PROBABLE)
    search = request.GET.get("q", "").strip()[:100]
    if search:
        counted = counted.filter(
            Q(enterprise__name__icontains=search) | Q(enterprise__uscc__icontains=search)
        )
    statuses = [(v, label) for v, label in LinkStatus.choices if v != LinkStatus.REJECTED]
    status = request.GET.get("status", "")
    if status in dict(statuses):
        counted = counted.filter(status=status)
    else:
        status = ""
    order = ("-status", "-confidence", "pk")  # "-status": confirmed before candidate
    best = counted.filter(enterprise_id=OuterRef("enterprise_id")).order_by(*order)
    links = (
        counted.filter(pk=Subquery(best.values("pk")[:1]))
        .select_related("enterprise", "node")
        .order_by(*order)
    )
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    page = Paginator(links, NODE_PAGE_SIZE).get_page(number)  # past the end: the last page
    full_page = not htmx or htmx.history_restore_request
    # a fragment for htmx, else the same blocks inside the site's page
    bare = engines["django"].from_string("{% block content %}{% endblock %}")
    context = {
        "node": node,
        "page": page,
        "q": search,
        "status": status,
        "statuses": statuses,
        "basis": basis,
        "full_page": full_page,
        "layout": "web/base.html" if full_page else bare.template,  # type: ignore[attr-defined]
        "panel_url": reverse("chain-node", args=[node.chain.code, node.pk]),
        "can_change": access.can(request.user, "import"),
    }
    return render(request, "chains/_node_enterprises.html", context)


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
    access.require_chain_analysis(request.user)
    chain = get_object_or_404(Chain, code=code)
    rows = [
        {**g, "segment_name": Segment(g["segment"]).label}
        for g in queries.gap_targets(_report(request, chain), top=5)
    ]
    return render(
        request, "chains/gaps.html", {"chain": chain, "rows": rows, "basis": _basis(request)}
    )


@login_required
def excel(request: HttpRequest, code: str) -> HttpResponse:
    chain = Chain.objects.filter(code=code).first()
    if chain is None:
        raise Http404(code)
    data = reports.write_excel(_report(request, chain))
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="chain-{code}.xlsx"'
    return response


@login_required
def print_report(request: HttpRequest, code: str) -> HttpResponse:
    """The printable chain report (the browser's print → PDF works on it too)."""
    chain = get_object_or_404(Chain, code=code)
    report = _report(request, chain)
    html = reports.print_page(
        report, queries.gap_targets(report, top=3), static("vendor/echarts.min.js")
    )
    return HttpResponse(html)


@login_required
def pdf(request: HttpRequest, code: str) -> HttpResponse:
    chain = get_object_or_404(Chain, code=code)
    report = _report(request, chain)
    try:
        data = reports.write_pdf(report, queries.gap_targets(report, top=3))
    except reports.PdfUnavailable as exc:
        return HttpResponse(f"{exc.zh}\n{exc.en}", status=503, content_type="text/plain")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="chain-{code}.pdf"'
    return response


# -- editing and chain files (analysts and administrators) -------------------------------


def _may_edit(request: HttpRequest) -> None:
    if not access.can(request.user, "import"):
        raise PermissionDenied


@login_required
def edit(request: HttpRequest, code: str) -> HttpResponse:
    _may_edit(request)
    chain = get_object_or_404(Chain, code=code)
    ordered = queries.tree_order(
        chain.nodes.annotate(n_links=Count("links")),
        lambda n: n.pk,
        lambda n: n.parent_id,
        lambda n: (n.order, n.pk),
    )
    rows = [{"node": n, "indent": d * 1.5, "links": n.n_links} for n, d in ordered]
    return render(
        request, "chains/edit.html", {"chain": chain, "rows": rows, "kinds": Kind.choices}
    )


def _node(chain: Chain, value: str | None) -> Node:
    node = chain.nodes.filter(pk=int(value)).first() if value and value.isdigit() else None
    if node is None:
        raise ValidationError("请选择该产业链的节点", "choose a node of this chain")
    return node


@login_required
@require_POST
def edit_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """add / move / merge / update a node; errors come back as a message, nothing saved."""
    _may_edit(request)
    chain = get_object_or_404(Chain, code=code)
    data = request.POST
    try:
        if action == "add":
            node = services.add_node(
                chain,
                _node(chain, data.get("parent")),
                data.get("code", "").strip(),
                data.get("name", "").strip(),
                data.get("kind", Kind.PRODUCT),
            )
        elif action == "move":
            node = services.move_node(
                _node(chain, data.get("node")), _node(chain, data.get("parent"))
            )
        elif action == "merge":
            node = services.merge_nodes(
                _node(chain, data.get("keep")), _node(chain, data.get("gone"))
            )
        elif action == "update":
            node = services.update_node(
                _node(chain, data.get("node")),
                name=data.get("name", ""),
                keywords=data.get("keywords", ""),
                gbt=data.get("gbt", ""),
            )
        else:
            raise Http404(action)
    except ValidationError as exc:
        messages.error(request, f"{exc.zh} / {exc.en}")
    else:
        messages.success(request, _("Saved: %(name)s") % {"name": node.name})
    return redirect("chain-edit", chain.code)


@login_required
def export_file(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    if fmt not in ("yaml", "json"):
        raise Http404(fmt)
    chain = get_object_or_404(Chain, code=code)
    text = services.export_chain(chain, fmt)
    kind = "application/json" if fmt == "json" else "application/yaml"
    response = HttpResponse(text, content_type=f"{kind}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="chain-{code}.{fmt}"'
    return response


@login_required
@require_POST
def import_file(request: HttpRequest) -> HttpResponse:
    """Upload a chain file (YAML or JSON): creates the chain or updates it by node code."""
    _may_edit(request)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError("请选择产业链文件", "choose a chain file")
        chain = services.import_chain_text(upload.read(), upload.name or "upload.yaml")
    except ValidationError as exc:
        messages.error(request, f"{exc.zh} / {exc.en}")
        return redirect("chain-dashboard")
    messages.success(request, _("Imported: %(name)s") % {"name": chain.name})
    return redirect("chain-map", chain.code)


@login_required
def relatedness(request: HttpRequest) -> HttpResponse:
    """What to grow next: ECI of each region of a table, and for one region the
    industries it is close to (density) but not yet specialised in (RCA < 1)."""
    access.require_chain_analysis(request.user)
    from lianzhang.core import gbt4754

    from . import complexity

    datasets = queries.datasets()
    dataset = request.GET.get("dataset") or None
    region = request.GET.get("region") or None
    context: dict[str, Any] = {"datasets": datasets, "dataset": dataset, "region": region}
    try:
        result = complexity.compute(queries.region_table(dataset))
    except (ValueError, LianzhangError) as exc:
        context["error"] = (
            f"{exc.zh} / {exc.en}"
            if isinstance(exc, LianzhangError)
            else _(
                "The table is too small for complexity: it needs two regions and two industries."
            )
        )
        return render(request, "chains/relatedness.html", context)
    order = sorted(range(len(result.regions)), key=lambda i: -result.eci[i])
    context["regions"] = [
        {
            "name": result.regions[i],
            "diversity": int(result.diversity[i]),
            "eci": result.eci[i],
            "coi": result.coi[i],
        }
        for i in order
    ]
    region = region if region in result.regions else result.regions[order[0]]
    context["region"] = region
    context["grow"] = [
        {**row, "label": gbt4754.name(row["industry"]) or row["industry"]}
        for row in complexity.grow_next(result, region, 20).to_dicts()
    ]
    return render(request, "chains/relatedness.html", context)
