"""Evaluation of matching on labelled sets built from real data (no Django).

The labelled set comes from the 战略性新兴产业分类（2018） key-product catalogue, not from
the demo generator: each query is one catalogue line (a product as a demand would name it,
with the GB/T 4754 codes and the SEI industry it belongs to), and the relevant records are
the other lines of the same leaf category. The index is padded to the requested size with
real product and company texts from ChainKG (read from the shared data directory at run
time, never shipped), which carry structured fields drawn from the same distribution as
the catalogue's so that structure cannot tell padding from answers.

Analysts' marks feed the set too: :func:`simulate_marks` plays an analyst who marks the
first page of training queries, and the learned ranking is scored on the other queries.

>>> recall_at_k([3, 1, 2], {1, 9}, 2), round(ndcg_at_k([3, 1, 2], {1, 9}, 2), 4)
(0.5, 0.3869)
"""

from __future__ import annotations

import csv
import json
import math
import os
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .ranking import Feedback, Mark, Matcher, Query, Record, learn_weights

SHARED_ENV = "LIANZHANG_SHARED"


def shared_dir() -> Path | None:
    """``$LIANZHANG_SHARED``, else ``<repo>/../shared``; None when neither exists."""
    env = os.environ.get(SHARED_ENV)
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[3].parent / "shared")
    for path in candidates:
        if (path / "data").is_dir():
            return path
    return None


def recall_at_k(ranked: Sequence[int], relevant: set[int], k: int = 10) -> float:
    if not relevant:
        return 0.0
    return len(set(ranked[:k]) & relevant) / len(relevant)


def ndcg_at_k(ranked: Sequence[int], relevant: set[int], k: int = 10) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(ranked[:k]) if d in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    return dcg / ideal if ideal else 0.0


@dataclass(frozen=True)
class EvalSet:
    records: list[Record]
    queries: list[Query]
    relevant: list[set[str]]  # record keys relevant to each query
    description: str


def _catalogue() -> list[dict[str, str]]:
    text = resources.files("lianzhang.core").joinpath("data/sei2018_key_products.csv")
    return list(csv.DictReader(text.read_text("utf-8").splitlines()))


def _chainkg_texts(shared: Path, limit: int) -> list[str]:
    """Company profiles (name + main products) and product names from ChainKG."""
    root = shared / "data" / "chainkg"
    products: dict[str, list[str]] = defaultdict(list)
    names: dict[str, str] = {}
    with (root / "company_product.json").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            products[row["company_code"]].append(str(row["product_name"]).replace("\n", " "))
            names[row["company_code"]] = str(row.get("company_name") or "")
    out = [f"{names[c]} {' '.join(p[:12])}" for c, p in sorted(products.items())]
    with (root / "product.json").open(encoding="utf-8") as handle:
        for line in handle:
            if len(out) >= limit:
                break
            out.append(str(json.loads(line)["name"]).replace("\n", " "))
    return out[:limit]


def sei_eval_set(
    shared: Path | None, *, size: int = 100_000, queries: int = 600, seed: int = 2018
) -> EvalSet:
    """Queries and relevance from the SEI catalogue; padding from ChainKG up to ``size``."""
    rng = random.Random(seed)
    rows = _catalogue()
    records: list[Record] = []
    structure: list[tuple[tuple[str, ...], str]] = []
    for r in rows:
        codes = tuple(c for c in r["gbt4754_codes"].split(";") if c)
        chain = r["sei_code"].split(".")[0]
        structure.append((codes, chain))
        records.append(Record(f"sei:{r['seq']}", r["product_or_service"], codes, chain))
    if shared is not None and size > len(records):
        for i, text in enumerate(_chainkg_texts(shared, size - len(records))):
            codes, chain = rng.choice(structure)
            records.append(Record(f"kg:{i}", text, codes, chain))
    rng.shuffle(records)  # ties must not favour either source

    by_category: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        by_category[r["sei_code"]].append(f"sei:{r['seq']}")
    eligible = [r for r in rows if len(by_category[r["sei_code"]]) >= 3]
    picked = sorted(rng.sample(eligible, min(queries, len(eligible))), key=lambda r: int(r["seq"]))
    qs: list[Query] = []
    rel: list[set[str]] = []
    for r in picked:
        key = f"sei:{r['seq']}"
        codes = tuple(c for c in r["gbt4754_codes"].split(";") if c)
        chain = r["sei_code"].split(".")[0]
        qs.append(Query(r["product_or_service"], codes, chain, exclude=frozenset({key})))
        rel.append(set(by_category[r["sei_code"]]) - {key})
    description = (
        f"SEI 2018 key products: {len(qs)} queries, relevance = same leaf category; "
        f"{len(records)} records ({len(rows)} catalogue lines + "
        f"{len(records) - len(rows)} ChainKG texts)"
    )
    return EvalSet(records, qs, rel, description)


