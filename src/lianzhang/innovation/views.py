"""Pages: demand list and posting, the match page with reasons and marks, 揭榜挂帅, the
pipeline board. Thin: parse, call ``services``/``matching``, render. Permissions come from
``accounts.access`` (through the services)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianzhang.accounts import access
from lianzhang.core.errors import LianzhangError, ValidationError
from lianzhang.enterprises.models import Enterprise

from . import matching, services
from .exports import write_demands
from .forms import CapabilityForm, ChallengeForm, DemandForm
from .models import (
    Application,
    Capability,
    CapabilityKind,
    Challenge,
    ChallengeMode,
    Demand,
    DemandStatus,
    Milestone,
    Provider,
    ProviderKind,
    Review,
    Stage,
)


def _bureau(request: HttpRequest) -> bool:
    return access.is_bureau(request.user)


def _actable(request: HttpRequest) -> QuerySet[Enterprise]:
    """Enterprises the user may post demands for."""
    found: QuerySet[Enterprise] = services.actable_enterprises(request.user)
    return found


def _visible_demands(request: HttpRequest) -> QuerySet[Demand]:
    found: QuerySet[Demand] = services.visible_demands(request.user)
    return found


def _say(request: HttpRequest, exc: LianzhangError) -> str:
    return exc.en if request.LANGUAGE_CODE == "en" else exc.zh


def _date(value: str | None) -> dt.date:
    """A date from a form; today when left empty."""
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            f"不是日期（YYYY-MM-DD）：{value}", f"not a date (YYYY-MM-DD): {value}"
        ) from None


def _rows(request: HttpRequest, rows: list[matching.Row]) -> list[dict[str, Any]]:
    english = request.LANGUAGE_CODE == "en"
    out = []
    for row in rows:
        obj = row.obj
        owner = getattr(obj, "provider", None) or getattr(obj, "enterprise", None)
        out.append(
            {
                "row": row,
                "obj": obj,
                "name": getattr(obj, "title", None) or obj.name,
                "kind": row.hit.key.split(":")[0],
                "kind_label": obj.get_kind_display() if hasattr(obj, "get_kind_display") else "",
                "provider": getattr(owner, "name", ""),
                "reasons": [r.en() if english else r.zh() for r in row.hit.reasons],
            }
        )
    return out


@login_required
def demand_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "innovation/demand_list.html",
        {
            "demands": _filtered_demands(request)[:200],
            "q": request.GET.get("q", "").strip(),
            "status": request.GET.get("status", ""),
            "statuses": DemandStatus.choices,
            "can_post": _actable(request).exists(),
        },
    )


def _filtered_demands(request: HttpRequest) -> QuerySet[Demand]:
    demands = _visible_demands(request)
    q = request.GET.get("q", "").strip()
    if q:
        demands = demands.filter(title__icontains=q) | demands.filter(problem__icontains=q)
    if request.GET.get("status"):
        demands = demands.filter(status=request.GET["status"])
    return demands


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
            form.add_error(None, _say(request, exc))
        else:
            messages.success(request, _("Demand published."))
            return redirect("innovation:demand", pk=demand.pk)
    return render(request, "innovation/demand_form.html", {"form": form})


@login_required
def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    demand = get_object_or_404(_visible_demands(request), pk=pk)
    rows = _rows(request, matching.match_demand(demand))
    return render(
        request,
        "innovation/demand_detail.html",
        {
            "demand": demand,
            "rows": rows,
            "can_mark": _bureau(request),
            "can_close": _bureau(request) or access.may_act_for(request.user, demand.enterprise_id),
            "statuses": DemandStatus.choices,
        },
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
        messages.error(request, _say(request, exc))
    return redirect("innovation:demand", pk=demand.pk)


@login_required
@require_POST
def demand_status(request: HttpRequest, pk: int) -> HttpResponse:
    demand = get_object_or_404(_visible_demands(request), pk=pk)
    try:
        services.set_demand_status(request.user, demand, request.POST.get("status", ""))
    except LianzhangError as exc:
        messages.error(request, _say(request, exc))
    return redirect("innovation:demand", pk=demand.pk)


@login_required
def demand_export(request: HttpRequest) -> HttpResponse:
    """技术需求清单 as an Excel workbook: what the list shows, with the same filters."""
    demands = _filtered_demands(request)
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        write_demands(handle.name, demands)
        data = Path(handle.name).read_bytes()
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = quote(f"技术需求清单-{dt.date.today():%Y%m%d}.xlsx")
    response["Content-Disposition"] = f"attachment; filename=demands.xlsx; filename*=UTF-8''{name}"
    return response


# -- capabilities and results --------------------------------------------------------------


@login_required
def capability_list(request: HttpRequest) -> HttpResponse:
    """The marketplace of capabilities and results (成果)."""
    found = Capability.objects.select_related("provider")
    q, kind = request.GET.get("q", "").strip(), request.GET.get("kind", "")
    if q:
        found = found.filter(title__icontains=q) | found.filter(field__icontains=q)
    if kind:
        found = found.filter(kind=kind)
    can_post = _bureau(request) or _actable(request).exists()
    return render(
        request,
        "innovation/capability_list.html",
        {
            "items": found[:200],
            "q": q,
            "kind": kind,
            "kinds": CapabilityKind.choices,
            "can_post": can_post,
        },
    )


def _provider_choices(request: HttpRequest) -> list[tuple[str, str]]:
    """Providers the user may post for; an enterprise user's own enterprise comes as
    ``e:<uscc>`` until its provider record exists."""
    choices = [(str(p.pk), p.name) for p in services.providers_for(request.user)[:500]]
    have = set(
        Provider.objects.filter(enterprise__in=_actable(request)).values_list(
            "enterprise_id", flat=True
        )
    )
    if not _bureau(request):
        choices += [(f"e:{e.uscc}", e.name) for e in _actable(request)[:50] if e.uscc not in have]
    return choices


@login_required
def capability_new(request: HttpRequest) -> HttpResponse:
    form = CapabilityForm(request.POST or None, providers=_provider_choices(request))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        choice = data.pop("provider")
        try:
            if choice.startswith("e:"):
                provider = services.own_provider(request.user, choice[2:])
            else:
                provider = get_object_or_404(Provider, pk=int(choice))
            capability = services.post_capability(request.user, provider, **data)
        except LianzhangError as exc:
            form.add_error(None, _say(request, exc))
        else:
            messages.success(request, _("Capability or result published."))
            return redirect("innovation:capability", pk=capability.pk)
    return render(request, "innovation/capability_form.html", {"form": form})


@login_required
def capability_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A result's page: the demands and enterprises that need it, its transfer history."""
    item = get_object_or_404(Capability.objects.select_related("provider"), pk=pk)
    visible = services.visible_usccs(request.user)
    stage = services.current_stage(item)
    here = stage.stage if stage else None
    return render(
        request,
        "innovation/capability_detail.html",
        {
            "c": item,
            "demands": _rows(request, matching.match_result(item, visible=visible)),
            "enterprises": _rows(request, matching.match_enterprises(item, visible=visible)),
            "stages": item.stages.all(),
            "next_stages": [(s, label) for s, label in Stage.choices if s in _next(here)],
            "bureau": _bureau(request),
            "challenges": Challenge.objects.filter(result=item),
        },
    )


