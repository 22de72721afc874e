"""The shapes of the innovation API: the ``Schema``s of what goes in and comes out, and the
functions that turn records into the outgoing shapes (``demand_out``, ``match_out``,
``provider_out``, ``capability_out``, ``challenge_out``).

Kept apart from the endpoints (``api``) so that each file reads as one thing; the schema
names are those of the OpenAPI description, so they do not change when moved.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from lianzhang.accounts.access import is_bureau
from lianzhang.web.bounded import Day, Money, Text, items

from . import matching, services
from .models import Capability, Challenge, Demand, Provider

# --- demands ----------------------------------------------------------------------------


class DemandIn(Schema):
    uscc: str
    title: str
    problem: str
    indicators: str = ""
    chain_code: str = ""
    node_code: str = ""
    industry_code: str = ""
    region: str = ""
    budget: Money | None = None
    deadline: Day | None = None
    cooperation: str = "any"
    min_trl: int | None = None


class DemandOut(Schema):
    id: int
    uscc: str
    enterprise: str
    title: str
    problem: str
    indicators: str
    chain_code: str
    node_code: str
    industry_code: str
    region: str
    budget: Decimal | None
    deadline: dt.date | None
    cooperation: str
    min_trl: int | None
    status: str


def demand_out(d: Demand) -> dict[str, Any]:
    return {
        "id": d.pk,
        "uscc": d.enterprise_id,
        "enterprise": d.enterprise.name,
        **{
            f: getattr(d, f)
            for f in DemandOut.model_fields
            if f not in ("id", "uscc", "enterprise")
        },
    }


class StatusIn(Schema):
    status: str
    reason: str = ""


class ReasonOut(Schema):
    kind: str
    zh: str
    en: str
    contribution: float


class MatchOut(Schema):
    key: str
    kind: str
    id: str
    name: str
    provider: str
    score: float
    reasons: list[ReasonOut]
    mark: bool | None


def match_out(row: matching.Row) -> dict[str, Any]:
    kind, pk = row.hit.key.split(":")[:2]
    obj = row.obj
    return {
        "key": row.hit.key if kind != "enterprise" else f"enterprise:{pk}",
        "kind": kind,
        "id": pk,
        "name": getattr(obj, "title", None) or obj.name,
        "provider": getattr(getattr(obj, "provider", None), "name", "")
        or getattr(getattr(obj, "enterprise", None), "name", ""),
        "score": round(row.hit.score, 4),
        "reasons": [
            {"kind": r.kind, "zh": r.zh(), "en": r.en(), "contribution": round(r.contribution, 4)}
            for r in row.hit.reasons
        ],
        "mark": row.mark,
    }


class MarkIn(Schema):
    target: str  # "capability:12" or "platform:3", as in a match's key
    good: bool
    note: str = ""


class MarkOut(Schema):
    demand: int
    target: str
    good: bool
    note: str


# --- providers, capabilities and results, platforms ------------------------------------


class ProviderIn(Schema):
    name: str
    kind: str
    region: str = ""
    contact: str = ""


class ProviderOut(Schema):
    id: int
    name: str
    kind: str
    region: str
    uscc: str | None


def provider_out(p: Provider) -> dict[str, Any]:
    return {"id": p.pk, "name": p.name, "kind": p.kind, "region": p.region, "uscc": p.enterprise_id}


class CapabilityIn(Schema):
    provider_id: int | None = None  # or uscc: the enterprise's own provider
    uscc: str | None = None
    kind: str = "result"
    title: str
    field: str = ""
    description: str = ""
    patents: str = ""
    trl: int | None = None
    pilot_platform: str = ""
    chain_code: str = ""
    node_code: str = ""
    industry_code: str = ""
    price: Money | None = None


class CapabilityOut(Schema):
    id: int
    provider_id: int
    provider: str
    provider_kind: str
    kind: str
    title: str
    field: str
    description: str
    patents: str
    trl: int | None
    pilot_platform: str
    chain_code: str
    node_code: str
    industry_code: str
    price: Decimal | None
    stage: str | None


def capability_out(c: Capability) -> dict[str, Any]:
    stage = services.current_stage(c) if c.kind == "result" else None
    skip = ("id", "provider_id", "provider", "provider_kind", "stage")
    return {
        "id": c.pk,
        "provider_id": c.provider_id,
        "provider": c.provider.name,
        "provider_kind": c.provider.kind,
        "stage": stage.stage if stage else None,
        **{f: getattr(c, f) for f in CapabilityOut.model_fields if f not in skip},
    }


class ResultMatchesOut(Schema):
    demands: list[MatchOut]
    enterprises: list[MatchOut]


class PlatformOut(Schema):
    id: int
    name: str
    kind: str
    region: str
    services: str
    chain_code: str
    industry_code: str


class PlatformIn(Schema):
    name: str
    kind: str  # poc (概念验证中心) or pilot (中试基地)
    region: str = ""
    services: str = ""
    chain_code: str = ""
    industry_code: str = ""


# --- 揭榜挂帅 ---------------------------------------------------------------------------


class ChallengeIn(Schema):
    mode: str = "demand"
    title: str
    goal: str
    indicators: str = ""
    award: Money
    deadline: Day
    eligible_kinds: items(str, 20) = []  # type: ignore[valid-type]
    eligibility: Text = ""
    demand_id: int | None = None
    result_id: int | None = None


class ApplicationOut(Schema):
    id: int
    applicant: str
    provider_id: int | None
    uscc: str | None
    plan: str
    mean_score: Decimal | None
    scores: int


class MilestoneOut(Schema):
    id: int
    seq: int
    title: str
    due: dt.date
    amount: Decimal
    status: str
    reached_on: dt.date | None
    paid_on: dt.date | None


class ChallengeOut(Schema):
    id: int
    mode: str
    title: str
    goal: str
    indicators: str
    award: Decimal
    paid: Decimal
    deadline: dt.date
    eligible_kinds: list[str]
    eligibility: str
    demand_id: int | None
    result_id: int | None
    status: str
    winner_id: int | None
    accepted_on: dt.date | None
    acceptance_note: str
    applications: list[ApplicationOut]
    milestones: list[MilestoneOut]


def challenge_out(user: Any, c: Challenge) -> dict[str, Any]:
    # Scores are the experts' business until the award: only the bureau sees them.
    scored = {a.pk: (m, n) for a, m, n in services.ranking_of(c)}
    show = is_bureau(user) or c.status in ("awarded", "accepted", "failed")
    apps = [
        {
            "id": a.pk,
            "applicant": a.applicant,
            "provider_id": a.provider_id,
            "uscc": a.enterprise_id,
            "plan": a.plan,
            "mean_score": scored.get(a.pk, (None, 0))[0] if show else None,
            "scores": scored.get(a.pk, (None, 0))[1] if show else 0,
        }
        for a in c.applications.select_related("provider", "enterprise")
    ]
    miles = [
        {
            "id": m.pk,
            "seq": m.seq,
            "title": m.title,
            "due": m.due,
            "amount": m.amount,
            "status": m.status,
            "reached_on": m.reached_on,
            "paid_on": getattr(getattr(m, "payment", None), "paid_on", None),
        }
        for m in c.milestones.select_related("payment")
    ]
    simple = ("mode", "title", "goal", "indicators", "award", "deadline", "eligible_kinds")
    return {
        "id": c.pk,
        **{f: getattr(c, f) for f in simple},
        "eligibility": c.eligibility,
        "demand_id": c.demand_id,
        "result_id": c.result_id,
        "status": c.status,
        "winner_id": c.winner_id,
        "accepted_on": c.accepted_on,
        "acceptance_note": c.acceptance_note,
        "paid": services.paid_total(c),
        "applications": apps,
        "milestones": miles,
    }


class ActionIn(Schema):
    on: Day | None = None  # acceptance date; today when omitted
    note: str = ""
    application_id: int | None = None  # award to this scored bid instead of the best
    result_trl: int | None = None


class ApplyIn(Schema):
    plan: str
    provider_id: int | None = None  # a bidder (mode demand)
    uscc: str | None = None  # an enterprise taking a result up (mode result)


class ReviewIn(Schema):
    conflict: bool  # declared first; a conflicted expert gives no score
    score: Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)] | None = None
    conflict_note: str = ""
    comment: str = ""


class ReviewOut(Schema):
    id: int
    application_id: int
    conflict: bool
    score: Decimal | None


class MilestoneIn(Schema):
    title: str
    due: Day
    amount: Money


class OnIn(Schema):
    on: Day | None = None
    note: str = ""


# --- 成果转化 pipeline ------------------------------------------------------------------


class StageIn(Schema):
    stage: str  # screening · poc · pilot · incubation · licensed · dropped
    on: Day
    owner: str = ""
    outcome: str = ""


class StageOut(Schema):
    result_id: int
    stage: str
    entered_on: dt.date
    owner: str
    outcome: str


class StalledOut(Schema):
    result_id: int
    title: str
    stage: str
    since: dt.date
    days: int
    owner: str


class BoardOut(Schema):
    counts: dict[str, int]
    reached: dict[str, int]
    conversion: dict[str, Decimal | None]
    by_chain: dict[str, dict[str, int]]
    by_source: dict[str, dict[str, int]]
    conversion_by_chain: dict[str, dict[str, Decimal | None]]
    conversion_by_source: dict[str, dict[str, Decimal | None]]
    stalled: list[StalledOut]
