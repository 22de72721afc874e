"""Matching over the database: records from models, marks as feedback, a cached index.

The index (``ranking.Matcher``) is rebuilt only when the records change (their count and
last update), so a match page costs a query plus a few vector operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max

from .models import Capability, Demand, MatchMark, Platform
from .ranking import Feedback, Hit, Mark, Matcher, Query, Record, learn_weights

_CACHE: dict[str, tuple[Any, Matcher]] = {}


def capability_record(c: Capability) -> Record:
    return Record(
        f"capability:{c.pk}",
        c.text,
        (c.industry_code,) if c.industry_code else (),
        c.chain_code,
        c.node_code,
        c.provider.region,
        c.trl,
        c.price,
    )


def platform_record(p: Platform) -> Record:
    return Record(
        f"platform:{p.pk}",
        f"{p.name} {p.get_kind_display()} {p.services}",
        (p.industry_code,) if p.industry_code else (),
        p.chain_code,
        "",
        p.region,
    )


def demand_record(d: Demand) -> Record:
    return Record(
        f"demand:{d.pk}",
        d.text,
        (d.industry_code,) if d.industry_code else (),
        d.chain_code,
        d.node_code,
        d.region,
        None,
        d.budget,
    )


def demand_query(d: Demand) -> Query:
    return Query(
        d.text,
        (d.industry_code,) if d.industry_code else (),
        d.chain_code,
        d.node_code,
        d.region,
        d.min_trl,
        d.budget,
    )


def _supply_index() -> Matcher:
    stamp = (
        Capability.objects.aggregate(n=Count("id"), t=Max("updated_at")),
        Platform.objects.aggregate(n=Count("id"), t=Max("updated_at")),
    )
    cached = _CACHE.get("supply")
    if cached and cached[0] == stamp:
        return cached[1]
    records = [capability_record(c) for c in Capability.objects.select_related("provider")]
    records += [platform_record(p) for p in Platform.objects.all()]
    matcher = Matcher(records)
    _CACHE["supply"] = (stamp, matcher)
    return matcher


def _demand_index() -> Matcher:
    stamp = Demand.objects.aggregate(n=Count("id"), t=Max("updated_at"))
    cached = _CACHE.get("demand")
    if cached and cached[0] == stamp:
        return cached[1]
    matcher = Matcher([demand_record(d) for d in Demand.objects.exclude(status="closed")])
    _CACHE["demand"] = (stamp, matcher)
    return matcher


def marks() -> list[Mark]:
    return [
        Mark(demand_query(m.demand), m.target, m.good)
        for m in MatchMark.objects.select_related("demand")
    ]


@dataclass(frozen=True)
class Row:
    hit: Hit
    obj: Any  # Capability, Platform or Demand
    mark: bool | None  # this demand's own mark, if any


def match_demand(demand: Demand, k: int = 10, *, learn: bool = True) -> list[Row]:
    """Capabilities, results, experts and platforms for a demand, with reasons.

    Weights are refitted from all marks, and marks on similar demands move records.
    """
    matcher = _supply_index()
    all_marks = marks()
    weights = learn_weights(matcher, all_marks) if learn else None
    own = {m.target: m.good for m in demand.marks.all()}
    hits = matcher.rank(demand_query(demand), k + len(own), weights, Feedback(all_marks))
    # This demand's own marks are decisive: good first, bad last; other demands' marks
    # only move records through the feedback signal.
    hits = sorted(hits, key=lambda h: {True: 0, None: 1, False: 2}[own.get(h.key)])[:k]
    caps = Capability.objects.select_related("provider").in_bulk(
        [int(h.key.split(":")[1]) for h in hits if h.key.startswith("capability:")]
    )
    plats = Platform.objects.in_bulk(
        [int(h.key.split(":")[1]) for h in hits if h.key.startswith("platform:")]
    )
    rows = []
    for h in hits:
        kind, pk = h.key.split(":")
        obj = (caps if kind == "capability" else plats).get(int(pk))
        if obj is not None:
            rows.append(Row(h, obj, own.get(h.key)))
    return rows


def match_result(result: Capability, k: int = 10) -> list[Row]:
    """Demands (and so enterprises) that need a result or capability."""
    matcher = _demand_index()
    record = capability_record(result)
    query = Query(record.text, record.industry_codes, record.chain, record.node, record.region)
    hits = matcher.rank(query, k)
    found = Demand.objects.select_related("enterprise").in_bulk(
        [int(h.key.split(":")[1]) for h in hits]
    )
    return [Row(h, found[int(h.key.split(":")[1])], None) for h in hits]
