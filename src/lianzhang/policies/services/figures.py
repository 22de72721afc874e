"""What the platform already knows about a case: registry figures, the pre-filled
application, the rules' pre-review and the award once the reviewer's checks are confirmed.

Read-only: nothing here writes. The state machine (``transitions``) attaches the
pre-review on submission and the confirmed award on approval; opening a 申报 case
(``cases``) pre-fills the form from here.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from django.utils import timezone

from lianzhang.core.errors import NotFound
from lianzhang.enterprises.models import Annual
from lianzhang.rules.evaluation import evaluate
from lianzhang.rules.policy import Library

from ..matching import evaluate_registry, explanations, library, overrides, registry_tables
from ..models import Case
from ..queries import reason

#: Registry fields copied into a pre-filled application (latest year on record).
PREFILL_FIELDS = ("revenue", "main_revenue", "rd_expense", "employees", "rd_staff")


def latest_figures(usccs: set[str]) -> dict[str, dict[str, Any]]:
    """Per enterprise: its latest year on record and the registry figures of that year."""
    out: dict[str, dict[str, Any]] = {}
    rows = Annual.objects.filter(enterprise_id__in=usccs).order_by("enterprise_id", "-year")
    for row in rows.values("enterprise_id", "year", *PREFILL_FIELDS):
        if row["enterprise_id"] in out:
            continue
        out[row["enterprise_id"]] = {
            "year": row["year"],
            # unknown stays unknown
            "figures": {n: None if row[n] is None else str(row[n]) for n in PREFILL_FIELDS},
        }
    return out


def prefill(case: Case, figures: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The application as the registry already knows it: nobody types this again."""
    e = case.enterprise
    if figures is None:
        figures = latest_figures({e.pk})
    latest = figures.get(e.pk, {"year": None, "figures": {}})
    return {
        "enterprise": {
            "uscc": e.pk,
            "name": e.name,
            "district": e.district,
            "industry_code": e.industry_code,
        },
        "year": latest["year"],
        "figures": latest["figures"],
        "criteria": case.match.criteria if case.match else [],
        "contact": "",
        "phone": "",
        "statement": "",
    }


def prereview(case: Case) -> dict[str, Any]:
    """The rules' own verdict on the application today, with every criterion explained."""
    today = timezone.localdate()
    try:
        ev = evaluate_registry(today, [case.policy], usccs=[case.enterprise_id])
    except NotFound:  # the file left the library (or was never in it): a person decides
        return {
            "verdict": "undetermined",
            "as_of": today.isoformat(),
            "reasons": ["政策文件不在当前政策库中或未生效，需人工审核"],
        }
    rows = ev.results().join(explanations(ev), on=["uscc", "policy"], how="left").to_dicts()
    if not rows:
        return {"verdict": "undetermined", "as_of": today.isoformat(), "reasons": []}
    row = rows[0]
    criteria = row["criteria"] or []
    return {
        "verdict": row["verdict"],
        "as_of": today.isoformat(),
        "award": None if row["award_fen"] is None else str(row["award_fen"] / 100),
        "reasons": [reason(c) for c in criteria],
        "failed": [reason(c) for c in criteria if c["passed"] is False],
        "missing": [reason(c) for c in criteria if c["passed"] is None],
    }


def _without_manual(c: Any) -> Any:
    """The criteria tree with the reviewer's checks taken as passed, or None if unsure.

    A manual check inside ``all`` is simply dropped; inside ``any`` or ``not`` its effect
    is not a plain pass, so no award is computed and the reviewer's decision stands alone.
    """
    if c.kind == "leaf":
        return None if c.manual else c
    kept = []
    for child in c.children:
        if child.kind == "leaf" and child.manual:
            if c.kind != "all":
                return None
            continue
        sub = _without_manual(child)
        if sub is None:
            return None
        kept.append(sub)
    if not kept:
        return None
    return dataclasses.replace(c, children=tuple(kept))


def confirmed_award(case: Case) -> Decimal | None:
    """The formula award once the reviewer has confirmed the manual checks."""
    found = library().policies.get(case.policy.code)
    if found is None or found.award is None:
        return None
    criteria = _without_manual(found.criteria)
    if criteria is None:
        return None
    policy = dataclasses.replace(found, criteria=criteria)
    today = timezone.localdate()
    ev = evaluate(
        Library({policy.id: policy}),
        registry_tables([case.enterprise_id]),
        today,
        [policy.id],
        overrides(today, [case.policy]),
    )
    rows = ev.results().to_dicts()
    if not rows or rows[0]["verdict"] != "eligible" or rows[0]["award_fen"] is None:
        return None
    return Decimal(rows[0]["award_fen"]) / 100
