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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

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
    tasks: list[str] = field(default_factory=list)  # the task of each query


def _catalogue(shared: Path | None = None) -> list[dict[str, str]]:
    """SEI key products from the shared data when present, else the package's copy."""
    path = shared / "data" / "sei2018" / "sei2018_key_products.csv" if shared else None
    if path is not None and path.is_file():
        text = path.read_text("utf-8")
    else:
        text = (
            resources.files("lianzhang.core")
            .joinpath("data/sei2018_key_products.csv")
            .read_text("utf-8")
        )
    return list(csv.DictReader(text.splitlines()))


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _clean(name: Any) -> str:
    return " ".join(str(name).split())


def _makers(
    shared: Path, rng: random.Random, n: int
) -> tuple[list[Record], list[Query], list[set[str]], set[str]]:
    """Who makes it? (ChainKG). Each main product of a listed company is a record (a
    capability of that company, with its real Shenwan industry). A query names a product
    that 2–15 companies make; every record of those companies is relevant (the company is
    the answer), so a maker must come before the many non-makers whose products share
    words with the name. The query states no industry, like a demand that only names what
    it needs, so structure cannot help here and the combined ranking can only tie BM25."""
    root = shared / "data" / "chainkg"
    industry = {
        r["company_code"]: str(r["industry_code"]) for r in _lines(root / "company_industry.json")
    }
    records: list[Record] = []
    by_product: dict[str, list[str]] = defaultdict(list)
    by_company: dict[str, list[str]] = defaultdict(list)
    for i, r in enumerate(_lines(root / "company_product.json")):
        code, product = r["company_code"], _clean(r["product_name"])
        sw = industry.get(code, "")
        key = f"cp:{i}"
        records.append(
            Record(key, product, (f"SW{sw}",) if sw else (), f"SW{sw[:2]}" if sw else "")
        )
        by_product[product].append(key)
        by_company[code].append(key)
    maker_of = {k: c for c, keys in by_company.items() for k in keys}
    candidates = sorted(
        p
        for p, keys in by_product.items()
        if 2 <= len({maker_of[k] for k in keys}) <= 15 and len(p) >= 3 and "其他" not in p
    )
    picked = sorted(rng.sample(candidates, min(n, len(candidates))))
    queries, relevant = [], []
    for p in picked:
        makers = {maker_of[k] for k in by_product[p]}
        queries.append(Query(p))
        relevant.append({k for c in makers for k in by_company[c]})
    return records, queries, relevant, set(by_product)


def _padding(shared: Path, limit: int, skip: set[str]) -> list[str]:
    """Names from ChainKG's product graph that no listed company has as a main product
    (subtypes and materials): filler whose maker is unknown, so never an answer."""
    out: list[str] = []
    for r in _lines(shared / "data" / "chainkg" / "product.json"):
        if len(out) >= limit:
            break
        name = _clean(r["name"])
        if name and name not in skip:
            out.append(name)
    return out


def real_eval_set(
    shared: Path | None,
    *,
    size: int = 100_000,
    queries: int = 600,
    maker_queries: int = 300,
    seed: int = 2018,
) -> EvalSet:
    """Two labelled tasks from real data, one index of ``size`` records.

    ``sei``: a SEI 2018 key-product line as the demand (with its GB/T 4754 codes and SEI
    industry), the other lines of its leaf category relevant. ``makers`` (needs ChainKG):
    a product name, the other main products of the companies that make it relevant. The
    index is filled up with ChainKG product-graph names that are no company's main product,
    their structured fields drawn from the catalogue's so that structure alone cannot tell
    filler from answers.
    """
    rng = random.Random(seed)
    rows = _catalogue(shared)
    records: list[Record] = []
    structure: list[tuple[tuple[str, ...], str]] = []
    for r in rows:
        codes = tuple(c for c in r["gbt4754_codes"].split(";") if c)
        chain = r["sei_code"].split(".")[0]
        structure.append((codes, chain))
        records.append(Record(f"sei:{r['seq']}", r["product_or_service"], codes, chain))

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
    tasks = ["sei"] * len(qs)

    n_companies, held = 0, set[str]()
    if shared is not None and size > len(records):
        if maker_queries > 0:
            companies, mq, mr, held = _makers(shared, rng, maker_queries)
            records += companies
            n_companies = len(companies)
            qs, rel, tasks = qs + mq, rel + mr, tasks + ["makers"] * len(mq)
        for i, text in enumerate(_padding(shared, size - len(records), held)):
            codes, chain = rng.choice(structure)
            records.append(Record(f"kg:{i}", text, codes, chain))
    rng.shuffle(records)  # ties must not favour any source
    description = (
        f"{tasks.count('sei')} SEI queries (relevance = same leaf category), "
        f"{tasks.count('makers')} ChainKG queries (relevance = any record of a company "
        f"that makes it); {len(records)} records = {len(rows)} SEI lines + "
        f"{n_companies} ChainKG company products + "
        f"{len(records) - len(rows) - n_companies} ChainKG product-graph names"
    )
    return EvalSet(records, qs, rel, description, tasks)


