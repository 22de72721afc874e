"""A small JSON API for the registry pages: ``/api/enterprises/`` and ``/api/enterprises/<uscc>/``.

Authentication is the web session (CSRF-checked for writes) or ``Authorization: Token
<token>`` / ``Bearer <token>`` with the tokens of ``lianzhang token``. Everything goes
through ``accounts.access``; an enterprise out of reach answers 404 exactly like a missing
one. The fuller REST API (policies too) lives at ``/api/v1/``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt

from lianzhang.accounts import access
from lianzhang.accounts.services import user_for_token
from lianzhang.core import contract, errors
from lianzhang.enterprises.models import Enterprise

from . import queries
from .forms import BASE_FIELDS, EnterpriseForm
from .views import PAGE_SIZE, save_enterprise

View = Callable[..., HttpResponse]


def _error(status: int, zh: str, en: str) -> JsonResponse:
    return JsonResponse({"error_zh": zh, "error_en": en}, status=status)


NOT_FOUND = ("企业不存在或无权访问", "no such enterprise, or not accessible to you")


def api_view(*methods: str) -> Callable[[View], View]:
    """Authenticate (token or session), check the method, and turn errors into JSON."""

    def wrap(view: View) -> View:
        @csrf_exempt  # token requests carry no cookie; session writes are checked below
        def handle(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                return _error(405, "不支持的方法", f"method {request.method} not allowed")
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme in ("Token", "Bearer") and token:
                user = user_for_token(token.strip())
                if user is None:
                    return _error(401, "令牌无效", "invalid token")
                request.user = user
            elif request.method not in ("GET", "HEAD"):
                rejected = CsrfViewMiddleware(lambda r: HttpResponse()).process_view(
                    request, view, (), {}
                )
                if rejected is not None:
                    return _error(403, "CSRF 校验失败", "CSRF check failed")
            if not request.user.is_authenticated:
                return _error(401, "请先登录", "authentication required")
            try:
                return view(request, *args, **kwargs)
            except errors.PermissionDenied:
                return _error(404, *NOT_FOUND)

        return handle

    return wrap


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
        "url": f"/api/enterprises/{e.uscc}/",
    }


@api_view("GET")
def enterprise_list(request: HttpRequest) -> HttpResponse:
    """The list page's search (same parameters), PAGE_SIZE a page."""
    found = queries.search(
        access.enterprises_for(request.user, "view"), queries.Search.from_params(request.GET)
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return JsonResponse(
        {
            "count": page.paginator.count,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "results": [_summary(e) for e in page],
        }
    )


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


@api_view("GET", "PATCH")
def enterprise_detail(request: HttpRequest, uscc: str) -> HttpResponse:
    uscc = uscc.strip().upper()
    if request.method == "GET":
        return JsonResponse(_detail(access.enterprise_for(request.user, uscc, "view")))
    enterprise = access.enterprise_for(request.user, uscc, "change")
    try:
        patch = json.loads(request.body or b"{}")
    except ValueError:
        return _error(400, "请求体不是 JSON", "the body is not JSON")
    unknown = set(patch) - set(BASE_FIELDS) if isinstance(patch, dict) else {"(not an object)"}
    if unknown:
        names = ", ".join(sorted(unknown))
        return _error(400, f"不能修改的字段：{names}", f"fields that cannot be changed: {names}")
    form = EnterpriseForm(_merged(enterprise, patch), instance=enterprise)
    if not (form.is_valid() and save_enterprise(request, form)):
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    return JsonResponse(_detail(Enterprise.objects.get(pk=enterprise.pk)))


def _merged(enterprise: Enterprise, patch: dict[str, Any]) -> QueryDict:
    """The form data of the enterprise with the patched fields replaced."""
    data = QueryDict(mutable=True)
    for name in BASE_FIELDS:
        value = patch[name] if name in patch else getattr(enterprise, name)
        if isinstance(value, bool):
            value = "true" if value else "false"
        data[name] = "" if value is None else str(value)
    return data
