"""Ranking on any lists: index a corpus once, rank it for every query of a list, in batch.

Pure (no Django): files in, JSON or Excel out (``lianzhang innovation rank``). The corpus
is any table with ``id`` and ``text`` (capabilities, results, providers, enterprises,
catalogue products), the queries any table with ``qid`` and ``text`` (a chain office's
sheet of demands); both may carry ``industry_code``, ``region``, ``maturity``, ``kind``.

Retrieval is the module's own: ``text.tokens`` (jieba with the domain dictionary and the
synonyms) into a ``bm25.BM25Index``, plus, beside the words, a second ``BM25Index`` over
character bigrams. ``analysis`` turns demands as enterprises write them into terms
(boilerplate dropped, indicators and units as terms); ``lists`` reads the files.

Structured fields (``BatchRanker._features`` and ``_industry``):

* ``industry_code`` stated by a query is a hard filter: a corpus row stays only when one of
  its codes starts with the query's code (query 39 keeps 3972 and 3985; query C, a 门类,
  keeps the classes of 大类 13–43), or is a coarser level of the query's code (a row filed
  under 大类 39 or 门类 C for query 3972), or when the row has no code (unknown is not a
  mismatch). Agreement then counts as a feature: inside the query's class (``industry``)
  or only in the same 中类/大类 or coarser (``group``).
* ``maturity`` (TRL 1–9) stated by a query is the minimum: rows with a known lower TRL are
  dropped, rows at or above it gain the ``maturity`` feature, unknown rows stay.
* ``kind`` stated by a query keeps rows of that kind (or of no stated kind).
* ``region`` is a feature only (same region), never a filter: a demand's region is where
  the enterprise sits, not where the solver must be.

>>> ranker = BatchRanker([Item("a", "锂电池隔膜涂覆"), Item("b", "碳化硅衬底外延")])
>>> [m.id for m in ranker.rank(Item("q", "寻求锂电池隔膜合作"))]
['a']
>>> [i.term for i in indicators("铜箔厚度≤15μm，28nm工艺")]
['15μm', '28nm']
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lianzhang.core import gbt4754

from . import text as textmod
from .analysis import (
    BOILERPLATE,
    INDICATOR,
    UNIT,
    UNIT_HINTS,
    Analysis,
    Indicator,
    analyse,
    indicators,
)
from .bm25 import BM25Index, Floats, Ints
from .lists import FIELDS, BadInput, Item, Problem, parse_codes, parse_maturity, read_items
from .ranking import _categorical, _outermost

__all__ = [
    "BOILERPLATE",
    "FIELDS",
    "FILTERS",
    "UNIT",
    "UNIT_HINTS",
    "WEIGHTS",
    "Analysis",
    "BadInput",
    "BatchRanker",
    "Indicator",
    "Item",
    "Match",
    "Problem",
    "Reason",
    "analyse",
    "as_json",
    "dumps",
    "indicators",
    "parse_codes",
    "parse_maturity",
    "read_items",
    "write_json",
    "write_xlsx",
]

#: Default weights; text dominates as in ``ranking.DEFAULT_WEIGHTS``.
WEIGHTS: dict[str, float] = {
    "text": 1.0,
    "ngram": 0.3,
    "hint": 0.5,  # product-family terms a unit brings, relative to the query's own terms
    "industry": 0.35,
    "group": 0.1,
    "region": 0.1,
    "maturity": 0.15,
}
FILTERS = frozenset({"industry", "maturity", "kind"})


# -- ranking ---------------------------------------------------------------------------------

_REASONS: dict[str, tuple[str, str]] = {
    "text": ("共同关键词：{}", "shared terms: {}"),
    "ngram": ("字面相近：{}", "similar wording: {}"),
    "indicator": ("指标单位一致：{}", "same indicators: {}"),
    "industry": ("同一行业：{}", "same industry: {}"),
    "group": ("相近行业：{}", "related industry: {}"),
    "region": ("同在{}", "also in {}"),
    "maturity": ("技术成熟度 {}", "maturity {}"),
}


@dataclass(frozen=True)
class Reason:
    kind: str  # text, ngram, indicator, industry, group, region, maturity
    detail: str
    contribution: float

    def zh(self) -> str:
        return _REASONS[self.kind][0].format(self.detail)

    def en(self) -> str:
        return _REASONS[self.kind][1].format(self.detail)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "detail": self.detail,
            "zh": self.zh(),
            "en": self.en(),
            "contribution": round(self.contribution, 4),
        }


@dataclass(frozen=True)
class Match:
    id: str
    score: float
    reasons: tuple[Reason, ...]
    features: dict[str, float] = field(default_factory=dict, repr=False)


def _levels(code: str) -> list[str]:
    """A code and the coarser levels it belongs to, coarsest first: 3985 gives C (its 门类),
    3, 39, 398, 3985; a 门类 letter is itself only."""
    if not code[:1].isdigit():
        return [code]
    out = [code[:j] for j in range(1, len(code) + 1)]
    known = gbt4754.table().get(code[:2])
    return [known.section, *out] if known is not None else out


def _index_of(groups: dict[str, list[int]]) -> dict[str, Ints]:
    return {k: np.asarray(v, dtype=np.int64) for k, v in groups.items()}


class BatchRanker:
    """The corpus indexed once; ``rank`` answers one query, ``rank_all`` a list."""

    def __init__(
        self,
        corpus: Sequence[Item],
        *,
        weights: dict[str, float] | None = None,
        filters: Iterable[str] = FILTERS,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.items = list(corpus)
        self.weights = {**WEIGHTS, **(weights or {})}
        self.filters = frozenset(filters)
        n = len(self.items)
        grams: list[list[str]] = []

        def analysed() -> Iterator[list[str]]:
            for done, item in enumerate(self.items, 1):
                a = analyse(item.text)
                grams.append(a.grams)
                if progress is not None and done % 1000 == 0:
                    progress(1000)
                yield a.terms
            if progress is not None and n % 1000:
                progress(n % 1000)

        self.words = BM25Index.build(_Lazy(analysed, n))
        self.grams = BM25Index.build(grams)
        starts: dict[str, list[int]] = {}
        exact: dict[str, list[int]] = {}
        for i, item in enumerate(self.items):
            for prefix in {level for c in item.industry_codes for level in _levels(c)}:
                starts.setdefault(prefix, []).append(i)
            for code in set(item.industry_codes):
                exact.setdefault(code, []).append(i)
        self._starts, self._exact = _index_of(starts), _index_of(exact)
        self._coded = np.array([bool(item.industry_codes) for item in self.items], dtype=bool)
        self._regions, self._region = _categorical([item.region for item in self.items])
        self._kinds, self._kind = _categorical([item.kind for item in self.items])
        self._trl = np.array(
            [np.nan if item.maturity is None else item.maturity for item in self.items],
            dtype=np.float64,
        )
        self._domain = textmod.domain_terms()

    def __len__(self) -> int:
        return len(self.items)

    def _rows(self, table: dict[str, Ints], codes: Iterable[str]) -> Floats:
        out = np.zeros(len(self.items))
        for code in codes:
            rows = table.get(code)
            if rows is not None:
                out[rows] = 1.0
        return out

    def _industry(self, codes: tuple[str, ...]) -> tuple[Floats, Floats, Floats]:
        """Rows inside the query's classes, rows only in the same 中类/大类 (or coarser), and
        rows compatible with the codes (inside, coarser, or without a code)."""
        inside = self._rows(self._starts, codes)
        coarser = self._rows(self._exact, {level for c in codes for level in _levels(c)[:-1]})
        groups = {c[:j] for c in codes for j in (2, 3) if len(c) > j}
        group = np.maximum(self._rows(self._starts, groups), coarser) * (1 - inside)
        keep = (inside > 0) | (coarser > 0) | ~self._coded
        return inside, group, keep.astype(np.float64)

    def _features(self, query: Item, a: Analysis) -> tuple[dict[str, Floats], Floats]:
        n, w = len(self.items), self.weights
        words = self.words.scores(a.terms)
        if a.hints:
            words = words + w["hint"] * self.words.scores(a.hints)
        grams = self.grams.scores(a.grams)
        f: dict[str, Floats] = {}
        for name, raw in (("text", words), ("ngram", grams)):
            best = float(raw.max()) if n else 0.0
            f[name] = raw / best if best > 0 else np.zeros(n)
        keep = np.ones(n, dtype=bool)
        if query.industry_codes:
            f["industry"], f["group"], compatible = self._industry(query.industry_codes)
            if "industry" in self.filters:
                keep &= compatible > 0
        if query.maturity is not None:
            with np.errstate(invalid="ignore"):
                known = ~np.isnan(self._trl)
                f["maturity"] = np.where(known & (self._trl >= query.maturity), 1.0, 0.0)
                if "maturity" in self.filters:
                    keep &= ~known | (self._trl >= query.maturity)
        if query.region and query.region in self._regions:
            f["region"] = np.asarray(self._region == self._regions[query.region], dtype=float)
        if query.kind and "kind" in self.filters:
            wanted = self._kinds.get(query.kind, -2)
            keep &= (self._kind == wanted) | (self._kind == -1)
        keep &= (f["text"] > 0) | (f["ngram"] > 0)
        return f, keep.astype(np.float64)

    def rank(self, query: Item, k: int = 10) -> list[Match]:
        """The ``k`` best rows for the query, best first (ties: corpus order), with reasons."""
        a = analyse(query.text)
        f, keep = self._features(query, a)
        total = np.zeros(len(self.items))
        for name, vector in f.items():
            total += self.weights[name] * vector
        total = np.where(keep > 0, total, -np.inf)
        out = []
        said: tuple[set[str], list[str]] | None = None  # for readable reasons
        for i in BM25Index.top(total, k).tolist():
            if not math.isfinite(total[i]):
                break
            if said is None:  # the query's own words and terms (not the synonyms they bring)
                rest = INDICATOR.sub(" ", textmod.normalise(query.text))
                said = textmod.precise(rest), a.own
            feats = {name: float(v[i]) for name, v in f.items()}
            reasons = self._reasons(query, a, said, i, feats)
            out.append(Match(self.items[i].id, float(total[i]), reasons, feats))
        return out

    def rank_all(
        self,
        queries: Iterable[Item],
        k: int = 10,
        progress: Callable[[int], None] | None = None,
    ) -> list[tuple[str, list[Match]]]:
        out = []
        for query in queries:
            out.append((query.id, self.rank(query, k)))
            if progress is not None:
                progress(1)
        return out

    def _reasons(
        self,
        query: Item,
        a: Analysis,
        said: tuple[set[str], list[str]],
        i: int,
        feats: dict[str, float],
    ) -> tuple[Reason, ...]:
        w, item = self.weights, self.items[i]
        words_said, own_terms = said
        out: list[Reason] = []
        if feats["text"] > 0:
            shared = self.words.shared_terms(own_terms, i) or self.words.shared_terms(
                a.terms + a.hints, i
            )
            units = [t for t in shared if t.startswith(UNIT)]
            own = {t.term for t in a.indicators}
            values = [t for t in shared if t in own]
            words = [
                t.removeprefix(textmod.WHOLE) for t in shared if t not in own and t not in units
            ]
            readable = [t for t in dict.fromkeys(words) if t in self._domain or t in words_said]
            shown = _outermost(readable or list(dict.fromkeys(words)))[:6]
            if shown:
                out.append(Reason("text", "、".join(shown), w["text"] * feats["text"]))
            if values or units:
                detail = "、".join(values + [u.removeprefix(UNIT) for u in units][:4])
                out.append(Reason("indicator", detail, 0.0))
        elif feats["ngram"] > 0:  # matched by its wording only
            shared_grams = self.grams.shared_terms(a.grams, i)[:6]
            out.append(Reason("ngram", "、".join(shared_grams), w["ngram"] * feats["ngram"]))
        if feats.get("industry"):
            codes = [c for c in item.industry_codes if c.startswith(query.industry_codes)]
            out.append(Reason("industry", "、".join(codes), w["industry"]))
        elif feats.get("group"):
            out.append(Reason("group", "、".join(item.industry_codes[:3]), w["group"]))
        if feats.get("region"):
            out.append(Reason("region", item.region, w["region"]))
        if feats.get("maturity"):
            detail = f"TRL {item.maturity} ≥ {query.maturity}"
            out.append(Reason("maturity", detail, w["maturity"]))
        return tuple(out)


class _Lazy(Sequence[list[str]]):
    """Token lists made while the index reads them (never all held at once)."""

    def __init__(self, make: Callable[[], Iterator[list[str]]], n: int) -> None:
        self._make, self._n = make, n

    def __len__(self) -> int:
        return self._n

    def __iter__(self) -> Iterator[list[str]]:
        return self._make()

    def __getitem__(self, index: Any) -> Any:  # pragma: no cover (the index only iterates)
        raise TypeError("read in order only")


# -- output ----------------------------------------------------------------------------------


def as_json(results: Sequence[tuple[str, Sequence[Match]]]) -> list[dict[str, Any]]:
    """The CLI contract: one object per query, ``qid`` and ``results`` in rank order."""
    return [
        {
            "qid": qid,
            "results": [
                {
                    "id": m.id,
                    "score": round(m.score, 4),
                    "reasons": [r.as_dict() for r in m.reasons],
                }
                for m in matches
            ],
        }
        for qid, matches in results
    ]


def dumps(results: Sequence[tuple[str, Sequence[Match]]]) -> str:
    return json.dumps(as_json(results), ensure_ascii=False, indent=2) + "\n"


XLSX_COLUMNS = ("qid", "rank", "id", "score", "reasons")


def _replace(path: Path, write: Callable[[Path], None]) -> None:
    """Write to a file beside ``path`` and move it into place: never a half-written file."""
    path = Path(path)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    os.close(handle)
    try:
        write(Path(name))
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(name, 0o666 & ~mask)  # as an ordinary new file (mkstemp makes it 0600)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def write_json(path: Path | str, results: Sequence[tuple[str, Sequence[Match]]]) -> None:
    text = dumps(results)

    def write(target: Path) -> None:
        target.write_text(text, "utf-8")

    _replace(Path(path), write)


def write_xlsx(path: Path | str, results: Sequence[tuple[str, Sequence[Match]]]) -> None:
    """One row per (qid, rank, id, score, reasons); a query without a match keeps one row."""
    import xlsxwriter

    from lianzhang.core import exports

    def write(target: Path) -> None:
        book = xlsxwriter.Workbook(str(target), {"constant_memory": True, **exports.XLSX_TEXT})
        sheet = book.add_worksheet("rank")
        sheet.write_row(0, 0, XLSX_COLUMNS)
        sheet.set_column(0, 0, 14)
        sheet.set_column(2, 2, 18)
        sheet.set_column(4, 4, 80)
        row = 1
        for qid, matches in results:
            if not matches:
                sheet.write_row(row, 0, [qid, None, None, None, "无匹配 / no match"])
                row += 1
            for n, m in enumerate(matches, 1):
                reasons = "；".join(f"{r.zh()} / {r.en()}" for r in m.reasons)
                sheet.write_row(row, 0, [qid, n, m.id, round(m.score, 4), reasons])
                row += 1
        book.close()

    _replace(Path(path), write)
