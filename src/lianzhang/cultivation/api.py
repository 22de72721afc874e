"""The 梯度培育 API (mounted at ``/api/v1/cultivation``): the pyramid, candidates, expiring
titles and targets, with the page's filters and scope. Shares are exact fractions as
strings (``"2/3"``); dates are ISO."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from lianzhang.accounts import access
from lianzhang.web.bounded import Day, Year
from lianzhang.web.errors import Error

from . import filters, ladder, queries

router = Router(tags=["cultivation"])
E = {400: Error, 403: Error, 404: Error, 422: Error}
Months = Annotated[int, Field(ge=1, le=filters.MAX_MONTHS)]
Short = Annotated[str, Field(max_length=60, pattern=r"^[^\x00]*$")]
TierCode = Annotated[str, Field(max_length=24, pattern=r"^[a-z_]+$")]


class TierOut(Schema):
    tier: str
    label: str
    label_en: str
    count: int
    #: 规上: firms whose status is unknown; 上市: "register empty" while no listing is imported
    unknown: int | str | None


class CandidateOut(Schema):
    uscc: str
    name: str
    district: str
    policy: str
    lacks: str = ""


class CandidatesOut(Schema):
    tier: str
    label: str
    run: dict[str, Any] | None
    eligible: list[CandidateOut]
    near: list[CandidateOut]


class ExpiringOut(Schema):
    uscc: str
    name: str
    district: str
    tier: str
    label: str
    valid_until: dt.date
    review: str


class TargetOut(Schema):
    district: str
    tier: str
    label: str
    target: int
    achieved: int
    share: str | None


def _scope(request: HttpRequest, on: dt.date | None, district: str, chain: str) -> Any:
    f = filters.parse(on.isoformat() if on else None, district, chain, None, timezone.localdate())
    return queries.narrow(access.cultivation_scope(request.user), f.district, f.chain), f


@router.get("/pyramid", response={200: list[TierOut], **E})
def pyramid(
    request: HttpRequest, on: Day | None = None, district: Short = "", chain: Short = ""
) -> Any:
    """Each tier's holders on ``on`` (default today), base first."""
    scope, f = _scope(request, on, district, chain)
    return queries.pyramid(scope, f.on)


@router.get("/candidates/{tier}", response={200: CandidatesOut, **E})
def candidates(
    request: HttpRequest, tier: TierCode, district: Short = "", chain: Short = ""
) -> Any:
    """Candidates for ``tier`` from the newest match run (eligible without the title, near
    misses with what they lack)."""
    scope, _f = _scope(request, None, district, chain)
    return queries.candidates(scope, ladder.tier(tier).code)


@router.get("/expiring", response={200: list[ExpiringOut], **E})
def expiring(
    request: HttpRequest,
    on: Day | None = None,
    months: Months = 6,
    district: Short = "",
    chain: Short = "",
) -> Any:
    """Titles expiring within ``months`` of ``on`` and not yet renewed, with re-review."""
    scope, f = _scope(request, on, district, chain)
    return queries.expiring(scope, f.on, months)


@router.get("/targets", response={200: list[TargetOut], **E})
def targets(request: HttpRequest, year: Year, district: Short = "", chain: Short = "") -> Any:
    """The year's targets beside the counts achieved (at its end, or today while it runs)."""
    scope, _f = _scope(request, None, district, chain)
    rows = queries.targets(scope, year, timezone.localdate())
    return [{**r, "share": None if r["share"] is None else str(r["share"])} for r in rows]
