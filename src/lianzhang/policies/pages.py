"""Helpers shared by the delivery pages (``views`` and ``bureau_views``).

A home of their own so that one page module does not reach into the other's privates:
the bureau-only guard, the error message in the page's language, and the budget year a
page shows.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from lianzhang.accounts import access
from lianzhang.core.errors import LianzhangError

from .models import MatchRun


def need_bureau(request: HttpRequest) -> None:
    """A 403 unless the user is bureau staff."""
    if not access.is_bureau(request.user):
        raise Forbidden(_("This page is for bureau staff."))


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