def sei_eval_set(
    shared: Path | None, *, size: int = 100_000, queries: int = 600, seed: int = 2018
) -> EvalSet:
    """The SEI task alone (kept for callers of the earlier name)."""
    return real_eval_set(shared, size=size, queries=queries, maker_queries=0, seed=seed)


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
    task: str = "all"


def run_method(
    name: str,
    matcher: Matcher,
    queries: Sequence[Query],
    relevant: Sequence[set[str]],
    ranker: Callable[[Query], list[int]],
    k: int = 10,
    tasks: Sequence[str] | None = None,
) -> list[MethodResult]:
    """Quality and latency of one ranker: over all queries first, then per task."""
    recalls: list[float] = []
    ndcgs: list[float] = []
    times: list[float] = []
    for query, rel in zip(queries, relevant, strict=True):
        start = time.perf_counter()
        ranked = ranker(query)
        times.append((time.perf_counter() - start) * 1000)
        positions = {matcher.position[key] for key in rel if key in matcher.position}
        recalls.append(recall_at_k(ranked, positions, k))
        ndcgs.append(ndcg_at_k(ranked, positions, k))
    labels = list(tasks) if tasks is not None else ["all"] * len(queries)
    groups = {"all": list(range(len(queries)))}
    if len(set(labels)) > 1:
        for i, label in enumerate(labels):
            groups.setdefault(label, []).append(i)
    out = []
    for task, idx in groups.items():
        if not idx:
            continue
        lat = sorted(times[i] for i in idx)
        out.append(
            MethodResult(
                name,
                statistics.fmean(recalls[i] for i in idx),
                statistics.fmean(ndcgs[i] for i in idx),
                lat[len(lat) // 2],
                lat[min(len(lat) - 1, math.ceil(0.95 * len(lat)) - 1)],
                len(idx),
                task,
            )
        )
    return out


def evaluate(
    data: EvalSet, *, train_share: float = 0.3, k: int = 10, matcher: Matcher | None = None
) -> tuple[Matcher, list[MethodResult]]:
    """BM25 alone, combined (default weights), combined with marks from training queries.

    Every method is scored on the same held-out queries (the ones not marked).
    """
    matcher = matcher or Matcher(data.records)
    # Every ``1/train_share``-th query is marked (training); the rest are held out.
    step = max(2, round(1 / train_share))
    n = len(data.queries)
    tasks = data.tasks or ["all"] * n
    train = [i for i in range(n) if i % step == 0]
    test = [i for i in range(n) if i % step]
    train_q, train_r = [data.queries[i] for i in train], [data.relevant[i] for i in train]
    test_q, test_r = [data.queries[i] for i in test], [data.relevant[i] for i in test]
    test_t = [tasks[i] for i in test]
    marks = simulate_marks(matcher, train_q, train_r, k)
    weights = learn_weights(matcher, marks)
    feedback = Feedback(marks)
    rankers: list[tuple[str, Callable[[Query], list[int]]]] = [
        ("bm25", lambda q: matcher.rank_bm25(q, k)),
        ("combined", lambda q: [h.index for h in matcher.rank(q, k)]),
        ("combined+marks", lambda q: [h.index for h in matcher.rank(q, k, weights, feedback)]),
    ]
    results: list[MethodResult] = []
    for name, ranker in rankers:
        results += run_method(name, matcher, test_q, test_r, ranker, k, test_t)
    return matcher, results
