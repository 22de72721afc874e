"""Use cases of the innovation app: the only writers. Each runs in one transaction, checks
permissions through ``accounts.access``, and leaves an audit ``Event`` for every change of
state (who, when, from, to, why). Errors are ``LianzhangError``s in Chinese and English
and write nothing.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from lianzhang.accounts.access import enterprises_for, may_act_for, role_of
from lianzhang.core import gbt4754
from lianzhang.core.errors import NotFound, PermissionDenied, ValidationError
from lianzhang.core.money import FEN
from lianzhang.enterprises.models import Enterprise

from .models import (
    Application,
    Capability,
    CapabilityKind,
    Challenge,
    ChallengeMode,
    ChallengeStatus,
    Cooperation,
    Demand,
    DemandStatus,
    Event,
    MatchMark,
    Milestone,
    Payment,
    Platform,
    PlatformKind,
    Provider,
    ProviderKind,
    Review,
    StageEntry,
)

BUREAU = ("admin", "analyst")


def _event(
    kind: str, obj: Any, action: str, by: Any, frm: str = "", to: str = "", why: str = ""
) -> None:
    Event.objects.create(
        kind=kind,
        object_id=obj.pk,
        action=action,
        from_state=frm,
        to_state=to,
        by=by if getattr(by, "pk", None) else None,
        reason=why,
    )


def _require_bureau(user: Any) -> None:
    if role_of(user) not in BUREAU:
        raise PermissionDenied(
            "只有经信局管理员或分析师可以执行此操作",
            "only bureau administrators and analysts may do this",
        )


def _money(value: Any, what_zh: str, what_en: str, *, allow_none: bool = True) -> Decimal | None:
    if value is None or value == "":
        if allow_none:
            return None
        raise ValidationError(f"{what_zh}必须填写", f"{what_en} is required")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except ArithmeticError:
        raise ValidationError(
            f"{what_zh}不是金额：{value}", f"{what_en} is not an amount: {value}"
        ) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError(
            f"{what_zh}必须是非负金额：{value}", f"{what_en} must be a non-negative amount"
        )
    if amount != amount.quantize(FEN):
        raise ValidationError(
            f"{what_zh}最多精确到分：{value}", f"{what_en} is exact to the fen: {value}"
        )
    return amount.quantize(FEN)


def _trl(value: Any, field: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        trl = int(value)
    except (TypeError, ValueError):
        trl = 0
    if not 1 <= trl <= 9 or str(value).strip() not in (str(trl), f"{trl}.0"):
        raise ValidationError(
            f"{field}应为 1–9 的技术成熟度等级（TRL），而不是 {value}",
            f"{field} must be a technology readiness level 1–9, not {value}",
        )
    return trl


def _industry(code: str) -> str:
    return gbt4754.validate_class(code) if code else ""


def _choice(value: Any, choices: Any, zh: str, en: str, default: str | None = None) -> str:
    value = value or default
    if value not in choices.values:
        raise ValidationError(
            f"{zh}无效：{value}（可选：{'、'.join(choices.values)}）",
            f"invalid {en}: {value} (one of {', '.join(choices.values)})",
        )
    return str(value)


def _date(value: Any, zh: str, en: str, *, required: bool = False) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise ValidationError(f"{zh}必须填写", f"{en} is required")
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(
            f"{zh}不是日期（YYYY-MM-DD）：{value}", f"{en} is not a date (YYYY-MM-DD): {value}"
        ) from None


def _text(value: str, zh: str, en: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(f"{zh}不能为空", f"{en} must not be empty")
    return value


# -- demands, capabilities, platforms -------------------------------------------------------


def is_bureau(user: Any) -> bool:
    return role_of(user) in BUREAU


def visible_usccs(user: Any) -> set[str] | None:
    """Enterprises a user may see in match results; None means all (the bureau)."""
    if is_bureau(user):
        return None
    return set(enterprises_for(user, "view").values_list("pk", flat=True))


def visible_demands(user: Any) -> Any:
    """Demands a user may see: the bureau all, others those of enterprises they may view."""
    demands = Demand.objects.select_related("enterprise")
    if is_bureau(user):
        return demands
    return demands.filter(enterprise__in=enterprises_for(user, "view"))


@transaction.atomic
def post_demand(user: Any, uscc: str, **fields: Any) -> Demand:
    """Publish a technical demand for an enterprise the user may act for."""
    if not may_act_for(user, uscc):
        raise PermissionDenied(
            f"无权为企业 {uscc} 发布技术需求（或该企业不存在）",
            f"you may not post demands for enterprise {uscc} (or it does not exist)",
        )
    enterprise = Enterprise.objects.get(pk=uscc)
    demand = Demand.objects.create(
        enterprise=enterprise,
        title=_text(fields.get("title", ""), "需求名称", "title"),
        problem=_text(fields.get("problem", ""), "问题描述", "problem statement"),
        indicators=fields.get("indicators", "") or "",
        chain_code=fields.get("chain_code", "") or "",
        node_code=fields.get("node_code", "") or "",
        industry_code=_industry(fields.get("industry_code") or enterprise.industry_code or ""),
        region=fields.get("region") or enterprise.district,
        budget=_money(fields.get("budget"), "预算", "budget"),  # type: ignore[misc]
        deadline=_date(fields.get("deadline"), "截止日期", "deadline"),
        cooperation=_choice(
            fields.get("cooperation"), Cooperation, "合作方式", "cooperation mode", "any"
        ),
        min_trl=_trl(fields.get("min_trl"), "最低成熟度"),
        created_by=user if getattr(user, "pk", None) else None,
    )
    _event("demand", demand, "publish", user, "", demand.status)
    return demand


@transaction.atomic
def set_demand_status(user: Any, demand: Demand, status: str, why: str = "") -> Demand:
    """Mark a demand matched or closed (its enterprise or the bureau)."""
    if not (may_act_for(user, demand.enterprise_id) or role_of(user) in BUREAU):
        raise PermissionDenied("无权修改该技术需求", "you may not change this demand")
    status = _choice(status, DemandStatus, "需求状态", "demand status")
    frm, demand.status = demand.status, status
    demand.save(update_fields=["status", "updated_at"])
    _event("demand", demand, "status", user, frm, status, why)
    return demand


@transaction.atomic
def add_provider(name: str, kind: str, *, region: str = "", **extra: Any) -> Provider:
    return Provider.objects.create(
        name=_text(name, "名称", "name"),
        kind=_choice(kind, ProviderKind, "主体类型", "provider kind"),
        region=region,
        **extra,
    )


@transaction.atomic
def add_capability(provider: Provider, **fields: Any) -> Capability:
    return Capability.objects.create(
        provider=provider,
        kind=_choice(fields.get("kind"), CapabilityKind, "类型", "kind", "capability"),
        title=_text(fields.get("title", ""), "名称", "title"),
        field=fields.get("field", "") or "",
        description=fields.get("description", "") or "",
        patents=fields.get("patents", "") or "",
        trl=_trl(fields.get("trl"), "技术成熟度"),
        pilot_platform=fields.get("pilot_platform", "") or "",
        chain_code=fields.get("chain_code", "") or "",
        node_code=fields.get("node_code", "") or "",
        industry_code=_industry(fields.get("industry_code", "") or ""),
        price=_money(fields.get("price"), "报价", "price"),  # type: ignore[misc]
    )


def providers_for(user: Any) -> Any:
    """Providers a user may post capabilities and results for: the bureau all of them,
    an enterprise's users (or its district officer) the enterprise's own provider."""
    if role_of(user) in BUREAU:
        return Provider.objects.all()
    return Provider.objects.filter(enterprise__in=actable_enterprises(user))


def actable_enterprises(user: Any) -> Any:
    """Enterprises the user may post for (as ``accounts.access.may_act_for`` decides)."""
    if role_of(user) == "enterprise":
        return enterprises_for(user, "view")  # its own enterprise
    return enterprises_for(user, "change")


@transaction.atomic
def own_provider(user: Any, uscc: str) -> Provider:
    """The provider record of an enterprise (created once), to post its own results."""
    if not may_act_for(user, uscc):
        raise PermissionDenied(
            f"无权代企业 {uscc} 发布成果", f"you may not post results for enterprise {uscc}"
        )
    enterprise = Enterprise.objects.get(pk=uscc)
    provider, _created = Provider.objects.get_or_create(
        enterprise=enterprise,
        kind=ProviderKind.ENTERPRISE,
        defaults={"name": enterprise.name, "region": enterprise.district},
    )
    return provider


@transaction.atomic
def create_provider(user: Any, name: str, kind: str, **extra: Any) -> Provider:
    """A university, institute or expert is registered by the bureau."""
    _require_bureau(user)
    provider = add_provider(name, kind, **extra)
    _event("provider", provider, "create", user, "", provider.kind)
    return provider


@transaction.atomic
def post_capability(user: Any, provider: Provider, **fields: Any) -> Capability:
    """Post a capability, a result (成果) or an expert's field for a provider."""
    if not providers_for(user).filter(pk=provider.pk).exists():
        raise PermissionDenied(
            f"无权为“{provider.name}”发布能力或成果",
            f"you may not post capabilities for '{provider.name}'",
        )
    capability = add_capability(provider, **fields)
    _event("result", capability, "publish", user, "", capability.kind)
    return capability


