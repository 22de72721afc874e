"""Pages of 政策找企业 / 免申即享: library, my policies, cases, money, dashboard, sandbox.

Thin: parse the request, ask ``accounts.access`` what the user may see, call the services,
render. An object outside the user's reach is a 404 (no probing); a page outside the
user's role is a 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied as Forbidden
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianzhang.accounts import access
from lianzhang.core.errors import LianzhangError
from lianzhang.enterprises.models import Enterprise

from . import matching, queries, sandbox, services, workflow
from .models import (
    Attachment,
    Budget,
    Case,
    Notice,
    ParameterChange,
    Policy,
)
from .pages import say, year_of
from .services.served import served_policies
from .workflow import State


def _own_enterprise(request: HttpRequest) -> Enterprise | None:
    if not access.is_enterprise_user(request.user):
        return None
    return access.enterprises_for(request.user, "view").first()


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if access.is_enterprise_user(request.user):
        return redirect("policies:mine")
    return redirect("policies:dashboard")


# --- policy library ---------------------------------------------------------------------


@login_required
def library(request: HttpRequest) -> HttpResponse:
    year = year_of(request)
    q = request.GET.get("q", "").strip()
    policies = Policy.objects.all()
    if q:
        policies = policies.filter(title__icontains=q) | policies.filter(code__icontains=q)
    budgets = dict(Budget.objects.filter(year=year).values_list("policy_id", "amount"))
    pending = dict(
        ParameterChange.objects.filter(status=ParameterChange.Status.PENDING)
        .values("policy_id")
        .annotate(n=Count("id"))
        .values_list("policy_id", "n")
    )
    rows = [(p, budgets.get(p.pk), pending.get(p.pk, 0)) for p in policies]
    return render(
        request,
        "policies/library.html",
        {"rows": rows, "q": q, "year": year, "bureau": access.is_bureau(request.user)},
    )


def _criteria_rows(code: str) -> list[dict[str, Any]]:
    found = matching.library().policies.get(code)
    if found is None:
        return []
    rows: list[dict[str, Any]] = []

    def walk(c: Any, depth: int) -> None:
        rows.append(
            {
                "depth": depth,
                "indent": depth * 1.4,
                "label": c.label,
                "clause": c.clause,
                "kind": c.kind,
                "expr": "" if c.source is None else str(c.source),
                "manual": c.manual,
            }
        )
        for child in c.children:
            walk(child, depth + 1)

    walk(found.criteria, 0)
    return rows


@login_required
def policy_detail(request: HttpRequest, code: str) -> HttpResponse:
    policy = get_object_or_404(Policy, code=code)
    today = timezone.localdate()
    bureau = access.is_bureau(request.user)
    context = {
        "policy": policy,
        "criteria": _criteria_rows(code),
        "parameters": sandbox.parameters_of(policy, today),
        "changes": policy.changes.select_related("proposed_by", "reviewed_by"),
        "history": queries.policy_history(policy) if bureau else [],
        "budgets": policy.budgets.order_by("-year"),
        "bureau": bureau,
        "admin": access.is_admin(request.user),
        "others": Policy.objects.exclude(pk=policy.pk),
        "today": today,
    }
    return render(request, "policies/policy.html", context)


@login_required
@require_POST
def propose(request: HttpRequest, code: str) -> HttpResponse:
    policy = get_object_or_404(Policy, code=code)
    try:
        start = dt.date.fromisoformat(request.POST.get("effective_from", ""))
    except ValueError:
        messages.error(request, _("Give the date the new value takes effect (YYYY-MM-DD)."))
        return redirect("policies:policy", code=code)
    try:
        services.propose_parameter(
            policy,
            request.POST.get("name", ""),
            start,
            request.POST.get("value", "").strip(),
            request.POST.get("reason", ""),
            request.user,
        )
        messages.success(request, _("Change proposed; it takes effect once a reviewer approves."))
    except LianzhangError as exc:
        say(request, exc)
    return redirect("policies:policy", code=code)


@login_required
@require_POST
def review_change(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(ParameterChange.objects.select_related("policy"), pk=pk)
    try:
        services.review_parameter(
            pk,
            request.user,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", ""),
        )
        messages.success(request, _("Review recorded."))
    except LianzhangError as exc:
        say(request, exc)
    return redirect("policies:policy", code=change.policy.code)


@login_required
@require_POST
def money_rules(request: HttpRequest, code: str) -> HttpResponse:
    policy = get_object_or_404(Policy, code=code)
    try:
        services.set_money_rules(
            policy,
            request.POST.get("allocation", ""),
            request.POST.getlist("no_stack_with"),
            request.user,
            request.POST.get("reason", ""),
        )
        messages.success(request, _("Money rules saved."))
    except LianzhangError as exc:
        say(request, exc)
    return redirect("policies:policy", code=code)


# --- my policies ------------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    enterprise = _own_enterprise(request)
    uscc = request.GET.get("uscc", "").strip().upper()
    if enterprise is None and uscc:
        enterprise = access.enterprises_for(request.user, "view").filter(pk=uscc).first()
        if enterprise is None:
            raise Http404(_("No such enterprise."))
    # the latest match run's stored results while they hold, else live (``served``)
    served = served_policies(enterprise.pk) if enterprise else None
    items = served.items if served else []
    user: Any = request.user  # logged in (login_required)
    notices = Notice.objects.filter(user=user)
    groups = [
        (key, label, [m for m in items if m.category == key])
        for key, label in (
            ("eligible", _("You qualify")),
            ("review", _("You qualify as computed, pending a reviewer's check")),
            ("undetermined", _("You may qualify once the missing data is filled in")),
            ("near", _("You just miss")),
        )
    ]
    context = {
        "enterprise": enterprise,
        "groups": groups,
        "cases": Case.objects.visible_to(request.user)
        .filter(enterprise=enterprise)
        .select_related("policy")
        if enterprise
        else [],
        "notices": notices[:20],
        "unread": notices.filter(read_at__isnull=True).count(),
        "uscc": uscc,
        "own": access.is_enterprise_user(request.user),
        "served": served,
    }
    return render(request, "policies/mine.html", context)


@login_required
@require_POST
def apply(request: HttpRequest, code: str) -> HttpResponse:
    policy = get_object_or_404(Policy, code=code)
    enterprise = _own_enterprise(request)
    if enterprise is None:
        raise Forbidden(_("Only the enterprise itself applies."))
    try:
        case = services.start_application(request.user, enterprise.pk, policy)
    except LianzhangError as exc:
        say(request, exc)
        return redirect("policies:mine")
    messages.success(request, _("Application drafted from the registry: check it and submit."))
    return redirect("policies:case", pk=case.pk)


@login_required
@require_POST
def notices_read(request: HttpRequest) -> HttpResponse:
    services.mark_read(request.user)
    return redirect("policies:mine")


# --- cases ------------------------------------------------------------------------------


@login_required
def cases(request: HttpRequest) -> HttpResponse:
    found = Case.objects.visible_to(request.user).select_related("policy", "enterprise", "reviewer")
    state, code = request.GET.get("state", ""), request.GET.get("policy", "")
    if state:
        found = found.filter(state=state)
    if code:
        found = found.filter(policy__code=code)
    if request.GET.get("mine"):
        found = found.filter(reviewer_id=request.user.pk)
    return render(
        request,
        "policies/cases.html",
        {
            "cases": found.order_by("-updated_at")[:300],
            "total": found.count(),
            "states": State.choices,
            "state": state,
            "policy": code,
            "policies": Policy.objects.filter(cases__isnull=False).distinct(),
            "mine": bool(request.GET.get("mine")),
        },
    )


def _visible_case(request: HttpRequest, pk: int) -> Case:
    found = Case.objects.visible_to(request.user).select_related("policy", "enterprise", "reviewer")
    case: Case | None = found.filter(pk=pk).first()
    if case is None:
        raise Http404(_("No such case."))
    return case


def _available(request: HttpRequest, case: Case) -> dict[str, bool]:
    """Which forms to show; the services decide again when the form is sent."""
    ours = access.is_enterprise_user(request.user)
    bureau = access.is_bureau(request.user)
    reviewer = case.reviewer_id == request.user.pk
    declared = case.reviews.filter(reviewer_id=request.user.pk).order_by("-at").first()
    s = case.state
    return {
        "confirm": ours and s == State.ELIGIBLE,
        "decline": ours and s in (State.ELIGIBLE, State.DRAFT, State.CORRECTION),
        "edit": ours and s in services.EDITABLE_STATES,
        "object": ours and s == State.REJECTED,
        "assign": bureau and s == State.SUBMITTED,
        "declare": reviewer and s == State.UNDER_REVIEW and declared is None,
        "decide": reviewer and s == State.UNDER_REVIEW and declared is not None,
        "approve": bureau and s == State.CONFIRMED,
        "final": bureau and s == State.OBJECTION,
        "money": bureau and s in workflow.COMMITTED,
        "release": bureau and s == State.HELD,
        "revoke": bureau and s == State.PAID,
    }


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    criteria = case.match.criteria if case.match else []
    context = {
        "case": case,
        "can": _available(request, case),
        "events": queries.timeline(case),
        "reasons": [queries.reason(c) for c in criteria],
        "attachments": case.attachments.all(),
        "reviews": case.reviews.select_related("reviewer"),
        "payments": case.payments.order_by("created_at"),
        "review_tasks": case.review_tasks.select_related("department").order_by("pk"),
        "recovery": getattr(case, "recovery", None),
        "reviewers": access.bureau_users().order_by("username"),
        "application": case.application or {},
        "automatic": case.policy.automatic_grant_allowed,
    }
    return render(request, "policies/case.html", context)


def _held() -> str:
    """An approval the credit register turned into a hold (``transitions.credit_hold``)."""
    return _("Not approved: the credit register lists this enterprise, so the case is held.")


def _act(request: HttpRequest, case: Case, action: str) -> str:
    """Dispatch one case action to its service; returns the success message."""
    post, user, pk = request.POST, request.user, case.pk
    reason = post.get("reason", "")
    version = int(post["version"]) if post.get("version", "").isdigit() else None
    if action == "confirm":
        services.confirm(
            pk,
            user,
            post.get("bank_account", ""),
            post.get("payee_name", ""),
            post.get("bank_name", ""),
        )
        return _("Thank you: your confirmation is recorded and goes to approval.")
    if action == "decline":
        services.decline(pk, user, reason)
        return _("Declined.")
    if action in ("save", "submit"):
        fields = {k: post[k] for k in services.EDITABLE if k in post}
        if fields:
            services.save_application(pk, user, fields)
        if action == "save":
            return _("Application saved.")
        services.submit(pk, user)
        return _("Application submitted with the automatic pre-review attached.")
    if action == "assign":
        reviewer = User.objects.filter(pk=post.get("reviewer") or 0).first()
        if reviewer is None:
            raise LianzhangError("请选择评审人", "choose a reviewer")
        services.assign(pk, user, reviewer)
        return _("Reviewer assigned.")
    if action == "declare":
        services.declare(
            pk, user, conflict=post.get("conflict") == "yes", statement=post.get("statement", "")
        )
        return _("Declaration recorded.")
    if action in ("approve", "reject", "return"):
        if services.decide(pk, user, action, reason, version).state == State.HELD:
            return _held()
        return _("Decision recorded.")
    if action == "release":
        services.release(
            pk,
            user,
            reason,
            payee_exception=post.get("payee_exception") == "on",
            expected_version=version,
        )
        return _("Hold lifted: the case is back for review, and its approval checks again.")
    if action == "revoke":
        services.revoke(pk, user, reason)
        return _("Revoked: the recovery is booked on the ledger.")
    if action == "object":
        services.object_to(pk, user, reason)
        return _("Objection recorded; the bureau takes the final decision.")
    if action in ("uphold", "dismiss"):
        if services.final_decision(pk, user, action == "uphold", reason).state == State.HELD:
            return _held()
        return _("Final decision recorded.")
    raise LianzhangError(f"未知操作 {action}", f"unknown action {action}")


@login_required
@require_POST
def case_act(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    try:
        messages.success(request, _act(request, case, request.POST.get("action", "")))
    except LianzhangError as exc:
        say(request, exc)
    return redirect("policies:case", pk=pk)


@login_required
@require_POST
def case_attach(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to attach."))
        return redirect("policies:case", pk=pk)
    try:
        services.add_attachment(case.pk, request.user, upload)
        messages.success(request, _("Attachment added."))
    except LianzhangError as exc:
        say(request, exc)
    return redirect("policies:case", pk=pk)


@login_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    found = get_object_or_404(Attachment.objects.select_related("case"), pk=pk)
    _visible_case(request, found.case_id)  # the same reach as the case
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.name)
