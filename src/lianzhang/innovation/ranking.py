"""Combined ranking: BM25 text relevance plus structured signals, with reasons and feedback.

Pure numpy (no Django). Every signal is a vector over all indexed records, so a query is a
handful of vector operations whatever the number of records:

========== ================================================================ ===========
feature    value for a record                                               unknown
========== ================================================================ ===========
text       BM25 score divided by the query's best BM25 score (0..1)         0
industry   1 when a GB/T 4754 class code is shared                          0
group      1 when only the 中类 (first three digits) or 大类 is shared       0
chain      1 when the record is on the same industrial chain                0
node       1 when it is on the same chain node                              0
region     1 when it is in the same district or city                        0
maturity   +1 when its TRL reaches the demand's minimum, −1 when below      0
budget     +1 when its price fits the budget, −1 (scaled) when over         0
feedback   analysts' good/bad marks on this record for similar queries      0
========== ================================================================ ===========

The score is ``features · weights``. The default weights were set on the SEI evaluation
set (``benchmarks/eval_matching.py``); :func:`learn_weights` refits them from analysts'
marks (pairwise logistic regression pulled towards the defaults), and :class:`Feedback`
moves individual records up or down for queries like the ones they were marked on.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from scipy import sparse

from . import text as textmod
from .bm25 import BM25Index, Floats, Ints

FEATURES = (
    "text",
    "industry",
    "group",
    "chain",
    "node",
    "region",
    "maturity",
    "budget",
    "feedback",
)
#: Defaults chosen on the training third of the evaluation set; text dominates,
#: structure breaks ties and brings in records that describe the same thing in other words.
DEFAULT_WEIGHTS: dict[str, float] = {
    "text": 1.0,
    "industry": 0.35,
    "group": 0.1,
    "chain": 0.3,
    "node": 0.4,
    "region": 0.1,
    "maturity": 0.15,
    "budget": 0.15,
    "feedback": 0.6,
}


@dataclass(frozen=True)
class Record:
    """Something that can be matched: a capability, result, expert, platform, demand."""

    key: str
    text: str
    industry_codes: tuple[str, ...] = ()
    chain: str = ""
    node: str = ""
    region: str = ""
    trl: int | None = None
    price: Decimal | None = None  # yuan; what taking it up costs, when known


@dataclass(frozen=True)
class Query:
    text: str
    industry_codes: tuple[str, ...] = ()
    chain: str = ""
    node: str = ""
    region: str = ""
    min_trl: int | None = None
    budget: Decimal | None = None  # yuan; None is unknown, not zero
    exclude: frozenset[str] = frozenset()
    within: frozenset[str] | None = None  # only these keys (what the user may see)


@dataclass(frozen=True)
class Reason:
    kind: str  # one of FEATURES, or the negative kinds "maturity_low", "over_budget", ...
    detail: str
    contribution: float

    def zh(self) -> str:
        return {
            "text": f"共同关键词：{self.detail}",
            "industry": f"同一行业小类：{self.detail}",
            "group": f"相近行业：{self.detail}",
            "chain": f"同一产业链：{self.detail}",
            "node": f"同一链上环节：{self.detail}",
            "region": f"同在{self.detail}",
            "maturity": f"技术成熟度 {self.detail}",
            "maturity_low": f"技术成熟度不足：{self.detail}",
            "budget": f"报价在预算内：{self.detail}",
            "over_budget": f"报价超出预算：{self.detail}",
            "feedback": f"分析师对相似需求标记为合适（{self.detail}）",
            "marked_bad": f"分析师对相似需求标记为不合适（{self.detail}）",
        }.get(self.kind, self.detail)

    def en(self) -> str:
        return {
            "text": f"shared terms: {self.detail}",
            "industry": f"same industry class: {self.detail}",
            "group": f"related industry: {self.detail}",
            "chain": f"same chain: {self.detail}",
            "node": f"same chain node: {self.detail}",
            "region": f"also in {self.detail}",
            "maturity": f"maturity {self.detail}",
            "maturity_low": f"maturity too low: {self.detail}",
            "budget": f"price within budget: {self.detail}",
            "over_budget": f"price over budget: {self.detail}",
            "feedback": f"marked good for similar demands ({self.detail})",
            "marked_bad": f"marked bad for similar demands ({self.detail})",
        }.get(self.kind, self.detail)


@dataclass(frozen=True)
class Hit:
    index: int
    key: str
    score: float
    features: dict[str, float]
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Mark:
    """An analyst's judgement: this record is good (or bad) for this query."""

    query: Query
    key: str
    good: bool