@transaction.atomic
def create_platform(user: Any, name: str, kind: str, **fields: Any) -> Platform:
    """A 概念验证中心 or 中试基地 is registered by the bureau."""
    _require_bureau(user)
    platform = add_platform(name, kind, **fields)
    _event("platform", platform, "create", user, "", platform.kind)
    return platform


@transaction.atomic
def add_platform(name: str, kind: str, **fields: Any) -> Platform:
    return Platform.objects.create(
        name=_text(name, "名称", "name"),
        kind=_choice(kind, PlatformKind, "平台类型", "platform kind"),
        region=fields.get("region", "") or "",
        services=fields.get("services", "") or "",
        chain_code=fields.get("chain_code", "") or "",
        industry_code=_industry(fields.get("industry_code", "") or ""),
    )


@transaction.atomic
def mark_match(user: Any, demand: Demand, target: str, good: bool, note: str = "") -> MatchMark:
    """An analyst marks a match good or bad; the mark changes later rankings."""
    _require_bureau(user)
    kind, _, pk = target.partition(":")
    exists = pk.isdigit() and (
        (kind == "capability" and Capability.objects.filter(pk=int(pk)).exists())
        or (kind == "platform" and Platform.objects.filter(pk=int(pk)).exists())
    )
    if not exists:
        raise NotFound(f"没有匹配对象 {target}", f"no match target {target}")
    mark, _created = MatchMark.objects.update_or_create(
        demand=demand, target=target, by=user, defaults={"good": good, "note": note}
    )
    _event("mark", demand, "mark", user, "", "good" if good else "bad", f"{target} {note}")
    return mark


