"""Read queries of 梯度培育: who holds each tier on a date, candidates, expiries, targets.

Every function takes the enterprises in the reader's scope (``access.cultivation_scope``)
and narrows by district and chain the same way, so a district officer's pyramid, lists
and export are always of their district.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db.models import Q, QuerySet

from lianzhang.chains.models import EnterpriseLink, LinkStatus, Listing
from lianzhang.core import scale
from lianzhang.enterprises.models import Annual, Enterprise, Honour
from lianzhang.policies.models import Match, MatchRun
from lianzhang.policies.queries import reason

from . import ladder
from .models import ListingCandidate, Target

TITLED = [t.code for t in ladder.TIERS if t.title]


@dataclass
class Holders:
    """Who holds each tier on ``on``; ``unknown`` counts firms whose 规上 status is unknown."""

    on: dt.date
    by_tier: dict[str, set[str]] = field(default_factory=dict)
    unknown_above_scale: int = 0
    listing_known: bool = True

    def count(self, tier: str) -> int:
        return len(self.by_tier.get(tier, set()))


def narrow(
    scope: QuerySet[Enterprise], district: str = "", chain: str = ""
) -> QuerySet[Enterprise]:
    """The scope filtered by district and by chain (confirmed links, any node of it)."""
    if district:
        scope = scope.filter(district=district)
    if chain:
        linked = EnterpriseLink.objects.filter(status=LinkStatus.CONFIRMED, node__chain__code=chain)
        scope = scope.filter(pk__in=linked.values("enterprise_id"))
    return scope


def holders(scope: QuerySet[Enterprise], on: dt.date) -> Holders:
    """Each tier's holders on ``on``.

    Titles count from their grant to their expiry. 规上 is read from the newest yearly
    indicators up to the year before ``on`` (the roster of a year rests on the year before);
    a firm without them is unknown, not below the line. 上市 is the listing register (a
    listing without a date counts); while the register is empty, listing is unknown.
    """
    found = Holders(on=on, by_tier={t.code: set() for t in ladder.TIERS})
    titles = Honour.objects.filter(
        enterprise__in=scope, title__in=TITLED, granted_on__lte=on
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
    for uscc, title in titles.values_list("enterprise_id", "title"):
        found.by_tier[title].add(uscc)
    newest: dict[str, tuple[int, Any, Any]] = {}
    rows = Annual.objects.filter(enterprise__in=scope, year__lt=on.year).values_list(
        "enterprise_id", "year", "main_revenue", "revenue"
    )
    for uscc, year, main, revenue in rows:
        if uscc not in newest or year > newest[uscc][0]:
            newest[uscc] = (year, main, revenue)
    for uscc, code in scope.values_list("uscc", "industry_code"):
        year_main_rev = newest.get(uscc)
        above = (
            scale.is_above_scale(code, main_revenue=year_main_rev[1], revenue=year_main_rev[2])
            if year_main_rev
            else None
        )
        if above:
            found.by_tier["above_scale"].add(uscc)
        elif above is None:
            found.unknown_above_scale += 1
    found.listing_known = Listing.objects.exists()
    listed = Listing.objects.filter(enterprise__in=scope).filter(
        Q(listed_on__isnull=True) | Q(listed_on__lte=on)
    )
    found.by_tier["listed"] = set(listed.values_list("enterprise_id", flat=True))
    return found


def pyramid(scope: QuerySet[Enterprise], on: dt.date) -> list[dict[str, Any]]:
    """One row per tier, base first: its label, its holders and (for 规上) the unknown."""
    held = holders(scope, on)
    return [
        {
            "tier": t.code,
            "label": t.zh,
            "label_en": t.en,
            "count": held.count(t.code),
            "unknown": held.unknown_above_scale
            if t.code == "above_scale"
            else (None if t.code != "listed" or held.listing_known else "register empty"),
        }
        for t in ladder.TIERS
    ]


def by_district(scope: QuerySet[Enterprise], on: dt.date) -> list[dict[str, Any]]:
    """Tier counts per district (rows), sorted by name."""
    held = holders(scope, on)
    district_of = dict(scope.values_list("uscc", "district"))
    table: dict[str, Counter[str]] = {}
    for code, firms in held.by_tier.items():
        for uscc in firms:
            table.setdefault(district_of.get(uscc, ""), Counter())[code] += 1
    return [
        {"district": d, "counts": [table[d][t.code] for t in ladder.TIERS]} for d in sorted(table)
    ]


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def _latest_run() -> MatchRun | None:
    return MatchRun.objects.filter(finished_at__isnull=False).order_by("-as_of", "-id").first()


def candidates(scope: QuerySet[Enterprise], tier_code: str) -> dict[str, Any]:
    """The next tier's candidates from the newest finished match run: firms its policy
    finds eligible that do not hold the title on the run's date, and near misses with
    what they lack, in plain Chinese."""
    target = ladder.tier(tier_code)
    run = _latest_run()
    out: dict[str, Any] = {"tier": target.code, "label": target.zh, "run": None}
    out.update(eligible=[], near=[])
    if run is None or target.family is None:
        return out
    out["run"] = {"id": run.pk, "as_of": run.as_of.isoformat()}
    held = holders(scope, run.as_of).by_tier[target.code]
    matches = (
        Match.objects.filter(run=run, policy__family=target.family, enterprise__in=scope)
        .exclude(enterprise_id__in=held)
        .select_related("enterprise", "policy")
        .order_by("enterprise_id")
    )
    for m in matches:
        row = {
            "uscc": m.enterprise_id,
            "name": m.enterprise.name,
            "district": m.enterprise.district,
            "policy": m.policy.title,
        }
        if m.verdict == Match.Verdict.ELIGIBLE:
            out["eligible"].append(row)
        elif m.near_miss:
            failing = [c for c in m.criteria if c.get("passed") is False]
            out["near"].append({**row, "lacks": "；".join(reason(c) for c in failing)})
    return out


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


REVIEW: dict[str, str] = {
    Match.Verdict.ELIGIBLE: "仍符合条件",
    Match.Verdict.INELIGIBLE: "不再符合条件",
    Match.Verdict.UNDETERMINED: "数据不全，待定",
}


def expiring(scope: QuerySet[Enterprise], on: dt.date, months: int) -> list[dict[str, Any]]:
    """Titles that expire within ``months`` of ``on`` and are not yet renewed, with the
    re-review status: what the newest match run says of the title's policy today."""
    until = add_months(on, months)
    soon = (
        Honour.objects.filter(enterprise__in=scope, valid_until__gte=on, valid_until__lte=until)
        .select_related("enterprise")
        .order_by("valid_until", "enterprise_id")
    )
    renewed = set(
        Honour.objects.filter(enterprise__in=scope, valid_until__gt=until).values_list(
            "enterprise_id", "title"
        )
    ) | set(
        Honour.objects.filter(enterprise__in=scope, valid_until__isnull=True).values_list(
            "enterprise_id", "title"
        )
    )
    run = _latest_run()
    verdicts: dict[tuple[str, str], str] = {}
    if run is not None:
        families = {t.family: t.code for t in ladder.TIERS if t.title and t.family}
        for uscc, family, verdict in Match.objects.filter(
            run=run, policy__family__in=families, enterprise__in=scope
        ).values_list("enterprise_id", "policy__family", "verdict"):
            verdicts[uscc, families[family]] = REVIEW.get(verdict, verdict)
    rows = []
    for h in soon:
        if (h.enterprise_id, h.title) in renewed:
            continue
        rows.append(
            {
                "uscc": h.enterprise_id,
                "name": h.enterprise.name,
                "district": h.enterprise.district,
                "tier": h.title,
                "label": ladder.BY_CODE[h.title].zh if h.title in ladder.BY_CODE else h.title,
                "valid_until": h.valid_until,
                "review": verdicts.get((h.enterprise_id, h.title), "未评估"),
            }
        )
    return rows


