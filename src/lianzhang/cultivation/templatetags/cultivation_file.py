"""The 梯度培育 panel of the enterprise file (一企一档): the tiers the enterprise holds today,
the rung it is cultivated towards from each and whether the newest match run makes it a
candidate, titles expiring within a year and the listing pipeline stage.

The registry does not import cultivation, so its page asks through this inclusion tag:
``{% cultivation_file enterprise request.user %}``. The scope is the viewer's
(``access.enterprises_for``): the panel reads only this one enterprise, so an enterprise
user sees its own tiers, never the pyramid of other firms.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import get_language

from lianzhang.accounts import access
from lianzhang.policies.models import Match, MatchRun

from .. import ladder, queries
from ..models import ListingCandidate

register = template.Library()

#: Titles expiring within this many months are listed with their re-review status.
EXPIRING_MONTHS = 12


@register.inclusion_tag("cultivation/_file.html")
def cultivation_file(enterprise: Any, user: Any) -> dict[str, Any]:
    uscc = enterprise.uscc
    scope = access.enterprises_for(user, "view").filter(pk=uscc)
    english = (get_language() or "").startswith("en")
    today = timezone.localdate()
    held = queries.holders(scope, today)
    run = MatchRun.objects.filter(finished_at__isnull=False).order_by("-as_of", "-id").first()
    eligible: set[str] = set()
    if run is not None:
        eligible = set(
            Match.objects.filter(run=run, enterprise__in=scope, verdict=Match.Verdict.ELIGIBLE)
            .exclude(policy__family="")
            .values_list("policy__family", flat=True)
        )
    tiers = []
    for tier in ladder.TIERS:
        if uscc not in held.by_tier.get(tier.code, set()):
            continue
        nxt = [
            {"label": t.en if english else t.zh, "candidate": t.family in eligible}
            for t in ladder.candidates_from(tier.code)
        ]
        tiers.append({"label": tier.en if english else tier.zh, "next": nxt})
    stage = ListingCandidate.objects.filter(enterprise__in=scope).first()
    stages = {code: (en if english else zh) for code, zh, en in ladder.LISTING_STAGES}
    expiring = queries.expiring(scope, today, EXPIRING_MONTHS)
    for row in expiring:
        found = ladder.BY_CODE.get(row["tier"])
        if found is not None:
            row["label"] = found.en if english else found.zh
    return {
        "enterprise": enterprise,
        "tiers": tiers,
        "above_scale_unknown": held.unknown_above_scale > 0,
        "listing": stage,
        "listing_label": stages.get(stage.stage, stage.stage) if stage else "",
        "expiring": expiring,
        "months": EXPIRING_MONTHS,
        "overview": access.is_bureau(user) or access.is_district(user),
    }