# -- 揭榜挂帅 --------------------------------------------------------------------------------

S = ChallengeStatus
#: action → (states it may start from, state it leads to)
CHALLENGE_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "publish": (frozenset({S.DRAFT}), S.PUBLISHED),
    "close": (frozenset({S.PUBLISHED}), S.REVIEWING),
    "award": (frozenset({S.REVIEWING}), S.AWARDED),
    "accept": (frozenset({S.AWARDED}), S.ACCEPTED),
    "fail": (frozenset({S.AWARDED}), S.FAILED),
    "cancel": (frozenset({S.DRAFT, S.PUBLISHED, S.REVIEWING}), S.CANCELLED),
}


def _move(user: Any, challenge: Challenge, action: str, why: str = "") -> None:
    allowed, to = CHALLENGE_TRANSITIONS[action]
    if challenge.status not in allowed:
        raise ValidationError(
            f"榜单“{challenge.title}”当前状态为{challenge.get_status_display()}，不能{action}",
            f"challenge '{challenge.title}' is {challenge.status}; '{action}' is not allowed",
        )
    frm = challenge.status
    challenge.status = to
    challenge.save(update_fields=["status"])
    _event("challenge", challenge, action, user, frm, to, why)


def _locked(challenge: Challenge) -> Challenge:
    return Challenge.objects.select_for_update().get(pk=challenge.pk)


