"""Pages: the enterprise's appeals and filing form, the handler queue, an appeal's timeline
with its actions, the bureau dashboard and the ledger export. Thin: parse, call
``services``, render; permissions through ``accounts.access`` (in the services)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianzhang.accounts import access
from lianzhang.core.errors import LianzhangError, PermissionDenied

from . import services
from .forms import AppealForm
from .metrics import percent
from .models import Appeal, Assignment, AssignmentStatus, Rating


def _say(request: HttpRequest, exc: LianzhangError) -> str:
    return exc.en if request.LANGUAGE_CODE == "en" else exc.zh


@login_required
def appeal_list(request: HttpRequest) -> HttpResponse:
    appeals = Appeal.objects.visible_to(request.user).select_related("enterprise")
    status = request.GET.get("status", "")
    if status:
        appeals = appeals.filter(status=status)
    return render(
        request,
        "appeals/list.html",
        {"appeals": appeals[:300], "status": status, "can_file": _actable(request)},
    )


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
    form = AppealForm(request.POST or None, enterprises=_actable(request))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            appeal = services.file_appeal(request.user, uscc=data.pop("enterprise"), **data)
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


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    access.require_bureau(request.user)
    start, end = _period(request)
    aware = [timezone.make_aware(dt.datetime.combine(d, dt.time())) for d in (start, end)]
    found = services.unit_metrics(request.user, aware[0], aware[1])
    names = ("on_time_response", "completion", "on_time_completion", "satisfaction", "reopen")
    rows = [
        {
            "unit": unit,
            "dispatched": m.dispatched,
            "rates": [percent(getattr(m, n)) for n in names],
            "themes": "、".join(f"{t}（{c}）" for t, c in m.top_themes(3)),
        }
        for unit, m in sorted(found.items())
    ]
    return render(request, "appeals/dashboard.html", {"rows": rows, "start": start, "end": end})


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