def _next(here: str | None) -> set[str]:
    if here is None:
        return {services.ORDER[0]}
    if here in services.TERMINAL:
        return set()
    order = services.ORDER
    following = {order[order.index(here) + 1]} if order.index(here) + 1 < len(order) else set()
    return following | set(services.TERMINAL)


@login_required
@require_POST
def capability_advance(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Capability, pk=pk)
    try:
        services.advance(
            request.user,
            item,
            request.POST.get("stage", ""),
            on=_date(request.POST.get("on")),
            owner=request.POST.get("owner", ""),
            outcome=request.POST.get("outcome", ""),
        )
    except LianzhangError as exc:
        messages.error(request, _say(request, exc))
    return redirect("innovation:capability", pk=item.pk)


# -- 揭榜挂帅 --------------------------------------------------------------------------------


@login_required
def challenge_list(request: HttpRequest) -> HttpResponse:
    found = Challenge.objects.visible_to(request.user)
    items = [(c, services.paid_total(c)) for c in found[:200]]
    return render(
        request, "innovation/challenge_list.html", {"items": items, "bureau": _bureau(request)}
    )


@login_required
def challenge_new(request: HttpRequest) -> HttpResponse:
    """A 榜单 from a demand (?demand=ID), or a result seeking takers (?result=ID)."""
    demand = result = None
    source = request.GET.get("demand") or request.POST.get("demand")
    if source:
        demand = get_object_or_404(_visible_demands(request), pk=source)
    source = request.GET.get("result") or request.POST.get("result")
    if source:
        result = get_object_or_404(Capability, pk=source, kind="result")
    initial: dict[str, Any] = {}
    if demand is not None:
        initial = {"title": demand.title, "goal": demand.problem, "indicators": demand.indicators}
        initial["award"] = demand.budget
    elif result is not None:
        initial = {"title": f"{result.title}（成果转化）", "goal": result.description}
        initial["award"] = 0
    form = ChallengeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            challenge = services.create_challenge(
                request.user,
                mode=ChallengeMode.RESULT if result is not None else ChallengeMode.DEMAND,
                demand=demand,
                result=result,
                poster=demand.enterprise if demand is not None else None,
                **form.cleaned_data,
            )
        except LianzhangError as exc:
            form.add_error(None, _say(request, exc))
        else:
            messages.success(request, _("Challenge drafted; publish it when ready."))
            return redirect("innovation:challenge", pk=challenge.pk)
    return render(
        request,
        "innovation/challenge_form.html",
        {"form": form, "demand": demand, "result": result, "bureau": _bureau(request)},
    )