@transaction.atomic
def create_challenge(user: Any, **fields: Any) -> Challenge:
    _require_bureau(user)
    award = _money(fields.get("award"), "榜单奖励", "award", allow_none=False)
    mode = _choice(fields.get("mode"), ChallengeMode, "揭榜模式", "challenge mode", "demand")
    deadline = _date(fields.get("deadline"), "揭榜截止日期", "application deadline", required=True)
    kinds = list(fields.get("eligible_kinds") or [])
    for kind in kinds:
        _choice(kind, ProviderKind, "揭榜主体类型", "eligible bidder kind")
    result = fields.get("result")
    if mode == ChallengeMode.RESULT and (result is None or result.kind != "result"):
        raise ValidationError("双向揭榜须指明一项成果", "a two-way challenge needs its result")
    challenge = Challenge.objects.create(
        mode=mode,
        title=_text(fields.get("title", ""), "榜单名称", "title"),
        goal=_text(fields.get("goal", ""), "攻关目标", "goal"),
        indicators=fields.get("indicators", ""),
        award=award,  # type: ignore[misc]
        deadline=deadline,
        eligible_kinds=kinds,
        eligibility=fields.get("eligibility", "") or "",
        demand=fields.get("demand"),
        result=result,
        poster=fields.get("poster")
        or (fields["demand"].enterprise if fields.get("demand") else None),
    )
    _event("challenge", challenge, "create", user, "", challenge.status)
    return challenge


@transaction.atomic
def publish_challenge(user: Any, challenge: Challenge) -> Challenge:
    _require_bureau(user)
    challenge = _locked(challenge)
    _move(user, challenge, "publish")
    return challenge


@transaction.atomic
def apply(
    user: Any,
    challenge: Challenge,
    *,
    plan: str,
    provider: Provider | None = None,
    enterprise: Enterprise | None = None,
    today: dt.date | None = None,
) -> Application:
    """揭榜: a provider bids for a challenge; in two-way mode an enterprise takes up a result."""
    challenge = _locked(challenge)
    today = today or dt.date.today()
    if challenge.status != S.PUBLISHED or today > challenge.deadline:
        raise ValidationError(
            f"榜单“{challenge.title}”不在揭榜期（截止 {challenge.deadline}）",
            f"challenge '{challenge.title}' is not open for applications "
            f"(deadline {challenge.deadline})",
        )
    if challenge.mode == ChallengeMode.RESULT:
        if enterprise is None or not may_act_for(user, enterprise.pk):
            raise PermissionDenied(
                "双向揭榜须由承接企业申请", "two-way challenges are taken up by enterprises"
            )
    else:
        if provider is None:
            raise ValidationError("请指明揭榜单位", "name the bidding provider")
        if challenge.eligible_kinds and provider.kind not in challenge.eligible_kinds:
            raise ValidationError(
                f"{provider.name}（{provider.get_kind_display()}）不符合揭榜条件："
                f"{challenge.eligibility or challenge.eligible_kinds}",
                f"{provider.name} ({provider.kind}) is not eligible: {challenge.eligible_kinds}",
            )
        if not providers_for(user).filter(pk=provider.pk).exists():
            raise PermissionDenied(
                f"无权代“{provider.name}”揭榜", f"you may not bid for '{provider.name}'"
            )
    if (
        provider and Application.objects.filter(challenge=challenge, provider=provider).exists()
    ) or (
        enterprise
        and Application.objects.filter(challenge=challenge, enterprise=enterprise).exists()
    ):
        raise ValidationError("已揭榜，不能重复申请", "already applied to this challenge")
    application = Application.objects.create(
        challenge=challenge,
        provider=provider,
        enterprise=enterprise,
        plan=_text(plan, "揭榜方案", "plan"),
    )
    _event("challenge", challenge, "apply", user, why=application.applicant)
    return application


@transaction.atomic
def cancel_challenge(user: Any, challenge: Challenge, why: str = "") -> Challenge:
    _require_bureau(user)
    challenge = _locked(challenge)
    _move(user, challenge, "cancel", _text(why, "撤榜理由", "reason for cancelling"))
    return challenge


@transaction.atomic
def close_applications(user: Any, challenge: Challenge) -> Challenge:
    _require_bureau(user)
    challenge = _locked(challenge)
    if not challenge.applications.exists():
        raise ValidationError("尚无揭榜申请，不能进入评审", "no applications to review yet")
    _move(user, challenge, "close")
    return challenge


