"""The innovation panel of the enterprise file (一企一档): the enterprise's technical demands,
its results (成果) with their stage on the conversion pipeline, and the 揭榜挂帅 challenges
it set, answers or bids for.

The registry does not import innovation, so its page asks through this inclusion tag:
``{% innovation_file enterprise request.user %}``. Reads are scoped by the viewer through
``accounts.access`` (``Demand.objects.visible_to``, ``Challenge.objects.visible_to``).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Q

from lianzhang.accounts import access

from ..models import Capability, CapabilityKind, Challenge, Demand

register = template.Library()

SHOWN = 50


@register.inclusion_tag("innovation/_file.html")
def innovation_file(enterprise: Any, user: Any) -> dict[str, Any]:
    uscc = enterprise.uscc
    visible = access.enterprises_for(user, "view").filter(pk=uscc).exists()
    demands = Demand.objects.visible_to(user).filter(enterprise_id=uscc).order_by("-created_at")
    results = (
        Capability.objects.filter(provider__enterprise_id=uscc, kind=CapabilityKind.RESULT)
        .prefetch_related("stages")
        .order_by("-created_at")
    )
    challenges = (
        Challenge.objects.visible_to(user)
        .filter(
            Q(poster_id=uscc)
            | Q(demand__enterprise_id=uscc)
            | Q(applications__enterprise_id=uscc)
            | Q(applications__provider__enterprise_id=uscc)
        )
        .distinct()
        .order_by("-created_at")
    )
    own_demands = set(Demand.objects.filter(enterprise_id=uscc).values_list("pk", flat=True))
    rows = []
    for result in results[:SHOWN] if visible else []:
        stages = sorted(result.stages.all(), key=lambda e: (e.entered_on, e.pk))
        rows.append({"result": result, "stage": stages[-1] if stages else None})
    return {
        "enterprise": enterprise,
        "demands": list(demands[:SHOWN]),
        "results": rows,
        "challenges": [
            {"challenge": c, "posted": c.poster_id == uscc or c.demand_id in own_demands}
            for c in challenges[:SHOWN]
        ]
        if visible
        else [],
    }
