"""Match-run pages: the history, one run's manifest and progress (cancel, retry), and the
difference of two runs.

Who may read them, and over which enterprises, is ``accounts.access.match_runs_scope``:
the bureau everything; a district officer the runs' figures and its district's results.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lianzhang.accounts import access
from lianzhang.core.errors import LianzhangError

from . import background, run_diff, run_history
from .models import MatchRun
from .pages import say

PAGE = 50


class _Changes:
    """The diff's rows as a sequence the paginator slices (reasons fetched per page)."""

    def __init__(self, found: run_diff.Diff, policy: str, change: str) -> None:
        self.found, self.policy, self.change = found, policy, change
        self.total = found.select(policy, change).height

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, chosen: slice) -> list[dict[str, Any]]:
        start = chosen.start or 0
        stop = self.total if chosen.stop is None else chosen.stop
        return self.found.rows(self.policy, self.change, start, max(stop - start, 0))


@login_required
def runs(request: HttpRequest) -> HttpResponse:
    scope = access.match_runs_scope(request.user)
    rows = run_history.history()
    for older, newer in zip(rows[1:], rows, strict=False):
        newer["previous"] = older["id"]
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    return render(request, "policies/runs.html", {"page": page, "district": scope is not None})


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = access.match_runs_scope(request.user)
    run = run_history.run_of(pk)
    against = request.GET.get("against", "")
    if against.isdigit():
        return redirect("policies:run-diff", int(against), run.pk)
    others = MatchRun.objects.exclude(pk=run.pk).filter(finished_at__isnull=False)
    context = {
        "run": run_history.manifest(run, scope),
        "others": others.order_by("-started_at", "-pk").values("pk", "as_of")[:200],
        "district": scope is not None,
        **_progress(request, run),
    }
    return render(request, "policies/run.html", context)


def _progress(request: HttpRequest, run: MatchRun) -> dict[str, Any]:
    return {
        "job": run,
        "stage": background.STAGES.get(run.stage, ""),
        "bureau": access.is_bureau(request.user),
    }


@login_required
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress card alone, polled by the run's page while it is queued or running."""
    access.match_runs_scope(request.user)
    context = _progress(request, run_history.run_of(pk))
    return render(request, "policies/_run_progress.html", context)


@login_required
@require_POST
def run_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        background.cancel(pk, request.user)
    except LianzhangError as exc:
        say(request, exc)
    return redirect("policies:run", pk)


@login_required
@require_POST
def run_retry(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        background.retry(pk, request.user)
    except LianzhangError as exc:
        say(request, exc)
    return redirect("policies:run", pk)


@login_required
def run_compare(request: HttpRequest, a: int, b: int) -> HttpResponse:
    scope = access.match_runs_scope(request.user)
    found = run_diff.diff(run_history.run_of(a), run_history.run_of(b), scope)
    policy = request.GET.get("policy", "")
    change = request.GET.get("change", "")
    if change not in run_diff.CHANGES:
        change = ""
    changes: Any = _Changes(found, policy, change)  # a sliceable sequence, as Paginator needs
    page = Paginator(changes, PAGE).get_page(request.GET.get("page"))
    context = {
        "found": found,
        "page": page,
        "policy": policy,
        "change": change,
        "changes": [(c, run_diff.change_label(c)) for c in run_diff.CHANGES],
        "policies": [p for p in found.by_policy if p["gained"] or p["lost"] or p["award"]],
        "district": scope is not None,
    }
    return render(request, "policies/run_diff.html", context)


@login_required
def run_compare_xlsx(request: HttpRequest, a: int, b: int) -> HttpResponse:
    scope = access.match_runs_scope(request.user)
    found = run_diff.diff(run_history.run_of(a), run_history.run_of(b), scope)
    book = io.BytesIO()
    run_diff.write_workbook(found, book, request.GET.get("policy", ""))
    response = HttpResponse(
        book.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="match-runs-{a}-{b}.xlsx"'
    return response