@transaction.atomic
def review(
    user: Any,
    application: Application,
    *,
    conflict: bool,
    score: Any = None,
    conflict_note: str = "",
    comment: str = "",
) -> Review:
    """An expert declares conflicts of interest first; a conflicted expert cannot score."""
    _require_bureau(user)
    challenge = _locked(application.challenge)
    if challenge.status != S.REVIEWING:
        raise ValidationError("榜单不在评审阶段", "the challenge is not under review")
    if conflict and score not in (None, ""):
        raise ValidationError(
            "已声明利益冲突的专家不能评分，请回避",
            "an expert with a conflict of interest cannot score",
        )
    value: Decimal | None = None
    if not conflict:
        if score in (None, ""):
            raise ValidationError("请填写评分（0–100）", "a score (0–100) is required")
        value = Decimal(str(score))
        if not 0 <= value <= 100:
            raise ValidationError(f"评分应在 0–100 之间：{score}", "score must be 0–100")
    if Review.objects.filter(application=application, expert=user).exists():
        raise ValidationError("您已评审过该申请", "you have already reviewed this application")
    result = Review.objects.create(
        application=application,
        expert=user,
        conflict=conflict,
        conflict_note=conflict_note,
        score=value,
        comment=comment,
    )
    _event(
        "challenge", challenge, "review", user, why=f"{application.applicant} conflict={conflict}"
    )
    return result


def ranking_of(challenge: Challenge) -> list[tuple[Application, Decimal, int]]:
    """Applications by mean score of unconflicted reviews (best first)."""
    rows = []
    for application in challenge.applications.all():
        reviews = application.reviews.all()
        scores = [r.score for r in reviews if not r.conflict and r.score is not None]
        if scores:
            mean = (sum(scores, Decimal(0)) / len(scores)).quantize(Decimal("0.01"))
            rows.append((application, mean, len(scores)))
    rows.sort(key=lambda r: (-r[1], r[0].pk))
    return rows


@transaction.atomic
def award(user: Any, challenge: Challenge, application: Application | None = None) -> Challenge:
    """Award the challenge to the best-scored application (or a named scored one)."""
    _require_bureau(user)
    challenge = _locked(challenge)
    ranked = ranking_of(challenge)
    if not ranked:
        raise ValidationError("尚无有效评分，不能确定揭榜方", "no valid scores yet; cannot award")
    chosen = application or ranked[0][0]
    if chosen.pk not in {a.pk for a, _, _ in ranked}:
        raise ValidationError("该申请没有有效评分", "that application has no valid score")
    challenge.winner = chosen
    challenge.save(update_fields=["winner"])
    _move(user, challenge, "award", chosen.applicant)
    return challenge


@transaction.atomic
def add_milestone(
    user: Any, challenge: Challenge, *, title: str, due: dt.date, amount: Any
) -> Milestone:
    """A milestone with the payment tied to it; payments never add up past the award."""
    _require_bureau(user)
    challenge = _locked(challenge)
    if challenge.status not in (S.AWARDED, S.REVIEWING, S.PUBLISHED, S.DRAFT):
        raise ValidationError("榜单已结束，不能增加里程碑", "the challenge is closed")
    value = _money(amount, "里程碑拨付金额", "milestone payment", allow_none=False)
    assert value is not None
    planned = sum((m.amount for m in challenge.milestones.all()), Decimal("0.00"))
    if planned + value > challenge.award:
        raise ValidationError(
            f"里程碑拨付合计 {planned + value} 元将超过榜单奖励 {challenge.award} 元",
            f"milestone payments {planned + value} would exceed the award {challenge.award}",
        )
    seq = challenge.milestones.count() + 1
    milestone = Milestone.objects.create(
        challenge=challenge,
        seq=seq,
        title=_text(title, "里程碑", "title"),
        due=due,
        amount=value,  # type: ignore[misc]
    )
    _event("milestone", milestone, "plan", user, "", milestone.status, f"{value}")
    return milestone