def simulate_marks(
    matcher: Matcher, queries: Sequence[Query], relevant: Sequence[set[str]], k: int = 10
) -> list[Mark]:
    """An analyst marking the first page of each query: relevant good, the rest bad."""
    marks = []
    for query, rel in zip(queries, relevant, strict=True):
        for hit in matcher.rank(query, k, explain=False):
            marks.append(Mark(query, hit.key, hit.key in rel))
    return marks


@dataclass(frozen=True)
class MethodResult:
    name: str
    recall: float
    ndcg: float
    p50_ms: float
    p95_ms: float
    queries: int


def run_method(
    name: str,
    matcher: Matcher,
    queries: Sequence[Query],
    relevant: Sequence[set[str]],
    ranker: Callable[[Query], list[int]],
    k: int = 10,
) -> MethodResult:
    recalls: list[float] = []
    ndcgs: list[float] = []
    times: list[float] = []
    for query, rel in zip(queries, relevant, strict=True):
        start = time.perf_counter()
        ranked = ranker(query)
        times.append((time.perf_counter() - start) * 1000)
        positions = {matcher.position[key] for key in rel}
        recalls.append(recall_at_k(ranked, positions, k))
        ndcgs.append(ndcg_at_k(ranked, positions, k))
    times.sort()
    return MethodResult(
        name,
        statistics.fmean(recalls),
        statistics.fmean(ndcgs),
        times[len(times) // 2],
        times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)],
        len(queries),
    )


def evaluate(
    data: EvalSet, *, train_share: float = 0.3, k: int = 10, matcher: Matcher | None = None
) -> tuple[Matcher, list[MethodResult]]:
    """BM25 alone, combined (default weights), combined with marks from training queries.

    Every method is scored on the same held-out queries (the ones not marked).
    """
    matcher = matcher or Matcher(data.records)
    # Every ``1/train_share``-th query is marked (training); the rest are held out.
    step = max(2, round(1 / train_share))
    train = [i for i in range(len(data.queries)) if i % step == 0]
    test = [i for i in range(len(data.queries)) if i % step]
    train_q, train_r = [data.queries[i] for i in train], [data.relevant[i] for i in train]
    test_q, test_r = [data.queries[i] for i in test], [data.relevant[i] for i in test]
    results = [
        run_method("bm25", matcher, test_q, test_r, lambda q: matcher.rank_bm25(q, k), k),
        run_method(
            "combined",
            matcher,
            test_q,
            test_r,
            lambda q: [h.index for h in matcher.rank(q, k)],
            k,
        ),
    ]
    marks = simulate_marks(matcher, train_q, train_r, k)
    weights = learn_weights(matcher, marks)
    feedback = Feedback(marks)
    results.append(
        run_method(
            "combined+marks",
            matcher,
            test_q,
            test_r,
            lambda q: [h.index for h in matcher.rank(q, k, weights, feedback)],
            k,
        )
    )
    return matcher, results
