"""The delivery paths as a state machine: which action moves a case from which state.

免申即享 (automatic): eligible → confirmed (intent and bank account) → approved → ordered → paid.
申报 (application): draft (pre-filled) → submitted (automatic pre-review attached) →
under review → [correction → submitted …] → approved | rejected → [objection → approved |
final rejection]; approved → ordered → paid. A returned payment can be ordered again.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Mode(models.TextChoices):
    AUTOMATIC = "automatic", _("no application (免申即享)")
    APPLICATION = "application", _("application (申报)")


class State(models.TextChoices):
    ELIGIBLE = "eligible", _("eligible, awaiting confirmation")
    CONFIRMED = "confirmed", _("confirmed by the enterprise")
    DRAFT = "draft", _("application draft")
    SUBMITTED = "submitted", _("submitted")
    UNDER_REVIEW = "under_review", _("under review")
    CORRECTION = "correction", _("returned for correction")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    OBJECTION = "objection", _("objection raised")
    FINAL_REJECTED = "final_rejected", _("finally rejected")
    ORDERED = "ordered", _("payment ordered")
    PAID = "paid", _("paid")
    PAYMENT_RETURNED = "payment_returned", _("payment returned")
    DECLINED = "declined", _("declined by the enterprise")
    HELD = "held", _("held: credit check failed")
    REVOKED = "revoked", _("revoked: the payment is being recovered")


S = State
#: action → (states it may start from, state it leads to, who may take it)
TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    "confirm": (frozenset({S.ELIGIBLE}), S.CONFIRMED, "enterprise"),
    "decline": (frozenset({S.ELIGIBLE, S.DRAFT, S.CORRECTION}), S.DECLINED, "enterprise"),
    "submit": (frozenset({S.DRAFT, S.CORRECTION}), S.SUBMITTED, "enterprise"),
    "assign": (frozenset({S.SUBMITTED}), S.UNDER_REVIEW, "bureau"),
    "return": (frozenset({S.UNDER_REVIEW}), S.CORRECTION, "reviewer"),
    "approve": (frozenset({S.UNDER_REVIEW, S.CONFIRMED}), S.APPROVED, "reviewer"),
    "reject": (frozenset({S.UNDER_REVIEW, S.CONFIRMED}), S.REJECTED, "reviewer"),
    "object": (frozenset({S.REJECTED}), S.OBJECTION, "enterprise"),
    "uphold": (frozenset({S.OBJECTION}), S.APPROVED, "bureau"),
    "dismiss": (frozenset({S.OBJECTION}), S.FINAL_REJECTED, "bureau"),
    "order": (frozenset({S.APPROVED, S.PAYMENT_RETURNED}), S.ORDERED, "bureau"),
    "settle": (frozenset({S.ORDERED}), S.PAID, "bureau"),
    "bounce": (frozenset({S.ORDERED}), S.PAYMENT_RETURNED, "bureau"),
    # the credit register lists the enterprise at approval or at a payment run
    # (``enterprises.credit``): no money moves until a reviewer looks again
    "hold": (
        frozenset({S.CONFIRMED, S.UNDER_REVIEW, S.OBJECTION, S.APPROVED, S.PAYMENT_RETURNED}),
        S.HELD,
        "bureau",
    ),
    # the listing was removed or found wrong: back to review, with a reviewer assigned
    "release": (frozenset({S.HELD}), S.SUBMITTED, "bureau"),
    # 联审: a department that must sign off refuses; its reason goes to the enterprise,
    # which may object as to any refusal (``services.joint_review``)
    "joint_refuse": (frozenset({S.CONFIRMED, S.UNDER_REVIEW}), S.REJECTED, "department"),
    # 追回: false data found, or a listing within the policy's clawback window, after payment
    "revoke": (frozenset({S.PAID}), S.REVOKED, "bureau"),
}

#: action → how the platform names it to people (in messages such as a refusal).
ACTION_LABELS: dict[str, str] = {
    "confirm": "确认享受",
    "decline": "放弃享受",
    "submit": "提交申报",
    "assign": "分配评审人",
    "return": "退回补正",
    "approve": "批准",
    "reject": "不予批准",
    "object": "提出异议",
    "uphold": "复核支持异议",
    "dismiss": "复核维持原决定",
    "order": "下达支付指令",
    "settle": "确认到账",
    "bounce": "登记支付退回",
    "hold": "信用核查暂缓",
    "release": "解除暂缓、重新审核",
    "joint_refuse": "联审不通过",
    "revoke": "撤销并追回",
}

#: Actions the state machine refuses without a stated reason: every one that goes against
#: the enterprise or overturns a decision must say why (the reason is audited and shown).
NEEDS_REASON = frozenset(
    {
        "return",
        "reject",
        "object",
        "uphold",
        "dismiss",
        "bounce",
        "hold",
        "release",
        "joint_refuse",
        "revoke",
    }
)

#: States that count toward 应享 (the enterprise qualifies) but are not yet paid.
OPEN = frozenset(
    {
        S.ELIGIBLE,
        S.CONFIRMED,
        S.DRAFT,
        S.SUBMITTED,
        S.UNDER_REVIEW,
        S.CORRECTION,
        S.APPROVED,
        S.OBJECTION,
        S.ORDERED,
        S.PAYMENT_RETURNED,
        S.HELD,
    }
)
#: States in which money is committed against the budget (a revoked case was paid: its
#: recovery is booked apart, ``services.clawback``).
COMMITTED = frozenset({S.APPROVED, S.ORDERED, S.PAID, S.PAYMENT_RETURNED, S.REVOKED})


def target(action: str, state: str) -> str | None:
    """The state ``action`` leads to from ``state``, or None when it is not allowed."""
    rule = TRANSITIONS.get(action)
    if rule is None or state not in rule[0]:
        return None
    return rule[1]


def action_label(action: str) -> str:
    """The Chinese name of ``action`` (the code itself for an unknown one)."""
    return ACTION_LABELS.get(action, action)


def first_state(mode: str) -> str:
    return S.ELIGIBLE if mode == Mode.AUTOMATIC else S.DRAFT
