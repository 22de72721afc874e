"""The shell's own pages: those that belong to no one app (the audit trails of all of them)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from lianzhang.accounts import access
from lianzhang.audit import chain


@login_required
def audit(request: HttpRequest) -> HttpResponse:
    """Every audit stream: its size, its newest published head and whether it still verifies.

    Verifying reads the whole stream; the trails are append-only ledgers of human actions
    (thousands of rows a year), so doing it on each visit is what makes the page evidence.
    """
    if not access.is_bureau(request.user):
        raise PermissionDenied(_("This page is for bureau staff."))
    rows = []
    for model in sorted(chain.streams(), key=chain.stream_of):
        report = chain.verify(model)
        rows.append(
            {
                "app": model._meta.app_config.verbose_name if model._meta.app_config else "",
                "stream": report.stream,
                "report": report,
                "file": chain.checkpoint_file(report.stream),
            }
        )
    return render(request, "web/audit.html", {"rows": rows})
