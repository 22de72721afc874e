"""The match-run history and the difference of two runs in the REST API.

The bureau reads every run; a district officer the runs' figures and its district's
changes (``accounts.access.match_runs_scope``). ``GET /match-runs/{run_id}`` (one run with
its manifest) and ``POST /match-runs`` (run a match now) are here too: one router per path.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from lianzhang.accounts import access
from lianzhang.core.errors import NotFound
from lianzhang.web.bounded import Day
from lianzhang.web.errors import Error

from .. import background, run_diff, run_history
from ..models import MatchRun

router = Router(tags=["policy delivery"])

Limit = Annotated[int, Field(ge=1, le=1000)]
Offset = Annotated[int, Field(ge=0)]
Code = Annotated[str, Field(max_length=120, pattern=r"^[^\x00]*$")]


class RunRowOut(Schema):
    id: int
    as_of: dt.date
    started_at: dt.datetime
    finished_at: dt.datetime | None
    started_by: str
    enterprises: int
    eligible: int
    needs_review: int
    policies: int


class MatchIn(Schema):
    as_of: Day


class MatchRunOut(Schema):
    id: int
    as_of: dt.date
    #: queued, running, finished, failed or cancelled; results count once finished
    status: str
    stage: str
    done: int
    total: int
    error: str
    enterprises: int
    eligible: int
    manifest: dict[str, Any]


class MatchRunIn(MatchIn):
    open_cases: bool = False


@router.post("/match-runs", response={202: MatchRunOut, 403: Error}, tags=["policy delivery"])
def create_match_run(request: HttpRequest, body: MatchRunIn) -> Any:
    """Queue a run (202): the worker evaluates it; poll ``GET /match-runs/{id}`` for its
    status and progress. ``open_cases``: then open cases and tell the enterprises."""
    access.require(request.user, "import")  # the bureau runs matches
    return 202, background.queue_match(body.as_of, request.user, open_cases=body.open_cases)


@router.post(
    "/match-runs/{run_id}/cancel",
    response={200: MatchRunOut, 403: Error, 404: Error, 409: Error},
    tags=["policy delivery"],
)
def cancel_match_run(request: HttpRequest, run_id: int) -> Any:
    return background.cancel(run_id, request.user)


@router.post(
    "/match-runs/{run_id}/retry",
    response={200: MatchRunOut, 403: Error, 404: Error, 409: Error},
    tags=["policy delivery"],
)
def retry_match_run(request: HttpRequest, run_id: int) -> Any:
    return background.retry(run_id, request.user)


@router.get(
    "/match-runs/{run_id}", response={200: MatchRunOut, 404: Error}, tags=["policy delivery"]
)
def get_match_run(request: HttpRequest, run_id: int) -> Any:
    access.require(request.user, "import")
    run = MatchRun.objects.filter(pk=run_id).first()
    if run is None:
        raise NotFound(f"没有匹配 {run_id}", f"no match run {run_id}")
    return run


@router.get("/match-runs", response={200: list[RunRowOut], 403: Error}, tags=["policy delivery"])
def list_match_runs(request: HttpRequest, limit: Limit = 100) -> list[dict[str, Any]]:
    """The match runs, newest first: as-of date, when, by whom, and their counts."""
    access.match_runs_scope(request.user)
    return run_history.history(limit)


class RunRefOut(Schema):
    id: int
    as_of: dt.date
    finished_at: dt.datetime | None


class PolicyDiffOut(Schema):
    policy: str
    title: str
    in_a: bool
    in_b: bool
    eligible_a: int
    eligible_b: int
    award_a: Decimal
    award_b: Decimal
    gained: int
    lost: int
    award: int


class ReasonOut(Schema):
    #: the criterion id; "award" for the award line, "" for a note on the whole result
    criterion: str
    label: str
    passed_a: bool | None
    passed_b: bool | None
    value_a: float | None
    value_b: float | None
    threshold_a: float | None
    threshold_b: float | None
    text: str


class ChangeOut(Schema):
    policy: str
    title: str
    uscc: str
    name: str
    district: str
    #: gained | lost | award
    change: str
    #: eligible | undetermined | ineligible; null: no stored result (a clear miss)
    verdict_a: str | None
    verdict_b: str | None
    award_a: Decimal | None
    award_b: Decimal | None
    reasons: list[ReasonOut]


class DiffOut(Schema):
    a: RunRefOut
    b: RunRefOut
    policies: list[PolicyDiffOut]
    #: the changes that match the filters (``changes`` is one page of them)
    total: int
    changes: list[ChangeOut]


@router.get(
    "/match-runs/{a}/diff/{b}",
    response={200: DiffOut, 400: Error, 403: Error, 404: Error, 409: Error},
    tags=["policy delivery"],
)
def diff_match_runs(
    request: HttpRequest,
    a: int,
    b: int,
    policy: Code = "",
    change: Code = "",
    offset: Offset = 0,
    limit: Limit = 200,
) -> dict[str, Any]:
    """Who gained or lost eligibility between run ``a`` and run ``b`` and whose award
    changed, per policy, each with the criteria that flipped and their values."""
    scope = access.match_runs_scope(request.user)
    found = run_diff.diff(run_history.run_of(a), run_history.run_of(b), scope)
    if change not in run_diff.CHANGES:
        change = ""
    rows = found.rows(policy, change, offset, limit)
    return {
        "a": {"id": found.a.pk, "as_of": found.a.as_of, "finished_at": found.a.finished_at},
        "b": {"id": found.b.pk, "as_of": found.b.as_of, "finished_at": found.b.finished_at},
        "policies": [
            {**p, "award_a": Decimal(p["award_a"]) / 100, "award_b": Decimal(p["award_b"]) / 100}
            for p in found.by_policy
            if not policy or p["policy"] == policy
        ],
        "total": found.select(policy, change).height,
        "changes": rows,
    }