def _postings(codes: Sequence[Sequence[str]]) -> tuple[dict[str, int], sparse.csc_matrix]:
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for i, doc_codes in enumerate(codes):
        for code in set(doc_codes):
            cols.append(vocab.setdefault(code, len(vocab)))
            rows.append(i)
    matrix = sparse.csc_matrix(
        (np.ones(len(rows)), (np.asarray(rows, dtype=np.int64), np.asarray(cols))),
        shape=(len(codes), max(len(vocab), 1)),
    )
    return vocab, matrix


def _any_of(vocab: dict[str, int], matrix: sparse.csc_matrix, wanted: Iterable[str]) -> Floats:
    ids = [vocab[c] for c in set(wanted) if c in vocab]
    out = np.zeros(matrix.shape[0])
    for i in ids:  # a few codes per query, never a loop over records
        out[matrix.indices[matrix.indptr[i] : matrix.indptr[i + 1]]] = 1.0
    return out


def _categorical(values: Sequence[str]) -> tuple[dict[str, int], Ints]:
    vocab: dict[str, int] = {}
    ids = np.fromiter(
        (vocab.setdefault(v, len(vocab)) if v else -1 for v in values),
        dtype=np.int64,
        count=len(values),
    )
    return vocab, ids


def _groups(code: str) -> list[str]:
    """The coarser GB/T 4754 levels a code belongs to (中类 and 大类)."""
    return [code[:n] for n in (3, 2) if len(code) > n]


