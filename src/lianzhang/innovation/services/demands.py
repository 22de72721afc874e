"""Technical demands (技术需求清单): who sees them, posting one, and its status.

Visibility is ``accounts.access``'s decision, asked through ``Demand.objects.visible_to``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from lianzhang.accounts.access import is_bureau, match_scope, may_act_for
from lianzhang.core.errors import PermissionDenied
from lianzhang.enterprises.models import Enterprise

from ..models import Cooperation, Demand, DemandStatus
from .common import _choice, _date, _event, _industry, _money, _text, _trl


def visible_usccs(user: Any) -> set[str] | None:
    """Enterprises a user may see in match results; None means all (the bureau)."""
    return match_scope(user)


def visible_demands(user: Any) -> Any:
    """Demands a user may see: the bureau all, others those of enterprises they may view."""
    return Demand.objects.select_related("enterprise").visible_to(user)


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
    if not (may_act_for(user, demand.enterprise_id) or is_bureau(user)):
        raise PermissionDenied("无权修改该技术需求", "you may not change this demand")
    status = _choice(status, DemandStatus, "需求状态", "demand status")
    frm, demand.status = demand.status, status
    demand.save(update_fields=["status", "updated_at"])
    _event("demand", demand, "status", user, frm, status, why)
    return demand
