"""Chinese by default: only an explicit choice (the language cookie) switches to English."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class IgnoreAcceptLanguage:
    """Drop the browser's Accept-Language so ``LocaleMiddleware`` falls back to zh-hans.

    A bureau's staff often run English-language browsers; the platform should still open
    in Chinese until someone picks English with the switch (``set_language``'s cookie).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