@transaction.atomic
def reach_milestone(user: Any, milestone: Milestone, on: dt.date, note: str = "") -> Milestone:
    _require_bureau(user)
    challenge = _locked(milestone.challenge)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if challenge.status != S.AWARDED or milestone.status != "pending":
        raise ValidationError(
            f"里程碑“{milestone.title}”不能确认"
            f"（榜单 {challenge.status}，里程碑 {milestone.status}）",
            f"milestone '{milestone.title}' cannot be confirmed now",
        )
    milestone.status, milestone.reached_on = "done", on
    milestone.save(update_fields=["status", "reached_on"])
    _event("milestone", milestone, "reach", user, "pending", "done", note)
    return milestone


@transaction.atomic
def pay_milestone(user: Any, milestone: Milestone, on: dt.date) -> Payment:
    """Pay a reached milestone exactly its amount; total paid never exceeds the award."""
    _require_bureau(user)
    challenge = _locked(milestone.challenge)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.status != "done":
        raise ValidationError(
            f"里程碑“{milestone.title}”尚未确认达成或已拨付",
            f"milestone '{milestone.title}' is not reached or already paid",
        )
    paid = paid_total(challenge)
    if paid + milestone.amount > challenge.award:
        raise ValidationError(
            f"拨付后合计 {paid + milestone.amount} 元将超过榜单奖励 {challenge.award} 元",
            f"payments would exceed the award {challenge.award}",
        )
    payment = Payment.objects.create(
        milestone=milestone, amount=milestone.amount, paid_on=on, by=user
    )
    milestone.status = "paid"
    milestone.save(update_fields=["status"])
    _event("milestone", milestone, "pay", user, "done", "paid", f"{milestone.amount}")
    return payment


def paid_total(challenge: Challenge) -> Decimal:
    return sum(
        (p.amount for p in Payment.objects.filter(milestone__challenge=challenge)), Decimal("0.00")
    )


@transaction.atomic
def accept(
    user: Any,
    challenge: Challenge,
    *,
    on: dt.date,
    passed: bool = True,
    note: str = "",
    result_trl: int | None = None,
) -> Capability | None:
    """验收. Passing needs every milestone reached; it registers the outcome as a result."""
    _require_bureau(user)
    challenge = _locked(challenge)
    if passed and challenge.milestones.filter(status="pending").exists():
        raise ValidationError(
            "仍有未达成的里程碑，不能验收通过", "milestones are still pending; cannot pass"
        )
    _move(user, challenge, "accept" if passed else "fail", note)
    challenge.accepted_on, challenge.acceptance_note = on, note
    challenge.save(update_fields=["accepted_on", "acceptance_note"])
    if not passed or challenge.mode != ChallengeMode.DEMAND or challenge.winner is None:
        return None
    provider = challenge.winner.provider
    assert provider is not None
    demand = challenge.demand
    return add_capability(
        provider,
        kind="result",
        title=f"{challenge.title}（揭榜挂帅成果）",
        description=f"{challenge.goal} {challenge.indicators}",
        trl=result_trl,
        chain_code=demand.chain_code if demand else "",
        node_code=demand.node_code if demand else "",
        industry_code=demand.industry_code if demand else "",
    )


# -- 成果转化 pipeline -----------------------------------------------------------------------

ORDER = ("screening", "poc", "pilot", "incubation")
TERMINAL = ("licensed", "dropped")


def current_stage(result: Capability) -> StageEntry | None:
    return result.stages.order_by("-entered_on", "-id").first()


@transaction.atomic
def advance(
    user: Any,
    result: Capability,
    stage: str,
    *,
    on: Any,
    owner: str = "",
    outcome: str = "",
) -> StageEntry:
    """Move a result on: 筛选 → 概念验证 → 中试熟化 → 孵化, or out by licence/sale or drop.

    Stages are never skipped or repeated; ``outcome`` closes the stage being left (and is
    the terms when the result leaves by licence, sale or drop).
    """
    _require_bureau(user)
    if result.kind != "result":
        raise ValidationError("只有成果可以进入转化流程", "only results enter the pipeline")
    on = _date(on, "进入日期", "date", required=True)
    Capability.objects.select_for_update().filter(pk=result.pk).first()
    now = current_stage(result)
    here = now.stage if now else None
    if here in TERMINAL:
        raise ValidationError(f"成果已{here}，流程结束", f"the result is already {here}")
    allowed = {ORDER[0]} if here is None else set(TERMINAL)
    if here in ORDER and ORDER.index(here) + 1 < len(ORDER):
        allowed.add(ORDER[ORDER.index(here) + 1])
    if stage not in allowed:
        raise ValidationError(
            f"成果不能从 {here or '未入库'} 进入 {stage}（可选：{sorted(allowed)}）",
            f"a result cannot move from {here} to {stage}; allowed: {sorted(allowed)}",
        )
    if now is not None:
        if on < now.entered_on:
            raise ValidationError(
                f"日期 {on} 早于上一阶段（{now.entered_on}）",
                f"date {on} precedes the previous stage ({now.entered_on})",
            )
        if outcome:
            now.outcome = outcome
            now.save(update_fields=["outcome"])
    entry = StageEntry.objects.create(
        result=result,
        stage=stage,
        entered_on=on,
        owner=owner,
        outcome=outcome if stage in TERMINAL else "",
    )
    _event("result", result, "advance", user, here or "", stage, outcome)
    return entry


