"""The innovation API (mounted at ``/api/v1/innovation``): demands, capabilities and
results, matching with reasons, analysts' marks, 揭榜挂帅 and the transfer pipeline.

Thin, like the pages: parse, call ``services``/``matching``, shape the answer (the shapes,
and the functions that fill them, are in ``schemas``). Auth is the API's (bearer token or
session); who may see or do what is decided by the services through ``accounts.access``.
Money is exact (decimal strings), dates ISO, unknown is ``null``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from lianzhang.accounts import access
from lianzhang.core.errors import NotFound, ValidationError
from lianzhang.web.bounded import Days, Name
from lianzhang.web.errors import Error

from . import matching, services
from .models import Application, Capability, Challenge, Demand, Milestone, Platform, Provider
from .schemas import (
    ActionIn,
    ApplicationOut,
    ApplyIn,
    BoardOut,
    CapabilityIn,
    CapabilityOut,
    ChallengeIn,
    ChallengeOut,
    DemandIn,
    DemandOut,
    MarkIn,
    MarkOut,
    MatchOut,
    MilestoneIn,
    OnIn,
    PlatformIn,
    PlatformOut,
    ProviderIn,
    ProviderOut,
    ResultMatchesOut,
    ReviewIn,
    ReviewOut,
    StageIn,
    StageOut,
    StatusIn,
    capability_out,
    challenge_out,
    demand_out,
    match_out,
    provider_out,
)

router = Router(tags=["innovation"])


E = {400: Error, 403: Error, 404: Error}


def _created(body: Any) -> Status[Any]:
    return Status(201, body)


def _get(model: Any, pk: int, zh: str, en: str) -> Any:
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(f"没有{zh} {pk}", f"no {en} {pk}")
    return found


# --- demands ----------------------------------------------------------------------------


def _visible_demand(request: HttpRequest, pk: int) -> Demand:
    found: Demand | None = services.visible_demands(request.user).filter(pk=pk).first()
    if found is None:
        raise NotFound(f"没有可见的技术需求 {pk}", f"no visible demand {pk}")
    return found


@router.get("/demands", response=list[DemandOut])
def list_demands(
    request: HttpRequest, q: Name = "", status: Name = "", chain: Name = ""
) -> list[dict[str, Any]]:
    """技术需求清单 within the user's reach (newest first, at most 1,000)."""
    found = services.visible_demands(request.user)
    if q:
        found = found.filter(title__icontains=q) | found.filter(problem__icontains=q)
    if status:
        found = found.filter(status=status)
    if chain:
        found = found.filter(chain_code=chain)
    return [demand_out(d) for d in found[:1000]]


@router.post("/demands", response={201: DemandOut, **E})
def post_demand(request: HttpRequest, body: DemandIn) -> Any:
    fields = body.dict()
    demand = services.post_demand(request.user, fields.pop("uscc").upper(), **fields)
    return _created(demand_out(demand))


@router.get("/demands/{demand_id}", response={200: DemandOut, **E})
def get_demand(request: HttpRequest, demand_id: int) -> dict[str, Any]:
    return demand_out(_visible_demand(request, demand_id))


@router.post("/demands/{demand_id}/status", response={200: DemandOut, **E})
def demand_status(request: HttpRequest, demand_id: int, body: StatusIn) -> dict[str, Any]:
    demand = _visible_demand(request, demand_id)
    return demand_out(services.set_demand_status(request.user, demand, body.status, body.reason))


@router.get("/demands/{demand_id}/matches", response={200: list[MatchOut], **E})
def demand_matches(request: HttpRequest, demand_id: int, k: int = 10) -> list[dict[str, Any]]:
    """Capabilities, results, experts and platforms for a demand, best first, with reasons."""
    demand = _visible_demand(request, demand_id)
    return [match_out(r) for r in matching.match_demand(demand, max(1, min(k, 100)))]


@router.post("/demands/{demand_id}/marks", response={200: MarkOut, **E})
def mark(request: HttpRequest, demand_id: int, body: MarkIn) -> dict[str, Any]:
    """An analyst's good/bad mark; it changes later rankings for this and similar demands."""
    demand = _visible_demand(request, demand_id)
    m = services.mark_match(request.user, demand, body.target, body.good, body.note)
    return {"demand": demand.pk, "target": m.target, "good": m.good, "note": m.note}


# --- providers, capabilities and results, platforms ------------------------------------


@router.get("/providers", response=list[ProviderOut])
def list_providers(request: HttpRequest, kind: str = "") -> list[dict[str, Any]]:
    found = Provider.objects.all()
    if kind:
        found = found.filter(kind=kind)
    return [provider_out(p) for p in found[:2000]]


@router.post("/providers", response={201: ProviderOut, **E})
def create_provider(request: HttpRequest, body: ProviderIn) -> Any:
    """Register a university, institute, enterprise or expert (the bureau)."""
    provider = services.create_provider(
        request.user, body.name, body.kind, region=body.region, contact=body.contact
    )
    return _created(provider_out(provider))


