"""The registry in the REST API, ``/api/v1/enterprises``: the list page's search, one
enterprise with its years, titles and awards, and changes to its base data.

Mounted on the platform's API site (``lianzhang.web.api``): bearer tokens of ``lianzhang token`` or
the web session (CSRF-checked for writes); errors are JSON ``{"error_zh", "error_en"}``.
Everything goes through ``accounts.access``; an enterprise out of reach answers exactly
like a missing one. Money and quantities are exact strings.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, QueryDict
from ninja import Body, Router

from lianzhang.accounts import access
from lianzhang.core import contract
from lianzhang.core.errors import ValidationError

from . import queries, services
from .forms import BASE_FIELDS, EnterpriseForm
from .models import Enterprise

router = Router(tags=["enterprises"])


def _json(value: Any) -> Any:
    """Exact JSON: money and quantities as strings, dates ISO."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _summary(e: Enterprise) -> dict[str, Any]:
    return {
        "uscc": e.uscc,
        "name": e.name,
        "district": e.district,
        "industry_code": e.industry_code,
        "industry_name": e.industry_name,
        "latest_year": e.latest_year,  # type: ignore[attr-defined]
        "latest_revenue": _json(e.latest_revenue),  # type: ignore[attr-defined]
        "above_scale": queries.is_above_scale(e),
        "url": f"/api/v1/enterprises/{e.uscc}",
    }


def _detail(e: Enterprise) -> dict[str, Any]:
    out = {name: _json(getattr(e, name)) for name in ["uscc", *BASE_FIELDS]}
    out["industry_name"] = e.industry_name
    annual_fields = [f.name for f in contract.fields("annual") if f.name != "uscc"]
    out["annual"] = [
        {name: _json(getattr(row, name)) for name in annual_fields}
        | {"rd_intensity": None if row.rd_intensity is None else str(float(row.rd_intensity))}
        for row in e.annual.order_by("year")
    ]
    out["honours"] = [
        {"title": h.title, "granted_on": _json(h.granted_on), "valid_until": _json(h.valid_until)}
        for h in e.honours.all()
    ]
    out["awards"] = [
        {"year": a.year, "kind": a.kind, "rank": a.rank, "name": a.name} for a in e.awards.all()
    ]
    return out


@router.get("")
def enterprise_list(request: HttpRequest) -> dict[str, Any]:
    """The list page's search with the same parameters (q, district, industry, title,
    above, sort, page), 25 a page."""
    found = queries.search(
        access.enterprises_for(request.user, "view"), queries.Search.from_params(request.GET)
    )
    page = Paginator(found, queries.PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "results": [_summary(e) for e in page],
    }


@router.get("/{uscc}")
def enterprise_detail(request: HttpRequest, uscc: str) -> dict[str, Any]:
    """Base data, annual rows (exact), titles with validity, awards."""
    return _detail(access.enterprise_for(request.user, uscc.strip().upper(), "view"))


@router.patch("/{uscc}")
def enterprise_patch(
    request: HttpRequest, uscc: str, patch: Body[dict[str, Any]]
) -> dict[str, Any]:
    """Change base fields (the edit page's form and rules, including staying in reach)."""
    enterprise = access.enterprise_for(request.user, uscc.strip().upper(), "change")
    unknown = set(patch) - set(BASE_FIELDS)
    if unknown:
        names = ", ".join(sorted(unknown))
        raise ValidationError(f"不能修改的字段：{names}", f"fields that cannot be changed: {names}")
    form = EnterpriseForm(_merged(enterprise, patch), instance=enterprise)
    if not (form.is_valid() and services.save_in_reach(request.user, form)):
        problems = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items())
        raise ValidationError(f"修改未保存：{problems}", f"not saved: {problems}")
    return _detail(Enterprise.objects.get(pk=enterprise.pk))


def _merged(enterprise: Enterprise, patch: dict[str, Any]) -> QueryDict:
    """The form data of the enterprise with the patched fields replaced."""
    data = QueryDict(mutable=True)
    for name in BASE_FIELDS:
        value = patch[name] if name in patch else getattr(enterprise, name)
        if isinstance(value, bool):
            value = "true" if value else "false"
        data[name] = "" if value is None else str(value)
    return data
