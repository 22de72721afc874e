"""Pages: the enterprise's appeals and filing form, the handler queue, an appeal's timeline
with its actions, the bureau dashboard and the ledger export. Thin: parse, call
``services``, render; permissions through ``accounts.access`` (in the services)."""

from __future__ import annotations

import datetime as dt
import tempfile
from fractions import Fraction
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lianzhang.accounts import access
from lianzhang.core.errors import LianzhangError, PermissionDenied, ValidationError

from . import metrics, services
from .forms import AppealForm
from .metrics import percent
from .models import Appeal, AppealStatus, Assignment, AssignmentStatus, Channel, Rating


def _say(request: HttpRequest, exc: LianzhangError) -> str:
    return exc.en if request.LANGUAGE_CODE == "en" else exc.zh


@login_required
def appeal_list(request: HttpRequest) -> HttpResponse:
    """All visible appeals, filtered by progress, channel and lateness: the 局长 reads the
    appeals of the director's office hours (channel), a chain leader those of the reception."""
    appeals = Appeal.objects.visible_to(request.user).select_related("enterprise")
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    overdue = request.GET.get("overdue") == "1"
    if status in AppealStatus.values:
        appeals = appeals.filter(status=status)
    if channel in Channel.values:
        appeals = appeals.filter(channel=channel)
    if overdue:
        appeals = appeals.filter(overdue=True)
    page = Paginator(appeals, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "appeals": page.object_list,
        "status": status,
        "channel": channel,
        "overdue": overdue,
        "statuses": AppealStatus.choices,
        "channels": Channel.choices,
        "can_file": _actable(request),
    }
    return render(request, "appeals/list.html", context)


def _actable(request: HttpRequest) -> list[tuple[str, str]]:
    own = access.own_enterprise_id(request.user)
    found = access.enterprises_for(request.user, "change")
    if own:
        found = found | access.enterprises_for(request.user, "view").filter(pk=own)
    if not (own or access.is_bureau(request.user)):
        return []
    return [(e.uscc, e.name) for e in found.order_by("name")[:500]]


@login_required
def appeal_new(request: HttpRequest) -> HttpResponse:
    form = AppealForm(request.POST or None, request.FILES or None, enterprises=_actable(request))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("attachment", None)
        try:
            with transaction.atomic():  # the appeal and its file, or neither
                appeal = services.file_appeal(request.user, uscc=data.pop("enterprise"), **data)
                if upload is not None:
                    services.attach(request.user, appeal, upload)
        except LianzhangError as exc:
            form.add_error(None, _say(request, exc))
        else:
            messages.success(request, _("Appeal received."))
            return redirect("appeals:detail", pk=appeal.pk)
    return render(request, "appeals/form.html", {"form": form})


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    department = access.handler_department_id(request.user)
    mine = Assignment.objects.select_related("appeal__enterprise", "department")
    if department is not None:
        mine = mine.filter(department_id=department)
    elif not access.is_bureau(request.user):
        mine = mine.none()
    open_ = mine.filter(
        status__in=(AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED, AssignmentStatus.OVERDUE)
    ).order_by("resolution_due")
    return render(request, "appeals/queue.html", {"assignments": open_[:300]})


@login_required
def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = get_object_or_404(Appeal.objects.visible_to(request.user), pk=pk)
    assignments = [
        (a, access.may_handle(request.user, a))
        for a in appeal.assignments.select_related("department")
    ]
    return render(
        request,
        "appeals/detail.html",
        {
            "appeal": appeal,
            "assignments": assignments,
            "events": appeal.events.select_related("actor", "assignment__department"),
            "can_coordinate": access.may_coordinate(request.user, appeal),
            "can_attach": access.may_attach(request.user, appeal),
            "attachments": appeal.attachments.all(),
            "ratings": Rating.choices,
        },
    )