@router.get("/capabilities", response=list[CapabilityOut])
def list_capabilities(
    request: HttpRequest, kind: str = "", q: str = "", chain: str = ""
) -> list[dict[str, Any]]:
    """The marketplace of capabilities and results (成果), newest first."""
    found = Capability.objects.select_related("provider")
    if kind:
        found = found.filter(kind=kind)
    if q:
        found = found.filter(title__icontains=q)
    if chain:
        found = found.filter(chain_code=chain)
    return [capability_out(c) for c in found[:1000]]


@router.post("/capabilities", response={201: CapabilityOut, **E})
def post_capability(request: HttpRequest, body: CapabilityIn) -> Any:
    """Post a result (成果), a capability or an expert's field for a provider."""
    fields = body.dict()
    provider_id, uscc = fields.pop("provider_id"), fields.pop("uscc")
    if (provider_id is None) == (uscc is None):
        raise ValidationError(
            "请指明 provider_id 或 uscc（二选一）", "give either provider_id or uscc"
        )
    if uscc is not None:
        provider = services.own_provider(request.user, uscc.upper())
    else:
        provider = _get(Provider, provider_id, "成果主体", "provider")
    return _created(capability_out(services.post_capability(request.user, provider, **fields)))


@router.get("/capabilities/{capability_id}", response={200: CapabilityOut, **E})
def get_capability(request: HttpRequest, capability_id: int) -> dict[str, Any]:
    return capability_out(_get(Capability, capability_id, "能力或成果", "capability"))


@router.get("/capabilities/{capability_id}/matches", response={200: ResultMatchesOut, **E})
def result_matches(request: HttpRequest, capability_id: int, k: int = 10) -> dict[str, Any]:
    """For a result: the demands that need it, and enterprises on the chains that need it."""
    result = _get(Capability, capability_id, "能力或成果", "capability")
    visible = services.visible_usccs(request.user)
    k = max(1, min(k, 100))
    return {
        "demands": [match_out(r) for r in matching.match_result(result, k, visible=visible)],
        "enterprises": [
            match_out(r) for r in matching.match_enterprises(result, k, visible=visible)
        ],
    }


@router.post("/platforms", response={201: PlatformOut, **E})
def create_platform(request: HttpRequest, body: PlatformIn) -> Any:
    """Register a concept-verification centre or pilot-scale base (the bureau)."""
    fields = body.dict()
    return _created(
        services.create_platform(request.user, fields.pop("name"), fields.pop("kind"), **fields)
    )


@router.get("/platforms", response=list[PlatformOut])
def list_platforms(request: HttpRequest, kind: str = "") -> Any:
    """概念验证中心 and 中试基地 with their services."""
    found = Platform.objects.all()
    return found.filter(kind=kind) if kind else found


# --- 揭榜挂帅 ---------------------------------------------------------------------------


def _challenge_of(pk: int) -> Challenge:
    found: Challenge = _get(Challenge, pk, "榜单", "challenge")
    return found


@router.get("/challenges", response=list[ChallengeOut])
def list_challenges(request: HttpRequest, status: str = "") -> list[dict[str, Any]]:
    """榜单 the user may see (drafts only for the bureau), newest first."""
    found = Challenge.objects.visible_to(request.user)
    if status:
        found = found.filter(status=status)
    return [challenge_out(request.user, c) for c in found[:500]]


@router.post("/challenges", response={201: ChallengeOut, **E})
def create_challenge(request: HttpRequest, body: ChallengeIn) -> Any:
    """A draft 榜单 (mode ``demand``), or a result seeking takers (mode ``result``)."""
    fields = body.dict()
    demand_id, result_id = fields.pop("demand_id"), fields.pop("result_id")
    if demand_id is not None:
        fields["demand"] = _get(Demand, demand_id, "技术需求", "demand")
    if result_id is not None:
        fields["result"] = _get(Capability, result_id, "成果", "result")
    return _created(challenge_out(request.user, services.create_challenge(request.user, **fields)))


@router.get("/challenges/{challenge_id}", response={200: ChallengeOut, **E})
def get_challenge(request: HttpRequest, challenge_id: int) -> dict[str, Any]:
    c = Challenge.objects.visible_to(request.user).filter(pk=challenge_id).first()
    if c is None:  # a draft the user may not see reads as missing
        raise NotFound(f"没有榜单 {challenge_id}", f"no challenge {challenge_id}")
    return challenge_out(request.user, c)


