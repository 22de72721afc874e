"""The registry's pages: thin adapters over ``accounts.access``, ``queries`` and the services.

Refusals are raised (``LianzhangError``, ``Http404``) and turned into pages in one place,
``lianzhang.web.errors.RefusalMiddleware``.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lianzhang.accounts import access
from lianzhang.core import contract, errors

from . import credit, queries, services
from .forms import IMPORT_CHOICES, TABLE_CHOICES, EnterpriseForm, ImportForm
from .models import Annual, CreditListing, Enterprise, ImportLog, growth


def visible(request: HttpRequest, uscc: str, action: access.Action = "view") -> Enterprise:
    """The enterprise, or 404 whether it is missing or merely out of reach (no probing)."""
    try:
        return access.enterprise_for(request.user, uscc.strip().upper(), action)
    except errors.PermissionDenied as e:
        raise errors.NotFound(e.zh, e.en) from None


@login_required
def enterprise_list(request: HttpRequest) -> HttpResponse:
    search = queries.Search.from_params(request.GET)
    found = queries.search(access.enterprises_for(request.user, "view"), search)
    page = Paginator(found, queries.PAGE_SIZE).get_page(request.GET.get("page"))
    for enterprise in page:
        enterprise.above_scale = queries.is_above_scale(enterprise)  # type: ignore[attr-defined]
    context = {
        "page": page,
        "search": search,
        "districts": _districts(request),
        "industries": queries.industry_choices(),
        "titles": contract.HONOUR_TITLES,
        "tables": TABLE_CHOICES,
    }
    # htmx live search swaps only the results
    htmx = request.htmx  # type: ignore[attr-defined]  # set by django_htmx's middleware
    partial = htmx and not htmx.history_restore_request
    template = "enterprises/_results.html" if partial else "enterprises/enterprise_list.html"
    return render(request, template, context)


def _districts(request: HttpRequest) -> list[str]:
    visible_all = access.enterprises_for(request.user, "view").exclude(district="")
    return list(visible_all.order_by("district").values_list("district", flat=True).distinct())


@login_required
def enterprise_detail(request: HttpRequest, uscc: str) -> HttpResponse:
    """一企一档: the registry's own sections here; each module adds its tab's panel through its
    own inclusion tag (``{% policies_file enterprise request.user %}`` …), so the registry
    imports no module above it and each module scopes its rows by the viewer."""
    enterprise = visible(request, uscc)
    uscc = enterprise.uscc
    years = list(enterprise.annual.order_by("year"))
    previous: Annual | None = None
    for row in years:
        before = previous.revenue if previous and previous.year == row.year - 1 else None
        row.revenue_growth = growth(row.revenue, before)  # type: ignore[attr-defined]
        previous = row
    today = dt.date.today()
    honours = [(h, h.valid_on(today)) for h in enterprise.honours.order_by("-granted_on")]
    chart: dict[str, Any] = {
        "years": [row.year for row in years],
        "revenue": [_wan(row.revenue) for row in years],
        "rd_expense": [_wan(row.rd_expense) for row in years],
        "labels": {
            "revenue": contract.field("annual", "revenue").zh,
            "rd_expense": contract.field("annual", "rd_expense").zh,
            "unit": _("10k yuan"),
        },
    }
    if request.LANGUAGE_CODE == "en":
        chart["labels"].update(revenue=_("Revenue"), rd_expense=_("R&D expense"))
    context = {
        "enterprise": enterprise,
        "years": years,
        "latest": years[-1] if years else None,
        "honours": honours,
        "awards": enterprise.awards.order_by("-year"),
        "credit": [
            (entry, credit.is_blocking(entry, today))
            for entry in CreditListing.objects.filter(uscc=uscc)
        ],
        "chart": chart,
        "can_change": access.enterprises_for(request.user, "change").filter(pk=uscc).exists(),
    }
    return render(request, "enterprises/enterprise_detail.html", context)


def _wan(value: Any) -> float | None:
    """Yuan to 万元 for the chart (display only; the page tables stay exact)."""
    return None if value is None else round(float(value) / 10_000, 2)


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_edit(request: HttpRequest, uscc: str) -> HttpResponse:
    enterprise = visible(request, uscc, "change")
    form = EnterpriseForm(request.POST or None, instance=enterprise)
    if request.method == "POST" and form.is_valid() and services.save_in_reach(request.user, form):
        messages.success(request, _("Saved."))
        return redirect("enterprise-detail", uscc=enterprise.uscc)
    return render(
        request, "enterprises/enterprise_form.html", {"form": form, "enterprise": enterprise}
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "import")
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = _import(request, form)
    context = {
        "form": form,
        "report": report,
        "tables": TABLE_CHOICES,
        "logs": [
            (log, dict(IMPORT_CHOICES).get(log.table, log.table))
            for log in ImportLog.objects.select_related("user")[:20]
        ],
    }
    return render(request, "enterprises/import.html", context)


def _import(request: HttpRequest, form: ImportForm) -> services.ImportReport | None:
    upload = form.cleaned_data["file"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(upload.name).name  # the log keeps the user's file name
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        try:
            if form.cleaned_data["table"] == "credit":  # all or nothing: no partial lists
                return credit.import_credit(path, user=request.user)
            report = services.import_file(
                path,
                form.cleaned_data["table"],
                user=request.user,
                partial=form.cleaned_data["partial"],
            )
        except errors.LianzhangError as e:  # no file to read: the form says why, both languages
            form.add_error("file", f"{e.zh} / {e.en}" if e.en != e.zh else e.zh)
            return None
    return report


@login_required
def import_template(request: HttpRequest, table: str) -> FileResponse:
    access.require(request.user, "import")
    _known_table(table)
    return _file_response(
        lambda path: services.write_template(table, path), f"{table}-template.xlsx"
    )


@login_required
def export(request: HttpRequest, table: str, fmt: str) -> FileResponse:
    """The table for the enterprises of the current search that the user may see."""
    _known_table(table)
    if fmt not in ("csv", "xlsx"):
        raise errors.NotFound(f"不支持的格式：{fmt}", f"unsupported format: {fmt}")
    found = queries.search(
        access.enterprises_for(request.user, "view"), queries.Search.from_params(request.GET)
    )
    english = request.LANGUAGE_CODE == "en"
    return _file_response(
        lambda path: services.export_file(
            table, path, Enterprise.objects.filter(pk__in=found.values("pk")), english=english
        ),
        f"{table}.{fmt}",
    )


def _known_table(table: str) -> None:
    if table not in contract.TABLES:
        raise errors.NotFound(f"没有这张表：{table}", f"no such table: {table}")


def _file_response(write: Any, filename: str) -> FileResponse:
    """Write to a temporary file and stream it; the file is unlinked once opened."""
    fd, name = tempfile.mkstemp(suffix=Path(filename).suffix)
    os.close(fd)
    try:
        write(name)
        handle = open(name, "rb")  # noqa: SIM115 (FileResponse closes it)
    finally:
        os.unlink(name)
    return FileResponse(handle, as_attachment=True, filename=filename)
