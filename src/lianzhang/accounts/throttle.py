"""Login throttling with django-axes: the backend, the client address and the lockout page.

After ``LIANZHANG_LOGIN_FAILURES`` failed logins for one user name from one address, that
pair is locked out for ``LIANZHANG_LOCKOUT_MINUTES`` (settings ``AXES_*``). Every login
form (the site's and the admin's) authenticates with the request, so axes sees it.

Calls of ``authenticate`` without a request (the test client's ``login``, a script) come
from code already running on the server, not from the network: ``LoginThrottle`` leaves
them to the model backend instead of failing, as axes' own backend would.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class LoginThrottle(AxesStandaloneBackend):  # type: ignore[misc]  # axes has no types
    """Axes' lockout check for requests; authentication without a request is not throttled."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)  # type: ignore[no-any-return]


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or behind ``LIANZHANG_PROXY_COUNT`` reverse
    proxies the address the outermost of them appended to ``X-Forwarded-For``.

    Taken from the right, so an address the client put in the header itself is never used.
    """
    count = getattr(settings, "LIANZHANG_PROXY_COUNT", 0)
    if count:
        forwarded: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The lockout page (429), in the user's language: how many failures, how long to wait."""
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "minutes": round(cool_off.total_seconds() / 60) if cool_off else None,
    }
    response = render(
        request,
        "accounts/locked_out.html",
        context,
        status=getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429),
    )
    if cool_off:  # RFC 9110: how long a client (or a script) should wait before retrying
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