class Matcher:
    """An index over records; ``rank`` answers one query with reasons."""

    def __init__(self, records: Sequence[Record]) -> None:
        self.records = list(records)
        self.keys = [r.key for r in self.records]
        self.position = {k: i for i, k in enumerate(self.keys)}
        self.bm25 = BM25Index.build(textmod.tokens_many(r.text for r in self.records))
        self._class_vocab, self._class = _postings([r.industry_codes for r in self.records])
        self._group_vocab, self._group = _postings(
            [
                [g for c in r.industry_codes for g in [c, *_groups(c)] if len(g) < 4]
                for r in self.records
            ]
        )
        self._chain_vocab, self._chain = _categorical([r.chain for r in self.records])
        self._node_vocab, self._node = _categorical([r.node for r in self.records])
        self._region_vocab, self._region = _categorical([r.region for r in self.records])
        self._trl = np.array(
            [np.nan if r.trl is None else float(r.trl) for r in self.records], dtype=np.float64
        )
        self._price = np.array(
            [np.nan if r.price is None else float(r.price) for r in self.records],
            dtype=np.float64,
        )

    def __len__(self) -> int:
        return len(self.records)

    # -- features ---------------------------------------------------------------------------

    def features(
        self, query: Query, feedback: Feedback | None = None
    ) -> tuple[list[str], dict[str, Floats]]:
        """Query tokens and every feature as a vector over all records."""
        terms = textmod.tokens(query.text)
        bm = self.bm25.scores(terms)
        best = float(bm.max()) if len(bm) else 0.0
        n = len(self.records)
        f: dict[str, Floats] = {"text": bm / best if best > 0 else np.zeros(n)}
        f["industry"] = _any_of(self._class_vocab, self._class, query.industry_codes)
        groups = {g for c in query.industry_codes for g in [c, *_groups(c)] if len(g) < 4}
        f["group"] = _any_of(self._group_vocab, self._group, groups) * (1 - f["industry"])
        f["chain"] = self._same(self._chain_vocab, self._chain, query.chain)
        f["node"] = self._same(self._node_vocab, self._node, query.node)
        f["region"] = self._same(self._region_vocab, self._region, query.region)
        f["maturity"] = self._maturity(query.min_trl)
        f["budget"] = self._budget(query.budget)
        f["feedback"] = feedback.boost(self, terms) if feedback is not None else np.zeros(n)
        return terms, f

    @staticmethod
    def _same(vocab: dict[str, int], ids: Ints, value: str) -> Floats:
        if not value or value not in vocab:
            return np.zeros(len(ids))
        out: Floats = np.asarray(ids == vocab[value], dtype=np.float64)
        return out

    def _maturity(self, minimum: int | None) -> Floats:
        if minimum is None:
            return np.zeros(len(self._trl))
        with np.errstate(invalid="ignore"):
            out = np.where(self._trl >= minimum, 1.0, -1.0)
        return np.where(np.isnan(self._trl), 0.0, out)

    def _budget(self, budget: Decimal | None) -> Floats:
        if budget is None or budget <= 0:
            return np.zeros(len(self._price))
        cap = float(budget)
        with np.errstate(invalid="ignore"):
            over = np.clip((self._price - cap) / cap, 0.0, 1.0)
            out = np.where(self._price <= cap, 1.0, -over)
        return np.where(np.isnan(self._price), 0.0, out)

    # -- ranking ----------------------------------------------------------------------------

    def scores(
        self,
        query: Query,
        weights: dict[str, float] | None = None,
        feedback: Feedback | None = None,
    ) -> tuple[list[str], dict[str, Floats], Floats]:
        w = {**DEFAULT_WEIGHTS, **(weights or {})}
        terms, f = self.features(query, feedback)
        total = np.zeros(len(self.records))
        for name in FEATURES:
            if w[name]:
                total += w[name] * f[name]
        # Only records that share something substantive are candidates at all.
        relevant = (f["text"] > 0) | (f["industry"] > 0) | (f["node"] > 0) | (f["feedback"] > 0)
        total = np.where(relevant, total, -np.inf)
        return terms, f, self._restrict(query, total)

    def _restrict(self, query: Query, scores: Floats) -> Floats:
        for key in query.exclude:
            if key in self.position:
                scores[self.position[key]] = -np.inf
        if query.within is not None:
            keep = np.zeros(len(scores), dtype=bool)
            keep[[self.position[k] for k in query.within if k in self.position]] = True
            scores = np.where(keep, scores, -np.inf)
        return scores

    def rank(
        self,
        query: Query,
        k: int = 10,
        weights: dict[str, float] | None = None,
        feedback: Feedback | None = None,
        *,
        explain: bool = True,
    ) -> list[Hit]:
        terms, f, total = self.scores(query, weights, feedback)
        w = {**DEFAULT_WEIGHTS, **(weights or {})}
        top = BM25Index.top(total, k)
        hits = []
        for i in top.tolist():
            if not math.isfinite(total[i]):
                break
            feats = {name: float(f[name][i]) for name in FEATURES}
            reasons = self._reasons(query, terms, i, feats, w) if explain else ()
            hits.append(Hit(i, self.keys[i], float(total[i]), feats, reasons))
        return hits

    def rank_bm25(self, query: Query, k: int = 10) -> list[int]:
        """BM25 alone (the baseline the evaluation compares against)."""
        scores = self._restrict(query, self.bm25.scores(textmod.tokens(query.text)))
        top = BM25Index.top(scores, k)
        return [i for i in top.tolist() if scores[i] > 0]

    def _reasons(
        self, query: Query, terms: list[str], i: int, feats: dict[str, float], w: dict[str, float]
    ) -> tuple[Reason, ...]:
        record = self.records[i]
        out: list[Reason] = []
        if feats["text"] > 0:
            own = textmod.tokens(query.text, expand=False)  # not the synonyms it brought
            shared = self.bm25.shared_terms(own, i) or self.bm25.shared_terms(terms, i)
            shared = list(dict.fromkeys(t.removeprefix(textmod.WHOLE) for t in shared))
            # Show words a reader recognises, not the overlapping pieces search mode adds
            # (集成电路 gives 成电): whole words of either text, or catalogue terms.
            words = textmod.precise(query.text) | textmod.precise(record.text)
            readable = [t for t in shared if t in words or t in textmod.domain_terms()]
            shared = _outermost(readable or shared)[:6]
            out.append(Reason("text", "、".join(shared), w["text"] * feats["text"]))
        if feats["industry"]:
            codes = sorted(set(query.industry_codes) & set(record.industry_codes))
            out.append(Reason("industry", "、".join(codes), w["industry"]))
        elif feats["group"]:
            out.append(Reason("group", "、".join(record.industry_codes[:3]), w["group"]))
        if feats["node"]:
            out.append(Reason("node", record.node, w["node"]))
        if feats["chain"]:
            out.append(Reason("chain", record.chain, w["chain"]))
        if feats["region"]:
            out.append(Reason("region", record.region, w["region"]))
        if feats["maturity"] > 0:
            out.append(Reason("maturity", f"TRL {record.trl} ≥ {query.min_trl}", w["maturity"]))
        elif feats["maturity"] < 0:
            detail = f"TRL {record.trl} < {query.min_trl}"
            out.append(Reason("maturity_low", detail, -w["maturity"]))
        if feats["budget"] > 0:
            out.append(Reason("budget", f"{record.price} ≤ {query.budget} 元", w["budget"]))
        elif feats["budget"] < 0:
            detail = f"{record.price} > {query.budget} 元"
            out.append(Reason("over_budget", detail, w["budget"] * feats["budget"]))
        if feats["feedback"] > 0:
            out.append(
                Reason("feedback", f"{feats['feedback']:.2f}", w["feedback"] * feats["feedback"])
            )
        elif feats["feedback"] < 0:
            detail = f"{feats['feedback']:.2f}"
            out.append(Reason("marked_bad", detail, w["feedback"] * feats["feedback"]))
        return tuple(out)


