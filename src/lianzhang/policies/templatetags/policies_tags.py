"""Template helpers of the delivery pages: what the user may reach, state labels and badges."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from lianzhang.accounts import access

from ..workflow import COMMITTED, Mode, State

register = template.Library()


@register.simple_tag(takes_context=True)
def delivery_reach(context: Any) -> dict[str, bool]:
    """Which parts of delivery the user works in (asked of ``accounts.access``).

    ``enterprise``: its own policies and cases; ``bureau``: review, money and sandbox;
    ``oversight``: the dashboard (the bureau and district officers).
    """
    user = context["request"].user
    bureau = access.is_bureau(user)
    return {
        "enterprise": access.is_enterprise_user(user),
        "bureau": bureau,
        "oversight": bureau or access.is_district(user),
        "tasks": bureau or access.handler_department_id(user) is not None,
    }


@register.filter
def state_label(state: str) -> str:
    try:
        return str(State(state).label)
    except ValueError:
        return state or "—"


@register.filter
def state_class(state: str) -> str:
    if state == State.PAID:
        return "ok"
    if state in COMMITTED:
        return "info"
    if state in (State.REJECTED, State.FINAL_REJECTED, State.DECLINED):
        return "off"
    return "warn"


@register.filter
def get(mapping: Any, key: str) -> Any:
    return mapping.get(key, "") if hasattr(mapping, "get") else ""


#: The audit log's action words, as a reader says them (the log keeps the stable codes).
ACTIONS = {
    "open": _("opened"),
    "confirm": _("confirmed by the enterprise"),
    "declare": _("declaration"),
    "start": _("review started"),
    "submit": _("submitted"),
    "assign": _("assigned"),
    "approve": _("approved"),
    "reject": _("rejected"),
    "return": _("returned for correction"),
    "object": _("objection"),
    "uphold": _("objection upheld"),
    "dismiss": _("objection dismissed"),
    "bounce": _("sent back"),
    "allocate": _("budget allocated"),
    "order": _("payment ordered"),
    "settle": _("payment settled"),
    "payment_run": _("payment run"),
    "money_rules": _("money rules changed"),
    "edit": _("edited"),
    "decline": _("declined by the enterprise"),
    "hold": _("held: credit check failed"),
    "release": _("hold lifted"),
    "treasury_export": _("treasury file exported"),
    "review_task": _("joint review task sent"),
    "review_task_passed": _("passed in joint review"),
    "review_task_refused": _("refused in joint review"),
    "review_task_withdrawn": _("joint review tasks withdrawn"),
    "joint_refuse": _("rejected in joint review"),
    "joint_review": _("joint review changed"),
    "revoke": _("award revoked for clawback"),
    "clawback": _("clawback booked"),
    "recovered": _("repayment booked"),
    "cost_shares": _("cost sharing changed"),
    "source_budget": _("funding source budget set"),
}


@register.filter
def action_label(action: str) -> str:
    """An audit action by its name in the page's language; an unknown code as it is."""
    return str(ACTIONS.get(action, action))


@register.filter
def mode_label(mode: str) -> str:
    """A delivery mode (``automatic``, ``application``) by its name in the page's language."""
    try:
        return str(Mode(mode).label)
    except ValueError:
        return mode or "—"


@register.simple_tag
def clawbacks_of(uscc: str) -> list[Any]:
    """An enterprise's clawbacks (追回), for the registry page's flag: the registry does not
    import delivery, so its page asks through this tag."""
    from ..models import Recovery

    return list(
        Recovery.objects.filter(case__enterprise_id=uscc)
        .select_related("case__policy")
        .order_by("-created_at")
    )
