"""The platform's REST API site (django-ninja), described by OpenAPI at ``/api/v1/openapi.json``.

The shell only: the NinjaAPI object, authentication, the error mappings (platform
errors, requests that do not match the description as 422, ninja's own refusals; every
one the bilingual ``Error`` body, documented on every operation by ``document_errors``)
and the registration of each app's router. Endpoints live in their apps (``<app>/api.py``).

Authentication: ``Authorization: Bearer <token>`` (``lianzhang token USER``) or the web
session. Every endpoint restricts through ``accounts.access`` and writes through the
services, exactly as the web pages do. Errors are JSON ``{"error_zh", "error_en"}``.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as RequestInvalid
from ninja.security import APIKeyCookie, HttpBearer

from lianzhang.accounts.services import TokenRefused, user_for_token
from lianzhang.core.errors import LianzhangError

from .errors import document_errors, http_message, status_for, validation_message


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>``. An expired or revoked token is refused with 401 and
    the reason (``TokenRefused``), not passed on to the session login."""

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


class Api(NinjaAPI):
    """The site, whose description documents the errors every operation may answer."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        return document_errors(super().get_openapi_schema(**kwargs))


api = Api(
    title="链长 lianzhang API",
    version="1",
    urls_namespace="api-v1",
    auth=[BearerToken(), Session(csrf=True)],
    docs_url=None,
    description="政策找企业、免申即享与企业名录 / policy delivery and the enterprise registry",
)


@api.exception_handler(TokenRefused)
def _token_refused(request: HttpRequest, exc: TokenRefused) -> HttpResponse:
    response = api.create_response(request, {"error_zh": exc.zh, "error_en": exc.en}, status=401)
    response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


@api.exception_handler(LianzhangError)
def _error(request: HttpRequest, exc: LianzhangError) -> HttpResponse:
    return api.create_response(
        request, {"error_zh": exc.zh, "error_en": exc.en}, status=status_for(exc)
    )


def _refusal(request: HttpRequest, status: int, zh: str, en: str) -> HttpResponse:
    return api.create_response(request, {"error_zh": zh, "error_en": en}, status=status)


@api.exception_handler(RequestInvalid)
def _invalid(request: HttpRequest, exc: RequestInvalid) -> HttpResponse:
    """A request that does not match the description (a missing field, a wrong type, a
    value past a documented bound): 422, with where and what, in both languages."""
    return _refusal(request, 422, *validation_message(list(exc.errors)))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _refusal(request, exc.status_code, *http_message(exc.status_code, exc.message))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _refusal(request, 404, *http_message(404))


api.add_router("", "lianzhang.policies.api.router")  # 政策兑现：政策、匹配、事项、资金
api.add_router("/enterprises", "lianzhang.enterprises.api.router")  # 企业名录：检索、详情、修改
api.add_router("/chains", "lianzhang.chains.api.router")  # 产业图谱、缺链、配套率、关联度、招商
api.add_router("/innovation", "lianzhang.innovation.api.router")  # 技术需求、揭榜挂帅、成果转化
api.add_router("/appeals", "lianzhang.appeals.api.router")  # 企业诉求：受理、派单、办结、回访、指标
api.add_router(
    "/cultivation", "lianzhang.cultivation.api.router"
)  # 梯度培育：梯度、后备、到期、目标
