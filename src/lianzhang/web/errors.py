"""Platform errors as HTTP answers, in one place for the API and the pages.

``status_for`` maps the error classes of ``core.errors`` to status codes; the API site's
exception handler and ``RefusalMiddleware`` (pages) both use it, the web twin of what the
CLI does with the same errors. A refused request is logged as one line, never a traceback:
refusals are the platform working, not failing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core import exceptions
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from ninja import Schema

from lianzhang.core.errors import (
    Conflict,
    LianzhangError,
    NotFound,
    PermissionDenied,
    ValidationError,
)

log = logging.getLogger("lianzhang.refused")

STATUS: dict[type[LianzhangError], int] = {
    PermissionDenied: 403,
    NotFound: 404,
    Conflict: 409,
    ValidationError: 400,
}


def status_for(exc: LianzhangError) -> int:
    """The HTTP status of a platform error (400 for any kind without its own)."""
    return next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)


class Error(Schema):
    """The one error body of the API: the message in Chinese and in English."""

    error_zh: str
    error_en: str


#: What any API operation may answer besides its own responses, each with ``Error``:
#: a refused value, no or a bad token, out of reach, missing, a request that does not match
#: the description (ninja's validation), and, for writes, a conflict.
API_ERRORS: dict[int, str] = {
    400: "请求被拒绝（数据不符合规则） / refused: the data breaks a rule",
    401: "未登录或令牌无效 / not signed in, or the token is not valid",
    403: "无权访问 / not allowed",
    404: "不存在（或不在可见范围内） / not found (or out of reach)",
    422: "请求不符合接口说明 / the request does not match this description",
}
WRITE_ERRORS: dict[int, str] = {409: "与当前状态冲突 / conflicts with the current state"}
WRITES = {"post", "put", "patch", "delete"}


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add ``API_ERRORS`` (and ``WRITE_ERRORS`` on writes) to every operation of an OpenAPI
    description that does not document them yet, so the description lists every status
    code the API answers, each with the ``Error`` body."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", Error.model_json_schema())
    ref = {"$ref": "#/components/schemas/Error"}
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            present = {str(code) for code in responses}
            codes = API_ERRORS | (WRITE_ERRORS if method in WRITES else {})
            for code, description in codes.items():
                if str(code) not in present:
                    responses[code] = {
                        "description": description,
                        "content": {"application/json": {"schema": ref}},
                    }
    return schema


def validation_message(errors: list[dict[str, Any]]) -> tuple[str, str]:
    """A bilingual message for ninja's (pydantic's) validation errors: where, and what."""
    places, details = [], []
    for error in errors[:5]:
        place = ".".join(str(part) for part in error.get("loc", ())) or "-"
        places.append(place)
        details.append(f"{place}: {error.get('msg', 'invalid')}")
    more = f"（等 {len(errors)} 处）" if len(errors) > 5 else ""
    more_en = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return (
        f"请求不符合接口说明：{'、'.join(places)}{more}",
        f"the request does not match the API description: {'; '.join(details)}{more_en}",
    )


#: ninja's own refusals (its ``HttpError``, a URL's 404), in both languages by status.
HTTP_MESSAGES: dict[int, tuple[str, str]] = {
    401: ("未登录或令牌无效", "not signed in, or the token is not valid"),
    403: ("无权访问", "not allowed"),
    404: ("不存在", "not found"),
    405: ("不支持该请求方法", "method not allowed"),
    429: ("请求过于频繁，请稍后再试", "too many requests, try again later"),
}


def http_message(status: int, text: str = "") -> tuple[str, str]:
    """Both languages for a plain HTTP refusal; ninja's ``text`` (English) for a status
    without its own message."""
    return HTTP_MESSAGES.get(status, ("请求被拒绝", text or "refused"))


@dataclass(frozen=True)
class Refusal:
    """What a refused page request answers: a status and the message in both languages."""

    status: int
    zh: str = ""
    en: str = ""


def refusal_for(exc: Exception) -> Refusal | None:
    """The refusal an exception stands for; None for a real failure (a 500 stays a 500)."""
    if isinstance(exc, LianzhangError):
        return Refusal(status_for(exc), exc.zh, exc.en)
    if isinstance(exc, exceptions.PermissionDenied):
        return Refusal(403, *_django_message(exc))
    if isinstance(exc, Http404):
        return Refusal(404, *_django_message(exc))
    return None


def _django_message(exc: Exception) -> tuple[str, str]:
    """Django's exceptions carry at most one text, in English: logged, and shown on English
    pages only (a Chinese page shows the generic explanation alone)."""
    text = str(exc.args[0]) if exc.args and isinstance(exc.args[0], str) else ""
    return "", text


def refused(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    """The refusal page, and its one log line (status, method, path, user, English message).

    The response is marked as logged so that ``django.request`` does not log it again
    (for a ``PermissionDenied`` it would, with a traceback).
    """
    english = (get_language() or "").startswith("en")
    message = refusal.en if english else refusal.zh
    context = {"status": refusal.status, "message": message}
    response = render(request, "web/refused.html", context, status=refusal.status)
    user = getattr(request, "user", None)
    name = user.get_username() if user is not None and user.is_authenticated else "-"
    log.warning(
        "%s %s %s user=%s: %s",
        refusal.status,
        request.method,
        request.path,
        name,
        refusal.en or response.reason_phrase,
    )
    response._has_been_logged = True  # type: ignore[attr-defined]  # read by django.utils.log
    return response


class RefusalMiddleware:
    """Turn a refusal raised by a view into its page: 400, 403, 404 or 409.

    ``LianzhangError`` by its kind (``status_for``), Django's ``PermissionDenied`` and
    ``Http404`` as 403 and 404. Views raise; none converts errors to responses by hand.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        refusal = refusal_for(exc)
        return None if refusal is None else refused(request, refusal)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler403``: a refusal raised outside a view (by a middleware, say)."""
    return refused(request, Refusal(403, *_django_message(exception)))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: e.g. a URL that matches no page."""
    return refused(request, Refusal(404, *_django_message(exception)))
