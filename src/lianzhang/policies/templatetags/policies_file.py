"""The delivery panel of the enterprise file (一企一档): the enterprise's policy matches from
the newest match run, its cases with their amounts, and its payment orders.

The registry does not import delivery, so its page asks through this inclusion tag:
``{% policies_file enterprise request.user %}``. Every read is scoped by the viewer through
``accounts.access`` (``Case.objects.visible_to``, ``access.enterprises_for``).
"""

from __future__ import annotations

from typing import Any

from django import template

from lianzhang.accounts import access

from ..models import Case, Match, MatchRun, PaymentOrder
from ..queries import reason

register = template.Library()

#: Rows shown per table; the module's own pages list the rest.
SHOWN = 50


@register.inclusion_tag("policies/_file.html")
def policies_file(enterprise: Any, user: Any) -> dict[str, Any]:
    uscc = enterprise.uscc
    visible = access.enterprises_for(user, "view").filter(pk=uscc)
    cases = (
        Case.objects.visible_to(user)
        .filter(enterprise_id=uscc)
        .select_related("policy")
        .order_by("-year", "policy__code", "pk")
    )
    payments = (
        PaymentOrder.objects.filter(case__in=cases)
        .select_related("case__policy")
        .order_by("-created_at", "-pk")
    )
    run = MatchRun.objects.filter(finished_at__isnull=False).order_by("-as_of", "-id").first()
    matches: list[dict[str, Any]] = []
    if run is not None:
        found = (
            Match.objects.filter(run=run, enterprise__in=visible)
            .exclude(verdict=Match.Verdict.INELIGIBLE, near_miss=False)
            .select_related("policy")
            .order_by("verdict", "policy__code")
        )
        for m in found[:SHOWN]:
            lacking = [reason(c) for c in m.criteria if c.get("passed") is False]
            matches.append({"match": m, "lacking": lacking})
    return {
        "enterprise": enterprise,
        "run": run,
        "matches": matches,
        "cases": list(cases[:SHOWN]),
        "case_count": cases.count(),
        "payments": list(payments[:SHOWN]),
        "granted": sum((c.award_granted for c in cases if c.award_granted is not None), start=0),
        "paid": sum((o.amount for o in payments if o.status == PaymentOrder.Status.PAID), start=0),
        "money": access.is_bureau(user),
    }
