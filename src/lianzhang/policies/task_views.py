"""联审 task pages: a department's queue and its decision on one task.

A department reviewer sees only its own tasks and, in each, only the fields it checks
(``services.task_figures``); the bureau sees every task to follow the deadlines but
decides none (``accounts.access.may_decide_task``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianzhang.accounts import access
from lianzhang.core.errors import LianzhangError

from . import services
from .models import ReviewTask
from .pages import say


@login_required
def tasks(request: HttpRequest) -> HttpResponse:
    found = services.tasks_for(request.user)
    if not access.is_bureau(request.user) and access.handler_department_id(request.user) is None:
        raise Forbidden(_("This page is for departments that sign off cases."))
    status = request.GET.get("status", ReviewTask.Status.PENDING)
    if status in ReviewTask.Status.values:
        found = found.filter(status=status)
    rows = []
    for task in found[:200]:
        figures = services.task_figures(task)
        rows.append(
            {
                "task": task,
                "year": figures["year"],
                "figures": [
                    (services.field_label(name), value)
                    for name, value in figures["figures"].items()
                ],
                "may_decide": access.may_decide_task(request.user, task),
            }
        )
    context = {
        "rows": rows,
        "total": found.count(),
        "status": status,
        "statuses": ReviewTask.Status.choices,
        "today": timezone.localdate(),
    }
    return render(request, "policies/tasks.html", context)


@login_required
@require_POST
def task_decide(request: HttpRequest, pk: int) -> HttpResponse:
    passed = request.POST.get("decision") == "pass"
    try:
        services.decide_task(pk, request.user, passed, request.POST.get("reason", ""))
        messages.success(request, _("Decision recorded."))
    except LianzhangError as exc:
        say(request, exc)
    return redirect("policies:tasks")
