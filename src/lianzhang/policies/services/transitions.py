"""The state machine of a case, and the plain moves that are nothing but one transition.

``_transition`` is the one place a case changes state: it locks the case row, checks the
action is allowed from the current state and by this user (``access.check_case_actor``),
refuses an empty reason where ``workflow.NEEDS_REASON`` asks for one, bumps the version
with a conditional UPDATE (so two reviewers deciding at once cannot both win, even
without row locks), and appends a hash-chained audit event in the same transaction.

It is private to the service layer: callers use a named use case (``confirm``,
``approve``, ``applications.submit``, ``review.decide``, ``payments.settle`` …), so every
move says what it is.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from lianzhang.accounts import access
from lianzhang.core.errors import Conflict, ValidationError
from lianzhang.enterprises import credit

from .. import workflow
from ..models import Case, Recovery
from ..workflow import State
from .audit import audit
from .figures import confirmed_award, prereview
from .joint_review import JOINT_REVIEWED, dispatch, joint_block, withdraw_open


class InvalidTransition(Conflict):
    """The action is not allowed from the case's current state."""


def _stale() -> Conflict:
    return Conflict(
        "该事项已被他人处理，请刷新后再操作", "the case was changed by someone else; reload it"
    )


@transaction.atomic
def _transition(
    case_id: int,
    action: str,
    user: Any,
    *,
    reason: str = "",
    expected_version: int | None = None,
    changes: dict[str, Any] | None = None,
) -> Case:
    """Move a case by ``action``; raises Conflict when someone else moved it first."""
    case = Case.objects.select_for_update().select_related("policy", "enterprise").get(pk=case_id)
    if expected_version is not None and case.version != expected_version:
        raise _stale()
    to = workflow.target(action, case.state)
    if to is None:
        raise InvalidTransition(
            f"当前状态「{State(case.state).label}」下不能执行「{workflow.action_label(action)}」",
            f"action {action!r} is not allowed in state {case.state!r}",
        )
    access.check_case_actor(user, case, workflow.TRANSITIONS[action][2])
    extra: dict[str, str] = {}
    if action in CREDIT_CHECKED:
        held = credit_hold(case) or (payee_hold(case) if action == "order" else "")
        held = held or (clawback_hold(case) if action == "approve" else "")
        extra["credit_check"] = "listed" if held else "clear"
        if held:  # the decision becomes a hold: no money for a listed enterprise
            action, reason, to, changes = "hold", held, State.HELD, None
        elif action == "order" and (waiting := publicity_block(case)):
            zh, _, en = waiting.partition(" / ")
            raise InvalidTransition(zh, en)
    if action in workflow.NEEDS_REASON and not reason.strip():
        raise ValidationError(
            f"「{workflow.action_label(action)}」须说明理由", f"action {action!r} needs a reason"
        )
    if action in ("approve", "uphold"):
        if waiting := joint_block(case):
            zh, _, en = waiting.partition(" / ")
            raise InvalidTransition(zh, en)
        _check_stacking(case)
    fields = dict(changes or {})
    if action == "submit" and "prereview" not in fields:  # every submission is pre-reviewed
        fields["prereview"] = prereview(case)
    if to == State.APPROVED and case.award_computed is None:
        award = confirmed_award(case)  # 申报: the formula, checks now confirmed
        if award is not None:
            fields["award_computed"] = award
    updated = Case.objects.filter(pk=case.pk, version=case.version, state=case.state).update(
        state=to, version=F("version") + 1, updated_at=timezone.now(), **fields
    )
    if updated != 1:
        raise _stale()
    audit(
        user,
        action,
        case,
        from_state=case.state,
        to_state=to,
        reason=reason,
        data={**{k: str(v) for k, v in fields.items()}, **extra},
    )
    case.refresh_from_db()
    if case.policy.joint_review:  # 联审: the departments' tasks move with the case
        if to in JOINT_REVIEWED:
            dispatch(case, user)
        else:  # decided (or held, declined): no department need look any longer
            withdraw_open(case, user, reason or workflow.action_label(action))
    return case


#: Decisions that commit money: each checks the credit register as of that moment.
CREDIT_CHECKED = frozenset({"approve", "uphold", "order"})


def payee_name(case: Case) -> str:
    """Who the money goes to: the confirmed payee, else the enterprise's registered name."""
    return case.payee_name or case.enterprise.name


def _plain(name: str) -> str:
    """A name as compared: no spaces, full-width brackets as half-width (（） and () alike)."""
    return "".join(name.split()).replace("（", "(").replace("）", ")")


def payee_hold(case: Case) -> str:
    """The hold reason when the payee is not the enterprise's registered name (and no
    exception is documented), else ""."""
    if case.payee_exception or _plain(payee_name(case)) == _plain(case.enterprise.name):
        return ""
    return (
        f"收款人名称「{case.payee_name}」与企业登记名称「{case.enterprise.name}」不一致，"
        "须记录例外后方可支付 / the payee name differs from the registered name: "
        "document an exception before paying"
    )


def publicity_block(case: Case) -> str:
    """Why a case of a policy with 公示 may not be ordered yet ("" when it may)."""
    if case.policy.publicity_days == 0:
        return ""
    latest = case.publicities.order_by("-ends_on").first()
    if latest is None:
        return "尚未公示，不能支付 / not yet publicized"
    if latest.ends_on >= timezone.localdate():
        return f"公示期至 {latest.ends_on}，期满后方可支付 / publicity runs until {latest.ends_on}"
    objections = case.objections.filter(publicity=latest)
    if objections.filter(resolved_at=None).exists():
        return "公示异议尚未处理 / an objection is still open"
    if objections.filter(upheld=True).exists():
        return "公示异议成立，须重新公示 / an objection was upheld: publicize again"
    return ""


