"""Template helpers of the delivery pages: the user's role, state labels and badges."""

from __future__ import annotations

from typing import Any

from django import template

from lianzhang.accounts import access

from ..workflow import COMMITTED, State

register = template.Library()


@register.simple_tag(takes_context=True)
def delivery_role(context: Any) -> str:
    """admin / analyst / district / enterprise, or "" (asked of ``accounts.access``)."""
    return str(access.role_of(context["request"].user) or "")


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