@login_required
def challenge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = get_object_or_404(Challenge, pk=pk)
    bureau = _bureau(request)
    if challenge.status == "draft" and not bureau:
        return HttpResponse(status=404)
    user: Any = request.user
    applications = list(challenge.applications.select_related("provider", "enterprise"))
    reviews = Review.objects.filter(application__challenge=challenge, expert_id=user.pk)
    mine = {r.application_id: r for r in reviews}
    bidders = services.providers_for(user)
    if challenge.eligible_kinds:
        bidders = bidders.filter(kind__in=challenge.eligible_kinds)
    show_scores = bureau or challenge.status in ("awarded", "accepted", "failed")
    return render(
        request,
        "innovation/challenge_detail.html",
        {
            "c": challenge,
            "applications": [(a, mine.get(a.pk)) for a in applications],
            "ranking": services.ranking_of(challenge) if show_scores else [],
            "milestones": challenge.milestones.select_related("payment"),
            "paid": services.paid_total(challenge),
            "bureau": bureau,
            "bidders": bidders[:200] if challenge.mode == ChallengeMode.DEMAND else [],
            "takers": _actable(request)[:50] if challenge.mode == ChallengeMode.RESULT else [],
            "today": dt.date.today(),
        },
    )


def _challenge_step(request: HttpRequest, challenge: Challenge, action: str) -> None:
    user: Any = request.user
    post = request.POST
    on = _date(post.get("on"))
    if action == "publish":
        services.publish_challenge(user, challenge)
    elif action == "close":
        services.close_applications(user, challenge)
    elif action == "award":
        services.award(user, challenge)
    elif action in ("accept", "fail"):
        services.accept(
            user, challenge, on=on, passed=action == "accept", note=post.get("note", "")
        )
    elif action == "cancel":
        services.cancel_challenge(user, challenge, post.get("note", ""))
    elif action == "apply":
        provider = enterprise = None
        if post.get("provider"):
            provider = get_object_or_404(Provider, pk=post["provider"])
        if post.get("enterprise"):
            enterprise = access.enterprise_for(user, post["enterprise"])
        services.apply(
            user, challenge, plan=post.get("plan", ""), provider=provider, enterprise=enterprise
        )
    elif action == "review":
        application = get_object_or_404(
            Application, pk=post.get("application"), challenge=challenge
        )
        services.review(
            user,
            application,
            conflict=post.get("conflict") == "1",
            score=post.get("score") or None,
            conflict_note=post.get("conflict_note", ""),
            comment=post.get("comment", ""),
        )
    elif action == "milestone":
        services.add_milestone(
            user,
            challenge,
            title=post.get("title", ""),
            due=_date(post.get("due")),
            amount=post.get("amount"),
        )
    elif action in ("reach", "pay"):
        milestone = get_object_or_404(Milestone, pk=post.get("milestone"), challenge=challenge)
        if action == "reach":
            services.reach_milestone(user, milestone, on, post.get("note", ""))
        else:
            services.pay_milestone(user, milestone, on)
    else:
        raise ValidationError(f"未知操作 {action}", f"unknown action {action}")


@login_required
@require_POST
def challenge_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    challenge = get_object_or_404(Challenge, pk=pk)
    try:
        _challenge_step(request, challenge, action)
    except LianzhangError as exc:
        messages.error(request, _say(request, exc))
    else:
        messages.success(request, _("Done."))
    return redirect("innovation:challenge", pk=challenge.pk)


# -- 成果转化 --------------------------------------------------------------------------------


@login_required
def pipeline(request: HttpRequest) -> HttpResponse:
    try:
        days = int(request.GET.get("stall_days") or 180)
        b = services.board(today=dt.date.today(), stall_days=days)
    except (ValueError, LianzhangError):
        days = 180
        messages.error(request, _("Stall days must be a positive whole number."))
        b = services.board(today=dt.date.today(), stall_days=days)
    labels = dict(Stage.choices)
    columns = [(s, labels[s], b.columns[s]) for s in services.STAGES]
    return render(
        request,
        "innovation/pipeline.html",
        {
            "b": b,
            "days": days,
            "columns": columns,
            "stalled_ids": {r.pk for r, _, _ in b.stalled},
            **_conversion_table(b, labels),
        },
    )


def _conversion_table(b: Any, labels: dict[str, Any]) -> dict[str, Any]:
    """The conversion rates as a table with stage, chain and source names, never codes."""
    from lianzhang.chains.models import Chain

    labels = {**labels, "transferred": _("transferred out (incubated, licensed or sold)")}
    steps = list(b.conversion)
    chain_names = dict(Chain.objects.values_list("code", "name"))
    kinds = dict(ProviderKind.choices)

    def row(head: str, rates: dict[str, Any]) -> tuple[str, list[Any]]:
        return head, [rates.get(k) for k in steps]

    rows = [row(_("All results"), b.conversion)]
    rows += [
        row(f"{_('Chain')} {chain_names.get(c, c)}", r) for c, r in b.conversion_by_chain.items()
    ]
    rows += [row(f"{_('Source')} {kinds.get(k, k)}", r) for k, r in b.conversion_by_source.items()]
    heads = [" → ".join(str(labels.get(x, x)) for x in k.split("→")) for k in steps]
    return {"conversion_heads": heads, "conversion_rows": rows}