def credit_hold(case: Case) -> str:
    """The hold reason when the credit register lists the case's enterprise today, else ""."""
    listed = credit.blocking([case.enterprise_id], timezone.localdate())
    return credit.reason(listed[case.enterprise_id]) if listed else ""


def flagged(usccs: list[str] | set[str]) -> set[str]:
    """The enterprises among ``usccs`` with a clawback (追回) on record."""
    return set(
        Recovery.objects.filter(case__enterprise_id__in=usccs).values_list(
            "case__enterprise_id", flat=True
        )
    )


def clawback_hold(case: Case) -> str:
    """Why an automatic approval of ``case`` waits for a reviewer ("" when it need not):
    an enterprise that had an award clawed back is approved only through review."""
    if case.state != State.CONFIRMED or not flagged({case.enterprise_id}):
        return ""
    return (
        "该企业有被撤销追回的奖补，免申即享须转人工审核 / the enterprise had an award "
        "clawed back: its automatic grants go to a reviewer"
    )


def _check_stacking(case: Case) -> None:
    """A policy that does not stack with another cannot be granted alongside it.

    就高不重复 may span years (``Policy.no_stack_years``, either side's span counts): a
    专精特新 award granted in 2025 blocks the 小巨人 award of 2027 when the span is 3.
    """
    policy = case.policy
    others = (
        Case.objects.filter(enterprise_id=case.enterprise_id, state__in=workflow.COMMITTED)
        .exclude(pk=case.pk)
        .select_related("policy")
    )  # one enterprise's committed cases: few
    for other in others:
        span = max(policy.no_stack_years, other.policy.no_stack_years, 1)
        if abs(other.year - case.year) >= span:
            continue
        if other.policy.code in policy.no_stack_with or policy.code in other.policy.no_stack_with:
            raise ValidationError(
                f"与已获支持的「{other.policy.title}」不可叠加享受",
                f"does not stack with {other.policy.code}, already granted",
            )


# --- the plain moves --------------------------------------------------------------------


def bank_account(text: str) -> str:
    """The account to be paid into, without spaces; refused unless 8–32 digits."""
    account = text.replace(" ", "")
    if not (account.isdigit() and 8 <= len(account) <= 32):
        raise ValidationError("银行账号应为 8–32 位数字", "the bank account must be 8–32 digits")
    return account


def confirm(
    case_id: int, user: Any, bank_account_text: str, payee: str = "", bank: str = ""
) -> Case:
    """免申即享: the enterprise confirms its intent and the account to be paid into.

    ``payee`` is the account holder (empty: the registered name); ``bank`` the 开户行.
    """
    changes = {
        "bank_account": bank_account(bank_account_text),
        "payee_name": _short(payee, 200, "收款人名称", "payee name"),
        "bank_name": _short(bank, 100, "开户行", "bank"),
    }
    return _transition(case_id, "confirm", user, changes=changes)


def _short(text: str, limit: int, zh: str, en: str) -> str:
    text = " ".join((text or "").split())
    if len(text) > limit:
        raise ValidationError(f"{zh}不能超过 {limit} 字", f"the {en} is at most {limit} characters")
    return text


def decline(
    case_id: int, user: Any, reason: str = "", *, expected_version: int | None = None
) -> Case:
    """The enterprise declines a policy it is eligible for (or drops its application)."""
    return _transition(case_id, "decline", user, reason=reason, expected_version=expected_version)


def approve(
    case_id: int, user: Any, reason: str = "", *, expected_version: int | None = None
) -> Case:
    """The bureau approves a confirmed 免申即享 case (a 申报 case: ``review.decide``)."""
    return _transition(case_id, "approve", user, reason=reason, expected_version=expected_version)


def reject(case_id: int, user: Any, reason: str, *, expected_version: int | None = None) -> Case:
    """The bureau refuses a confirmed 免申即享 case, with a reason."""
    return _transition(case_id, "reject", user, reason=reason, expected_version=expected_version)


def uphold(case_id: int, user: Any, reason: str, *, expected_version: int | None = None) -> Case:
    """The bureau finds an objection well-founded: the case is approved after all."""
    return _transition(case_id, "uphold", user, reason=reason, expected_version=expected_version)


def dismiss(case_id: int, user: Any, reason: str, *, expected_version: int | None = None) -> Case:
    """The bureau dismisses an objection: the rejection becomes final."""
    return _transition(case_id, "dismiss", user, reason=reason, expected_version=expected_version)


def release(
    case_id: int,
    user: Any,
    reason: str,
    *,
    payee_exception: bool = False,
    expected_version: int | None = None,
) -> Case:
    """Lift a hold: the case goes back to review with a reviewer to assign, and its approval
    checks the register again. ``payee_exception`` records ``reason`` as the documented
    exception for a payee other than the registered name (a renamed firm, say)."""
    changes = {"payee_exception": reason.strip()} if payee_exception else None
    return _transition(
        case_id,
        "release",
        user,
        reason=reason,
        expected_version=expected_version,
        changes=changes,
    )
