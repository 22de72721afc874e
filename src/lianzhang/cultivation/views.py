"""The 梯度培育 page and its Excel export. Thin: filters, the scope from ``access``, the
queries; targets and the listing pipeline are written through ``services``."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianzhang.accounts import access
from lianzhang.chains.models import Chain
from lianzhang.core.errors import LianzhangError

from . import filters, ladder, queries, services, workbook

SHOWN = 30  # rows per list on the page; the workbook has them all


def _filters(request: HttpRequest) -> filters.Filters:
    g = request.GET
    return filters.parse(
        g.get("on"), g.get("district"), g.get("chain"), g.get("months"), timezone.localdate()
    )


def _label(code: str, english: bool) -> str:
    tier = ladder.BY_CODE.get(code)
    return code if tier is None else (tier.en if english else tier.zh)


def _percent(share: Any) -> str:
    return "—" if share is None else f"{float(share) * 100:.1f}%"


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    scope = access.cultivation_scope(request.user)
    f = _filters(request)
    narrowed = queries.narrow(scope, f.district, f.chain)
    english = request.LANGUAGE_CODE == "en"
    pyramid = queries.pyramid(narrowed, f.on)
    for row in pyramid:
        row["shown"] = _label(row["tier"], english)
    candidates = [queries.candidates(narrowed, code) for code in ladder.NEXT.values()]
    for c in candidates:
        c["shown"] = _label(c["tier"], english)
        c["eligible_count"], c["near_count"] = len(c["eligible"]), len(c["near"])
        c["eligible"], c["near"] = c["eligible"][:SHOWN], c["near"][:SHOWN]
    targets = queries.targets(narrowed, f.on.year, f.on)
    for t in targets:
        t["percent"], t["shown"] = _percent(t["share"]), _label(t["tier"], english)
    conversion = queries.conversion(narrowed, [f.on.year - 2, f.on.year - 1])
    for c in conversion:
        c["percent"] = _percent(c["share"])
        c["from"], c["to"] = _label(c["from_tier"], english), _label(c["to_tier"], english)
    expiring = queries.expiring(narrowed, f.on, f.months)
    for e in expiring:
        e["shown"] = _label(e["tier"], english)
    chart = {
        "tiers": [r["shown"] for r in pyramid],
        "counts": [r["count"] for r in pyramid],
        "targets": [f"{t['district']} {t['shown']}" for t in targets],
        "target": [t["target"] for t in targets],
        "achieved": [t["achieved"] for t in targets],
        "labels": {"target": _("Target"), "achieved": _("Achieved")},
    }
    context = {
        "f": f,
        "pyramid": pyramid,
        "districts": queries.by_district(narrowed, f.on),
        "tiers": ladder.TIERS,
        "candidates": candidates,
        "expiring": expiring[:SHOWN],
        "expiring_count": len(expiring),
        "targets": targets,
        "conversion": conversion,
        "listing": queries.listing_pipeline(narrowed),
        "district_choices": sorted(set(scope.values_list("district", flat=True)) - {""}),
        "chain_choices": list(Chain.objects.order_by("order", "code").values_list("code", "name")),
        "can_set": access.may_set_targets(request.user),
        "stages": ladder.LISTING_STAGES,
        "chart": chart,
        "query": request.GET.urlencode(),
    }
    return render(request, "cultivation/overview.html", context)


@login_required
def export(request: HttpRequest) -> HttpResponse:
    scope = access.cultivation_scope(request.user)
    f = _filters(request)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cultivation.xlsx"
        workbook.write(queries.narrow(scope, f.district, f.chain), f.on, f.months, path)
        data = path.read_bytes()
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename=cultivation-{f.on.isoformat()}.xlsx"
    return response


@login_required
@require_POST
def set_target(request: HttpRequest) -> HttpResponse:
    p = request.POST
    try:
        year, count = int(p.get("year", "")), int(p.get("count", ""))
    except ValueError:
        messages.error(request, _("Year and target must be whole numbers."))
        return redirect("cultivation:overview")
    try:
        services.set_target(request.user, year, p.get("district", ""), p.get("tier", ""), count)
    except LianzhangError as exc:
        messages.error(request, exc.en if request.LANGUAGE_CODE == "en" else exc.zh)
    else:
        messages.success(request, _("Target saved."))
    return redirect("cultivation:overview")


@login_required
@require_POST
def set_stage(request: HttpRequest) -> HttpResponse:
    p = request.POST
    try:
        since = dt.date.fromisoformat(p.get("since", ""))
    except ValueError:
        messages.error(request, _("Enter the date as YYYY-MM-DD."))
        return redirect("cultivation:overview")
    try:
        services.set_listing_stage(
            request.user,
            p.get("uscc", "").strip().upper(),
            p.get("stage", ""),
            since,
            p.get("board", ""),
            p.get("note", ""),
        )
    except LianzhangError as exc:
        messages.error(request, exc.en if request.LANGUAGE_CODE == "en" else exc.zh)
    else:
        messages.success(request, _("Listing stage saved."))
    return redirect("cultivation:overview")
