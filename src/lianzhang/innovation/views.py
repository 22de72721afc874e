"""Pages: demand list and posting, the match page with reasons and marks, 揭榜挂帅, the
pipeline board. Thin: parse, call ``services``/``matching``, render. Permissions come from
``accounts.access`` (through the services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianzhang.accounts import access
from lianzhang.core.errors import LianzhangError
from lianzhang.enterprises.models import Enterprise

from . import matching, services
from .forms import DemandForm
from .models import Challenge, Demand, Milestone


def _bureau(request: HttpRequest) -> bool:
    return access.role_of(request.user) in services.BUREAU


def _actable(request: HttpRequest) -> QuerySet[Enterprise]:
    """Enterprises the user may post demands for."""
    if access.role_of(request.user) == "enterprise":
        user_id: Any = request.user.pk
        return Enterprise.objects.filter(users__user_id=user_id)
    return access.enterprises_for(request.user, "change")


def _visible_demands(request: HttpRequest) -> QuerySet[Demand]:
    demands = Demand.objects.select_related("enterprise")
    if _bureau(request):
        return demands
    return demands.filter(enterprise__in=access.enterprises_for(request.user, "view"))


@login_required
def demand_list(request: HttpRequest) -> HttpResponse:
    demands = _visible_demands(request)
    q = request.GET.get("q", "").strip()
    if q:
        demands = demands.filter(title__icontains=q)
    return render(
        request,
        "innovation/demand_list.html",
        {"demands": demands[:200], "q": q, "can_post": _actable(request).exists()},
    )


@login_required
def demand_new(request: HttpRequest) -> HttpResponse:
    choices = [(e.uscc, e.name) for e in _actable(request).order_by("name")[:500]]
    form = DemandForm(request.POST or None, enterprises=choices)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        uscc = data.pop("enterprise")
        try:
            demand = services.post_demand(request.user, uscc, **data)
        except LianzhangError as exc:
            form.add_error(None, exc.zh if request.LANGUAGE_CODE != "en" else exc.en)
        else:
            messages.success(request, _("Demand published."))
            return redirect("innovation:demand", pk=demand.pk)
    return render(request, "innovation/demand_form.html", {"form": form})


@login_required
def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    demand = get_object_or_404(_visible_demands(request), pk=pk)
    english = request.LANGUAGE_CODE == "en"
    rows = [
        {
            "row": row,
            "name": getattr(row.obj, "title", None) or row.obj.name,
            "kind": row.hit.key.split(":")[0],
            "provider": getattr(getattr(row.obj, "provider", None), "name", ""),
            "reasons": [r.en() if english else r.zh() for r in row.hit.reasons],
        }
        for row in matching.match_demand(demand)
    ]
    return render(
        request,
        "innovation/demand_detail.html",
        {"demand": demand, "rows": rows, "can_mark": _bureau(request)},
    )


@login_required
@require_POST
def demand_mark(request: HttpRequest, pk: int) -> HttpResponse:
    demand = get_object_or_404(_visible_demands(request), pk=pk)
    try:
        services.mark_match(
            request.user,
            demand,
            request.POST.get("target", ""),
            request.POST.get("good") == "1",
            request.POST.get("note", ""),
        )
    except LianzhangError as exc:
        messages.error(request, exc.zh if request.LANGUAGE_CODE != "en" else exc.en)
    return redirect("innovation:demand", pk=demand.pk)


@login_required
def challenge_list(request: HttpRequest) -> HttpResponse:
    items = [(c, services.paid_total(c)) for c in Challenge.objects.all()[:200]]
    return render(request, "innovation/challenge_list.html", {"items": items})


@login_required
def challenge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = get_object_or_404(Challenge, pk=pk)
    return render(
        request,
        "innovation/challenge_detail.html",
        {
            "c": challenge,
            "applications": challenge.applications.select_related("provider", "enterprise"),
            "ranking": services.ranking_of(challenge),
            "milestones": challenge.milestones.all(),
            "paid": services.paid_total(challenge),
            "bureau": _bureau(request),
            "today": dt.date.today(),
        },
    )


@login_required
@require_POST
def challenge_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    challenge = get_object_or_404(Challenge, pk=pk)
    today = dt.date.today()
    user: Any = request.user
    try:
        if action == "publish":
            services.publish_challenge(user, challenge)
        elif action == "close":
            services.close_applications(user, challenge)
        elif action == "award":
            services.award(user, challenge)
        elif action == "accept":
            services.accept(user, challenge, on=today, note=request.POST.get("note", ""))
        elif action in ("reach", "pay"):
            milestone = get_object_or_404(Milestone, pk=request.POST.get("milestone"))
            if action == "reach":
                services.reach_milestone(user, milestone, today)
            else:
                services.pay_milestone(user, milestone, today)
        else:
            raise LianzhangError(f"未知操作 {action}", f"unknown action {action}")
    except LianzhangError as exc:
        messages.error(request, exc.zh if request.LANGUAGE_CODE != "en" else exc.en)
    return redirect("innovation:challenge", pk=challenge.pk)


@login_required
def pipeline(request: HttpRequest) -> HttpResponse:
    days = int(request.GET.get("stall_days", 180) or 180)
    b = services.board(today=dt.date.today(), stall_days=days)
    return render(request, "innovation/pipeline.html", {"b": b, "days": days})
