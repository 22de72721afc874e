"""Matching over the database: records from models, marks as feedback, a cached index.

The index (``ranking.Matcher``) is rebuilt only when the records change (their count and
last update), so a match page costs a query plus a few vector operations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max

from lianzhang.core import gbt4754
from lianzhang.enterprises.models import Enterprise

from .evaluation import MethodResult, run_method
from .models import Capability, Demand, MatchMark, Platform
from .ranking import Feedback, Hit, Mark, Matcher, Query, Record, learn_weights

_CACHE: dict[str, tuple[Any, Matcher]] = {}
_WEIGHTS: dict[str, tuple[Any, dict[str, float]]] = {}


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


def _learned(matcher: Matcher, all_marks: list[Mark]) -> dict[str, float]:
    """Weights refitted from the marks, recomputed only when the marks or the index change."""
    stamp = (
        _CACHE["supply"][0],  # the index the weights were fitted on
        MatchMark.objects.aggregate(n=Count("id"), t=Max("at")),
        Demand.objects.aggregate(t=Max("updated_at")),  # the marked queries' texts
    )
    cached = _WEIGHTS.get("weights")
    if cached and cached[0] == stamp:
        return dict(cached[1])
    weights = learn_weights(matcher, all_marks)
    _WEIGHTS["weights"] = (stamp, weights)
    return dict(weights)


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
    weights = _learned(matcher, all_marks) if learn else None
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


def result_query(result: Capability, within: frozenset[str] | None = None) -> Query:
    record = capability_record(result)
    return Query(
        record.text,
        record.industry_codes,
        record.chain,
        record.node,
        record.region,
        within=within,
    )


def match_result(
    result: Capability, k: int = 10, *, visible: Iterable[str] | None = None
) -> list[Row]:
    """Demands (and so enterprises) that need a result or capability.

    ``visible``: the USCCs the user may see; None means all (the bureau).
    """
    matcher = _demand_index()
    within = None
    if visible is not None:
        allowed = set(visible)
        within = frozenset(
            f"demand:{pk}"
            for pk, uscc in Demand.objects.exclude(status="closed").values_list(
                "pk", "enterprise_id"
            )
            if uscc in allowed
        )
    hits = matcher.rank(result_query(result, within), k)
    found = Demand.objects.select_related("enterprise").in_bulk(
        [int(h.key.split(":")[1]) for h in hits]
    )
    return [Row(h, found[int(h.key.split(":")[1])], None) for h in hits]


def _enterprise_index() -> Matcher:
    """Registry enterprises, one record per chain node they are placed on (not rejected)."""
    from lianzhang.chains.models import EnterpriseLink

    links = EnterpriseLink.objects.exclude(status="rejected")
    stamp = (
        Enterprise.objects.aggregate(n=Count("pk"), t=Max("updated_at")),
        links.aggregate(n=Count("id"), t=Max("updated_at")),
    )
    cached = _CACHE.get("enterprise")
    if cached and cached[0] == stamp:
        return cached[1]
    placed: dict[str, list[tuple[str, str]]] = {}
    for uscc, chain, node in links.values_list("enterprise_id", "node__chain__code", "node__code"):
        placed.setdefault(uscc, []).append((chain, node))
    records = []
    rows = Enterprise.objects.values_list("uscc", "main_product", "industry_code", "district")
    for uscc, product, code, district in rows.iterator(chunk_size=5000):
        industry = gbt4754.name(code) if code else ""
        text = f"{product} {industry}"
        codes = (code,) if code else ()
        for n, (chain, node) in enumerate(placed.get(uscc) or [("", "")]):
            records.append(Record(f"enterprise:{uscc}:{n}", text, codes, chain, node, district))
    matcher = Matcher(records)
    _CACHE["enterprise"] = (stamp, matcher)
    return matcher


def match_enterprises(
    result: Capability, k: int = 10, *, visible: Iterable[str] | None = None
) -> list[Row]:
    """Enterprises of the registry that could take a result up: those on its chain and
    node, in its industry, or whose main products share its terms; best placement first."""
    matcher = _enterprise_index()
    within = None
    if visible is not None:
        allowed = set(visible)
        within = frozenset(key for key in matcher.keys if key.split(":")[1] in allowed)
    hits = matcher.rank(result_query(result, within), k * 4)
    best: dict[str, Hit] = {}
    for h in hits:  # an enterprise on several nodes counts once, at its best
        best.setdefault(h.key.split(":")[1], h)
    top = list(best.items())[:k]
    found = Enterprise.objects.in_bulk([uscc for uscc, _ in top])
    return [Row(h, found[uscc], None) for uscc, h in top if uscc in found]


def marked_eval_set() -> tuple[Matcher, list[Query], list[set[str]], list[Mark]]:
    """Analysts' marks as a labelled set: each demand with a good mark is a query, the
    records marked good for it are the relevant ones."""
    matcher = _supply_index()
    all_marks = marks()
    good: dict[int, set[str]] = {}
    for m in MatchMark.objects.filter(good=True):
        good.setdefault(m.demand_id, set()).add(m.target)
    demands = Demand.objects.in_bulk(list(good))
    queries = [demand_query(demands[pk]) for pk in sorted(demands)]
    relevant = [good[pk] & set(matcher.position) for pk in sorted(demands)]
    return matcher, queries, relevant, all_marks


def evaluate_marks(k: int = 10) -> list[MethodResult]:
    """BM25, combined, and combined with the marks of the *other* demands (leave one out),
    scored against what analysts marked good."""
    matcher, queries, relevant, all_marks = marked_eval_set()
    if not queries:
        return []

    def with_others(q: Query) -> list[int]:
        others = [m for m in all_marks if m.query != q]
        weights = learn_weights(matcher, others)
        return [h.index for h in matcher.rank(q, k, weights, Feedback(others), explain=False)]

    return [
        *run_method("bm25", matcher, queries, relevant, lambda q: matcher.rank_bm25(q, k), k),
        *run_method(
            "combined",
            matcher,
            queries,
            relevant,
            lambda q: [h.index for h in matcher.rank(q, k, explain=False)],
            k,
        ),
        *run_method("combined+marks", matcher, queries, relevant, with_others, k),
    ]