@router.post("/challenges/{challenge_id}/actions/{action}", response={200: ChallengeOut, **E})
def challenge_action(
    request: HttpRequest, challenge_id: int, action: str, body: ActionIn
) -> dict[str, Any]:
    """publish · close (to expert review) · award · accept (验收通过) · fail · cancel."""
    c, user, on = _challenge_of(challenge_id), request.user, body.on or dt.date.today()
    if action == "publish":
        services.publish_challenge(user, c)
    elif action == "close":
        services.close_applications(user, c)
    elif action == "award":
        chosen = None
        if body.application_id is not None:
            chosen = _get(Application, body.application_id, "揭榜申请", "application")
        services.award(user, c, chosen)
    elif action in ("accept", "fail"):
        services.accept(
            user, c, on=on, passed=action == "accept", note=body.note, result_trl=body.result_trl
        )
    elif action == "cancel":
        services.cancel_challenge(user, c, body.note)
    else:
        raise ValidationError(f"不支持的操作 {action}", f"unsupported action {action}")
    return challenge_out(request.user, _challenge_of(challenge_id))


@router.post("/challenges/{challenge_id}/applications", response={201: ApplicationOut, **E})
def apply(request: HttpRequest, challenge_id: int, body: ApplyIn) -> Any:
    """揭榜: bid for a challenge, or (two-way) apply to take a result up."""
    c = _challenge_of(challenge_id)
    provider = (
        _get(Provider, body.provider_id, "揭榜单位", "provider") if body.provider_id else None
    )
    enterprise = None
    if body.uscc:
        enterprise = access.enterprise_for(request.user, body.uscc.upper())
    a = services.apply(request.user, c, plan=body.plan, provider=provider, enterprise=enterprise)
    return _created(
        {
            "id": a.pk,
            "applicant": a.applicant,
            "provider_id": a.provider_id,
            "uscc": a.enterprise_id,
            "plan": a.plan,
            "mean_score": None,
            "scores": 0,
        }
    )


@router.post("/applications/{application_id}/reviews", response={201: ReviewOut, **E})
def review(request: HttpRequest, application_id: int, body: ReviewIn) -> Any:
    """An expert's review: conflict-of-interest declaration, then a 0–100 score."""
    application = _get(Application, application_id, "揭榜申请", "application")
    r = services.review(
        request.user,
        application,
        conflict=body.conflict,
        score=body.score,
        conflict_note=body.conflict_note,
        comment=body.comment,
    )
    return _created(
        {
            "id": r.pk,
            "application_id": application.pk,
            "conflict": r.conflict,
            "score": r.score,
        }
    )


@router.post("/challenges/{challenge_id}/milestones", response={201: ChallengeOut, **E})
def add_milestone(request: HttpRequest, challenge_id: int, body: MilestoneIn) -> Any:
    """A milestone with the payment tied to it (payments never add up past the award)."""
    c = _challenge_of(challenge_id)
    services.add_milestone(request.user, c, title=body.title, due=body.due, amount=body.amount)
    return _created(challenge_out(request.user, c))


@router.post("/milestones/{milestone_id}/{action}", response={200: ChallengeOut, **E})
def milestone_action(
    request: HttpRequest, milestone_id: int, action: str, body: OnIn
) -> dict[str, Any]:
    """``reach`` (confirm the milestone is met) or ``pay`` (pay exactly its amount)."""
    m = _get(Milestone, milestone_id, "里程碑", "milestone")
    on = body.on or dt.date.today()
    if action == "reach":
        services.reach_milestone(request.user, m, on, body.note)
    elif action == "pay":
        services.pay_milestone(request.user, m, on)
    else:
        raise ValidationError(f"不支持的操作 {action}", f"unsupported action {action}")
    return challenge_out(request.user, m.challenge)


# --- 成果转化 pipeline ------------------------------------------------------------------


@router.post("/results/{result_id}/stages", response={201: list[StageOut], **E})
def advance(request: HttpRequest, result_id: int, body: StageIn) -> Any:
    """Move a result to its next stage; answers the result's whole history."""
    result = _get(Capability, result_id, "成果", "result")
    services.advance(
        request.user, result, body.stage, on=body.on, owner=body.owner, outcome=body.outcome
    )
    return _created(
        [
            {
                "result_id": result.pk,
                "stage": e.stage,
                "entered_on": e.entered_on,
                "owner": e.owner,
                "outcome": e.outcome,
            }
            for e in result.stages.all()
        ]
    )


@router.get("/pipeline", response={200: BoardOut, **E})
def pipeline(request: HttpRequest, stall_days: Days = 180) -> dict[str, Any]:
    """Counts and conversion rates (fractions) by stage, chain and source; stalled results."""
    b = services.board(today=dt.date.today(), stall_days=stall_days)
    return {
        "counts": b.counts,
        "reached": b.reached,
        "conversion": b.conversion,
        "by_chain": b.by_chain,
        "by_source": b.by_source,
        "conversion_by_chain": b.conversion_by_chain,
        "conversion_by_source": b.conversion_by_source,
        "stalled": [
            {
                "result_id": r.pk,
                "title": r.title,
                "stage": e.stage,
                "since": e.entered_on,
                "days": age,
                "owner": e.owner,
            }
            for r, e, age in b.stalled
        ],
    }