def targets(scope: QuerySet[Enterprise], year: int, today: dt.date) -> list[dict[str, Any]]:
    """Each target of ``year`` in the scope's districts beside the count achieved (at the
    year's end, or today while the year runs)."""
    on = min(year_end(year), today)
    districts = set(scope.values_list("district", flat=True))
    rows = Target.objects.filter(year=year, district__in=districts)
    counts = {
        (d["district"], t.code): d["counts"][i]
        for d in by_district(scope, on)
        for i, t in enumerate(ladder.TIERS)
    }
    return [
        {
            "district": r.district,
            "tier": r.tier,
            "label": ladder.BY_CODE[r.tier].zh,
            "target": r.count,
            "achieved": counts.get((r.district, r.tier), 0),
            "share": Fraction(counts.get((r.district, r.tier), 0), r.count) if r.count else None,
        }
        for r in rows
    ]


def conversion(scope: QuerySet[Enterprise], years: list[int]) -> list[dict[str, Any]]:
    """For each rung and year Y: of the holders of the lower tier at the end of Y−1, how
    many held the higher one at the end of Y."""
    ends = {y: holders(scope, year_end(y)) for y in sorted({*years, *(y - 1 for y in years)})}
    rows = []
    for low, high in ladder.NEXT.items():
        for y in years:
            moved, base = ladder.conversion(ends[y - 1].by_tier[low], ends[y].by_tier[high])
            rows.append(
                {
                    "from_tier": low,
                    "to_tier": high,
                    "year": y,
                    "moved": moved,
                    "base": base,
                    "share": Fraction(moved, base) if base else None,
                }
            )
    return rows


def listing_pipeline(scope: QuerySet[Enterprise]) -> list[dict[str, Any]]:
    order = {code: i for i, (code, _zh, _en) in enumerate(ladder.LISTING_STAGES)}
    labels = {code: zh for code, zh, _en in ladder.LISTING_STAGES}
    rows = ListingCandidate.objects.filter(enterprise__in=scope).select_related("enterprise")
    return sorted(
        (
            {
                "uscc": r.enterprise_id,
                "name": r.enterprise.name,
                "district": r.enterprise.district,
                "stage": r.stage,
                "label": labels[r.stage],
                "board": r.board,
                "since": r.since,
                "note": r.note,
            }
            for r in rows
        ),
        key=lambda r: (-order[r["stage"]], r["uscc"]),
    )
