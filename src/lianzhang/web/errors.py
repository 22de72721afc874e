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