Counts = dict[str, int]


@dataclass(frozen=True)
class Board:
    counts: Counts  # results currently in each stage
    reached: Counts  # results that ever reached each stage
    conversion: dict[str, Decimal | None]  # reached(next) / reached(stage); None when 0
    by_chain: dict[str, Counts]  # results now in each stage, per chain
    by_source: dict[str, Counts]  # ... per kind of provider (university, institute, ...)
    conversion_by_chain: dict[str, dict[str, Decimal | None]]
    conversion_by_source: dict[str, dict[str, Decimal | None]]
    stalled: list[tuple[Capability, StageEntry, int]]
    columns: dict[str, list[tuple[Capability, StageEntry, int]]]  # the board itself


STAGES = (*ORDER, *TERMINAL)


def _rate(top: int, bottom: int) -> Decimal | None:
    """A fraction to four places; unknown (None), not zero, when nothing entered."""
    return (Decimal(top) / bottom).quantize(Decimal("0.0001")) if bottom else None


def conversion_rates(reached: Counts) -> dict[str, Decimal | None]:
    """Stage-to-stage rates, and from screening to leaving by incubation or licence/sale."""
    out = {f"{a}→{b}": _rate(reached[b], reached[a]) for a, b in itertools.pairwise(ORDER)}
    transferred = reached["incubation"] + reached["licensed"]
    out["screening→transferred"] = _rate(transferred, reached["screening"])
    return out


def board(*, today: dt.date | None = None, stall_days: int = 180) -> Board:
    """Counts by stage, chain and source; conversion rates; results stuck too long."""
    today = today or dt.date.today()
    if stall_days < 1:
        raise ValidationError("停滞天数须为正整数", "stall days must be a positive number")
    entries: dict[int, list[StageEntry]] = {}
    for e in StageEntry.objects.select_related("result__provider").order_by("entered_on", "id"):
        entries.setdefault(e.result_id, []).append(e)
    counts, reached = dict.fromkeys(STAGES, 0), dict.fromkeys(STAGES, 0)
    by: dict[str, dict[str, Counts]] = {"chain": {}, "source": {}}
    reached_by: dict[str, dict[str, Counts]] = {"chain": {}, "source": {}}
    columns: dict[str, list[tuple[Capability, StageEntry, int]]] = {s: [] for s in STAGES}
    stalled = []
    for rows in entries.values():
        last = rows[-1]
        result = last.result
        age = (today - last.entered_on).days
        counts[last.stage] += 1
        columns[last.stage].append((result, last, age))
        ever = {e.stage for e in rows}
        for s in ever:
            reached[s] += 1
        for axis, group in (("chain", result.chain_code or "—"), ("source", result.provider.kind)):
            by[axis].setdefault(group, dict.fromkeys(STAGES, 0))[last.stage] += 1
            into = reached_by[axis].setdefault(group, dict.fromkeys(STAGES, 0))
            for s in ever:
                into[s] += 1
        if last.stage in ORDER and age > stall_days:
            stalled.append((result, last, age))
    stalled.sort(key=lambda r: -r[2])
    return Board(
        counts,
        reached,
        conversion_rates(reached),
        by["chain"],
        by["source"],
        {g: conversion_rates(r) for g, r in sorted(reached_by["chain"].items())},
        {g: conversion_rates(r) for g, r in sorted(reached_by["source"].items())},
        stalled,
        columns,
    )
