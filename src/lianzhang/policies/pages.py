"""Helpers shared by the delivery pages (``views``, ``bureau_views``, ``list_views`` …).

A home of their own so that one page module does not reach into the other's privates:
the bureau-only guard, the staff scope, the error message in the page's language, and the
budget year a page shows.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from lianzhang.accounts import access
from lianzhang.core.errors import LianzhangError
from lianzhang.enterprises.models import Enterprise

from .models import MatchRun


def need_bureau(request: HttpRequest) -> None:
    """A 403 unless the user is bureau staff."""
    if not access.is_bureau(request.user):
        raise Forbidden(_("This page is for bureau staff."))


def staff_scope(request: HttpRequest) -> QuerySet[Enterprise] | None:
    """None for the bureau (everything); the visible enterprises for a district officer."""
    if access.is_bureau(request.user):
        return None
    if access.is_district(request.user):
        return access.enterprises_for(request.user, "view")
    raise Forbidden(_("This page is for bureau and district staff."))


def within(rows: list[dict[str, Any]], scope: QuerySet[Enterprise] | None) -> list[dict[str, Any]]:
    """The rows (each with its ``uscc``) of the enterprises in ``scope`` (None: all)."""
    if scope is None:
        return rows
    allowed = set(scope.values_list("pk", flat=True))
    return [r for r in rows if r["uscc"] in allowed]


def say(request: HttpRequest, exc: LianzhangError) -> None:
    """Show a service's refusal as an error message, in the page's language."""
    messages.error(request, exc.en if request.LANGUAGE_CODE == "en" else exc.zh)


def year_of(request: HttpRequest) -> int:
    """The ``?year=`` asked for; else the year of the latest match run; else this year."""
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        run = MatchRun.objects.filter(finished_at__isnull=False).first()
        return run.as_of.year if run else timezone.localdate().year