def _outermost(terms: list[str]) -> list[str]:
    """Drop terms contained in a longer shared term (碳化 and 化硅 inside 碳化硅)."""
    return [t for t in terms if not any(t != o and t in o for o in terms)]


# -- feedback ------------------------------------------------------------------------------


@dataclass
class Feedback:
    """Analysts' marks as a per-record boost for similar queries.

    A query is compared with every marked query by the cosine of their IDF-weighted term
    vectors; a record gains (good) or loses (bad) that similarity, summed over its marks
    and clipped to [−1, 1]. Marks on unrelated queries do nothing.
    """

    marks: list[Mark] = field(default_factory=list)
    threshold: float = 0.2
    _cache: dict[int, tuple[sparse.csr_matrix, Ints, Floats]] = field(
        default_factory=dict, repr=False
    )

    def _vector(self, matcher: Matcher, terms: Sequence[str]) -> tuple[Ints, Floats]:
        ids = matcher.bm25.term_ids(terms)
        values = matcher.bm25.idf[ids]
        norm = float(np.sqrt((values**2).sum()))
        return ids, (values / norm if norm > 0 else values)

    def _compiled(self, matcher: Matcher) -> tuple[sparse.csr_matrix, Ints, Floats]:
        cached = self._cache.get(id(matcher))
        if cached is not None and cached[1].shape[0] == len(self.marks):
            return cached
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        docs: list[int] = []
        signs: list[float] = []
        for m in self.marks:
            position = matcher.position.get(m.key)
            if position is None:
                continue
            ids, values = self._vector(matcher, textmod.tokens(m.query.text))
            row = len(docs)
            rows += [row] * len(ids)
            cols += ids.tolist()
            vals += values.tolist()
            docs.append(position)
            signs.append(1.0 if m.good else -1.0)
        matrix = sparse.csr_matrix(
            (vals, (rows, cols)), shape=(len(docs), max(len(matcher.bm25.vocabulary), 1))
        )
        compiled = (matrix, np.asarray(docs, dtype=np.int64), np.asarray(signs))
        if len(docs) == len(self.marks):
            self._cache[id(matcher)] = compiled
        return compiled

    def boost(self, matcher: Matcher, terms: Sequence[str]) -> Floats:
        n = len(matcher)
        if not self.marks:
            return np.zeros(n)
        matrix, docs, signs = self._compiled(matcher)
        if not len(docs):
            return np.zeros(n)
        ids, values = self._vector(matcher, terms)
        q = np.zeros(matrix.shape[1])
        q[ids] = values
        sims = matrix @ q
        sims = np.where(sims >= self.threshold, sims, 0.0)
        return np.clip(np.bincount(docs, weights=sims * signs, minlength=n), -1.0, 1.0)


def learn_weights(
    matcher: Matcher,
    marks: Sequence[Mark],
    prior: dict[str, float] | None = None,
    *,
    strength: float = 1.0,
    steps: int = 300,
    rate: float = 0.5,
) -> dict[str, float]:
    """Refit the feature weights from marks (pairwise logistic loss, L2 towards ``prior``).

    For every query with both a good and a bad mark, the good record should outscore the
    bad one. With no such pair the prior comes back unchanged. The feedback weight is
    not learned (it is the marks themselves).
    """
    base = {**DEFAULT_WEIGHTS, **(prior or {})}
    names = [n for n in FEATURES if n != "feedback"]  # "text" first
    by_query: dict[Query, list[Mark]] = {}
    for m in marks:
        by_query.setdefault(m.query, []).append(m)
    diffs: list[Floats] = []
    for query, group in by_query.items():
        good = [matcher.position[m.key] for m in group if m.good and m.key in matcher.position]
        bad = [matcher.position[m.key] for m in group if not m.good and m.key in matcher.position]
        if not good or not bad:
            continue
        _, f = matcher.features(query)
        table = np.stack([f[n] for n in names], axis=1)
        for g in good:
            for b in bad:
                diffs.append(table[g] - table[b])
    if not diffs:
        return base
    d = np.stack(diffs)
    w0 = np.array([base[n] for n in names])
    w = w0.copy()
    lam = strength / len(d)
    for _ in range(steps):
        margin = d @ w
        grad = -(d * (1 / (1 + np.exp(np.clip(margin, -30, 30))))[:, None]).mean(axis=0)
        grad += 2 * lam * (w - w0)
        w -= rate * grad
    # Only ratios matter to the order; keep text at its prior scale so that the fixed
    # feedback weight keeps its meaning. Text relevance never turns negative.
    scale = base["text"] / w[0] if w[0] > 0.05 else 1.0
    learned = dict(zip(names, (float(x) * scale for x in w), strict=True))
    learned["text"] = max(learned["text"], 0.05)
    return {**base, **learned}