@login_required
@require_POST
def appeal_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    appeal = get_object_or_404(Appeal.objects.visible_to(request.user), pk=pk)
    post, user = request.POST, request.user
    try:
        if action in ("accept", "refuse", "extend", "complete"):
            a = get_object_or_404(appeal.assignments, pk=post.get("assignment"))
            if action == "accept":
                services.accept(user, a)
            elif action == "refuse":
                services.refuse(user, a, post.get("reason", ""))
            elif action == "extend":
                days = int(post.get("days") or 0)
                services.extend(user, a, days, post.get("reason", ""))
            else:
                services.complete(user, a, post.get("answer", ""), post.get("evidence", ""))
        elif action == "attach":
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationError("请选择要上传的文件", "choose a file to upload")
            services.attach(user, appeal, upload)
        elif action == "dispatch":
            services.dispatch(user, appeal)
        elif action == "escalate":
            services.escalate(user, appeal, post.get("reason", ""))
        elif action == "callback":
            services.callback(
                user,
                appeal,
                post.get("rating", ""),
                post.get("reason", ""),
                handler_cause=post.get("handler_cause") == "on",
            )
        else:
            raise PermissionDenied("未知操作", "unknown action")
    except ValueError:
        messages.error(request, _("Please enter a whole number of working days."))
    except LianzhangError as exc:
        messages.error(request, _say(request, exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("appeals:detail", pk=appeal.pk)


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    try:
        start = dt.date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        start = today.replace(month=1, day=1)
    try:
        end = dt.date.fromisoformat(request.GET.get("to", ""))
    except ValueError:
        end = today + dt.timedelta(days=1)
    return start, end


#: The five rates of the dashboard, in the order of its table and chart.
RATES = (
    ("on_time_response", gettext_lazy("On-time response rate")),
    ("completion", gettext_lazy("Completion rate")),
    ("on_time_completion", gettext_lazy("On-time completion rate")),
    ("satisfaction", gettext_lazy("Satisfaction rate")),
    ("reopen", gettext_lazy("Redo rate")),
)
TREND = (
    ("filed", gettext_lazy("Appeals filed")),
    ("closed", gettext_lazy("Appeals closed")),
    ("overdue", gettext_lazy("Flagged overdue")),
)


def _chart_percent(rate: Fraction | None) -> float | None:
    """For the chart only (the table shows the exact rounding of ``percent``)."""
    return None if rate is None else round(float(rate) * 100, 1)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    access.require_bureau(request.user)
    start, end = _period(request)
    aware = [timezone.make_aware(dt.datetime.combine(d, dt.time())) for d in (start, end)]
    found = services.dashboard(request.user, aware[0], aware[1])
    units = sorted(found.units.items(), key=lambda kv: found.names.get(kv[0], kv[0]))
    rows = [
        {
            "unit": found.names.get(code, code),
            "dispatched": m.dispatched,
            "rates": [percent(getattr(m, name)) for name, _label in RATES],
            "themes": "、".join(f"{t}（{c}）" for t, c in m.top_themes(3)),
        }
        for code, m in units
    ]
    months = metrics.months(start, end)
    chart = {
        "units": [row["unit"] for row in rows],
        "rates": [
            {"name": str(label), "data": [_chart_percent(getattr(m, name)) for _c, m in units]}
            for name, label in RATES
        ],
        "months": months,
        "trend": [
            {"name": str(label), "data": [found.monthly[kind][month] for month in months]}
            for kind, label in TREND
        ],
    }
    context = {"rows": rows, "start": start, "end": end, "chart": chart, "rates": RATES}
    return render(request, "appeals/dashboard.html", context)


@login_required
def attachment(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    """Download a file of an appeal the user may see (never served as a page)."""
    appeal = get_object_or_404(Appeal.objects.visible_to(request.user), pk=pk)
    found = get_object_or_404(appeal.attachments, pk=attachment_id)
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.name)


@login_required
def export(request: HttpRequest) -> HttpResponse:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "appeals.xlsx"
        services.write_ledger(Appeal.objects.visible_to(request.user), path)
        body = path.read_bytes()
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = "attachment; filename=appeals-ledger.xlsx"
    return response
