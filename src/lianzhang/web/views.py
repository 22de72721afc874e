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
    english = request.LANGUAGE_CODE == "en"
    rows = []
    for model in sorted(chain.streams(), key=chain.stream_of):
        report = chain.verify(model)
        rows.append(
            {
                "app": model._meta.app_config.verbose_name if model._meta.app_config else "",
                "stream": report.stream,
                "report": report,
                "problems": [_said(m, report.stream, english) for m in report.problems],
                "warnings": [_said(m, report.stream, english) for m in report.warnings],
                "file": chain.checkpoint_file(report.stream),
            }
        )
    return render(request, "web/audit.html", {"rows": rows})


def _said(message: str, stream: str, english: bool) -> str:
    """A verification message (``"<stream>：中文 / English"``) in the page's language, without
    the stream's name, which its row already shows."""
    zh, _sep, en = message.partition(" / ")
    return en if english and en else zh.removeprefix(f"{stream}：")
