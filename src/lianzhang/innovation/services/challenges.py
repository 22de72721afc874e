"""揭榜挂帅: challenges from draft to acceptance, bids, conflict-declared expert review,
the award, and milestones whose payments never add up past the award.

Every move goes through ``CHALLENGE_TRANSITIONS`` under a row lock on the challenge.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from lianzhang.accounts.access import may_act_for
from lianzhang.core.errors import PermissionDenied, ValidationError
from lianzhang.enterprises.models import Enterprise

from ..models import (
    Application,
    Capability,
    Challenge,
    ChallengeMode,
    ChallengeStatus,
    Milestone,
    Payment,
    Provider,
    ProviderKind,
    Review,
)
from .common import _choice, _date, _event, _money, _require_bureau, _text
from .supply import add_capability, providers_for

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
