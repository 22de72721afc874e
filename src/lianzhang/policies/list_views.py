"""The dashboard's long lists in full: 应享未享, needs review and near misses, paged and
filtered on the page (name or USCC, district, policy), in the viewer's scope.

The dashboard shows the first rows of each; here are all of them, 50 to a page, with the
same Excel export. The lists are the ones ``queries`` computes for the latest match run.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import queries
from .pages import staff_scope, within, year_of

PAGE = 50


def _lists() -> dict[str, dict[str, Any]]:
    return {
        "unclaimed": {
            "title": _("应享未享: eligible but not paid, and why"),
            "rows": lambda: queries.dashboard_list("unclaimed"),
            "amount": True,
            "export": "unclaimed",
        },
        "review": {
            "title": _(
                "Needs review: eligible as computed, but resting on a manual or "
                "unverified clause (not counted as entitled)"
            ),
            "rows": lambda: queries.dashboard_list("review"),
            "amount": True,
            "export": "",
        },
        "near-misses": {
            "title": _("Near misses: fail one criterion by a small margin (for outreach)"),
            "rows": lambda: queries.dashboard_list("near-misses"),
            "amount": False,
            "export": "near-misses",
        },
    }


def _matches(row: dict[str, Any], q: str, district: str, policy: str) -> bool:
    if q and q not in row["name"] and not row["uscc"].startswith(q.upper()):
        return False
    return (not district or row["district"] == district) and (not policy or row["policy"] == policy)


@login_required
def long_list(request: HttpRequest, kind: str) -> HttpResponse:
    chosen = _lists().get(kind)
    if chosen is None:
        raise Http404(kind)
    scope = staff_scope(request)
    rows = within(chosen["rows"](), scope)
    q = request.GET.get("q", "").strip()[:100]
    district = request.GET.get("district", "")
    policy = request.GET.get("policy", "")
    districts = sorted({r["district"] for r in rows if r["district"]})
    policies = sorted({(r["policy"], r["title"]) for r in rows}, key=lambda p: p[1])
    shown = [r for r in rows if _matches(r, q, district, policy)]
    context = {
        "kind": kind,
        "chosen": chosen,
        "page": Paginator(shown, PAGE).get_page(request.GET.get("page")),
        "total": len(rows),
        "q": q,
        "district": district,
        "policy": policy,
        "districts": districts,
        "policies": policies,
        "year": year_of(request),
    }
    return render(request, "policies/long_list.html", context)
