"""The platform's REST API site (django-ninja), described by OpenAPI at ``/api/v1/openapi.json``.

The shell only: the NinjaAPI object, authentication, the one error mapping and the
registration of each app's router. Endpoints live in their apps (``<app>/api.py``).

Authentication: ``Authorization: Bearer <token>`` (``lianzhang token USER``) or the web
session. Every endpoint restricts through ``accounts.access`` and writes through the
services, exactly as the web pages do. Errors are JSON ``{"error_zh", "error_en"}``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import APIKeyCookie, HttpBearer

from lianzhang.accounts.services import user_for_token
from lianzhang.core.errors import LianzhangError

from .errors import status_for


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class Session(APIKeyCookie):
    """The web login; CSRF-protected for writes, as Django pages are."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        return user if getattr(user, "is_authenticated", False) else None


api = NinjaAPI(
    title="链长 lianzhang API",
    version="1",
    urls_namespace="api-v1",
    auth=[BearerToken(), Session(csrf=True)],
    docs_url=None,
    description="政策找企业、免申即享与企业名录 / policy delivery and the enterprise registry",
)


@api.exception_handler(LianzhangError)
def _error(request: HttpRequest, exc: LianzhangError) -> HttpResponse:
    return api.create_response(
        request, {"error_zh": exc.zh, "error_en": exc.en}, status=status_for(exc)
    )


api.add_router("", "lianzhang.policies.api.router")  # 政策兑现：政策、匹配、事项、资金
api.add_router("/enterprises", "lianzhang.enterprises.api.router")  # 企业名录：检索、详情、修改
api.add_router("/chains", "lianzhang.chains.api.router")  # 产业图谱、缺链、配套率、关联度、招商
api.add_router("/innovation", "lianzhang.innovation.api.router")  # 技术需求、揭榜挂帅、成果转化
api.add_router("/appeals", "lianzhang.appeals.api.router")  # 企业诉求：受理、派单、办结、回访、指标
