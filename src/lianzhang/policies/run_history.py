"""Match-run history: each run's manifest read for people (``run_diff`` compares two runs).

A run (``matching.run_match``) keeps a manifest: policy digests and parameters, data
snapshot, as-of date, engine version, so any past decision can be reproduced. ``scope``:
None for every enterprise, else a queryset of the enterprises the reader may see
(``accounts.access.match_runs_scope``); figures of one run as a whole are not scoped.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db.models import Count, QuerySet

from lianzhang.core.errors import NotFound
from lianzhang.enterprises.models import Enterprise

from .matching import library
from .models import Match, MatchRun, Policy


def run_of(run_id: int) -> MatchRun:
    found = MatchRun.objects.select_related("started_by").filter(pk=run_id).first()
    if found is None:
        raise NotFound(f"没有匹配记录 {run_id}", f"no match run {run_id}")
    return found


def history(limit: int | None = None) -> list[dict[str, Any]]:
    """Every run, newest first: dates, who started it, and its counts."""
    runs = MatchRun.objects.select_related("started_by").order_by("-started_at", "-pk")
    out = []
    for run in runs[:limit] if limit else runs:
        manifest = run.manifest or {}
        out.append(
            {
                "id": run.pk,
                "as_of": run.as_of,
                "started_at": run.started_at,
                "finished_at": run.finished_at,
                "started_by": run.started_by.get_username() if run.started_by else "",
                "enterprises": run.enterprises,
                "eligible": run.eligible,
                "needs_review": int(manifest.get("needs_review") or 0),
                "policies": len(manifest.get("policies") or []),
            }
        )
    return out


def policy_titles() -> dict[str, str]:
    return dict(Policy.objects.values_list("code", "title"))


def _value(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def manifest(run: MatchRun, scope: QuerySet[Enterprise] | None = None) -> dict[str, Any]:
    """The run's manifest for a page: each policy's version and parameters (with their
    labels from the library), the data snapshot and engine, and the stored results by
    policy and verdict (within ``scope``)."""
    raw = run.manifest or {}
    titles = policy_titles()
    lib = library().policies
    counts: dict[str, dict[str, int]] = {}
    matches = Match.objects.filter(run=run)
    if scope is not None:
        matches = matches.filter(enterprise__in=scope)
    grouped = matches.values("policy__code", "verdict", "needs_review", "near_miss")
    for row in grouped.annotate(n=Count("pk")).order_by():
        one = counts.setdefault(
            row["policy__code"], {"eligible": 0, "review": 0, "undetermined": 0, "near": 0}
        )
        if row["verdict"] == Match.Verdict.ELIGIBLE:
            one["review" if row["needs_review"] else "eligible"] += row["n"]
        elif row["verdict"] == Match.Verdict.UNDETERMINED:
            one["undetermined"] += row["n"]
        elif row["near_miss"]:
            one["near"] += row["n"]
    policies = []
    for entry in raw.get("policies") or []:
        code = str(entry.get("id", ""))
        known = lib.get(code)
        params = []
        for name, value in sorted((entry.get("parameters") or {}).items()):
            label = known.parameters[name].label if known and name in known.parameters else ""
            params.append(
                {
                    "name": name,
                    "label": label or name,
                    "value": _value(value),
                    "overridden": name in (entry.get("overridden") or []),
                }
            )
        policies.append(
            {
                "code": code,
                "title": titles.get(code) or (known.title if known else code),
                "digest": str(entry.get("digest") or ""),
                "in_force": entry.get("in_force"),
                "confidence": str(entry.get("confidence") or ""),
                "parameters": params,
                "counts": counts.get(
                    code, {"eligible": 0, "review": 0, "undetermined": 0, "near": 0}
                ),
            }
        )
    return {
        "id": run.pk,
        "as_of": run.as_of,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "started_by": run.started_by.get_username() if run.started_by else "",
        "enterprises": run.enterprises,
        "eligible": run.eligible,
        "needs_review": int(raw.get("needs_review") or 0),
        "engine_version": str(raw.get("engine_version") or raw.get("engine") or ""),
        "data_snapshot": _instant(raw.get("data_snapshot")),
        "latest_data_year": raw.get("latest_data_year"),
        "policies": policies,
    }


def _instant(text: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(text)) if text else None
    except ValueError:
        return None
