"""Template helpers of the delivery pages: what the user may reach, state labels and badges."""

from __future__ import annotations

from typing import Any

from django import template

from lianzhang.accounts import access

from ..workflow import COMMITTED, State

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
