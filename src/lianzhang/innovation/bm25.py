"""Okapi BM25 over a sparse term-document matrix (numpy + scipy, no Django).

The index keeps, per term, the documents it occurs in and their BM25 weight (CSC layout:
a column per term). A query adds the columns of its terms with one ``np.bincount``, so the
cost grows with the postings of the query terms, never with a Python loop over documents;
100,000 short records answer in well under a millisecond per term.

>>> index = BM25Index.build([["锂电池", "隔膜"], ["锂电池", "电解液"], ["光刻胶"]])
>>> scores = index.scores(["隔膜", "锂电池"])
>>> [int(i) for i in index.top(scores, 2)]
[0, 1]
>>> index.scores(["不存在"]).max()
np.float64(0.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class BM25Index:
    vocabulary: dict[str, int]
    weights: sparse.csc_matrix  # documents × terms, BM25 weight of the term in the document
    idf: Floats
    n_docs: int
    rows: sparse.csr_matrix  # the same weights, a row per document (for shared terms)

    @classmethod
    def build(
        cls, documents: Sequence[Sequence[str]], *, k1: float = 1.2, b: float = 0.75
    ) -> BM25Index:
        """Index tokenised documents (repeats count as term frequency)."""
        vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        for doc_id, doc in enumerate(documents):
            for term in doc:
                cols.append(vocabulary.setdefault(term, len(vocabulary)))
                rows.append(doc_id)
        n_docs = len(documents)
        tf = sparse.coo_matrix(
            (np.ones(len(rows)), (np.asarray(rows, dtype=np.int64), np.asarray(cols))),
            shape=(n_docs, max(len(vocabulary), 1)),
        ).tocsr()
        tf.sum_duplicates()
        lengths = np.asarray(tf.sum(axis=1)).ravel()
        avg = float(lengths.mean()) if n_docs and lengths.mean() > 0 else 1.0
        df = np.bincount(tf.indices, minlength=tf.shape[1]).astype(np.float64)
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5))
        norm = k1 * (1 - b + b * lengths / avg)  # per document
        doc_of_entry = np.repeat(np.arange(n_docs), np.diff(tf.indptr))
        data = tf.data * (k1 + 1) / (tf.data + norm[doc_of_entry]) * idf[tf.indices]
        rows_matrix = sparse.csr_matrix((data, tf.indices, tf.indptr), shape=tf.shape)
        return cls(vocabulary, rows_matrix.tocsc(), idf, n_docs, rows_matrix)

    def term_ids(self, terms: Sequence[str]) -> Ints:
        """Known terms of a query, each once."""
        ids = {self.vocabulary[t] for t in terms if t in self.vocabulary}
        return np.fromiter(sorted(ids), dtype=np.int64, count=len(ids))

    def scores(self, terms: Sequence[str]) -> Floats:
        """BM25 score of every document for the query ``terms`` (zeros when none match)."""
        ids = self.term_ids(terms)
        if not len(ids):
            return np.zeros(self.n_docs)
        w = self.weights
        starts, ends = w.indptr[ids], w.indptr[ids + 1]
        picks = np.concatenate([np.arange(s, e) for s, e in zip(starts, ends, strict=True)])
        out: Floats = np.bincount(
            w.indices[picks], weights=w.data[picks], minlength=self.n_docs
        ).astype(np.float64, copy=False)
        return out

    def shared_terms(self, terms: Sequence[str], doc: int) -> list[str]:
        """The query terms that occur in document ``doc``, heaviest first."""
        rows = self.rows
        start, end = rows.indptr[doc], rows.indptr[doc + 1]
        present = dict(zip(rows.indices[start:end].tolist(), rows.data[start:end], strict=True))
        seen: dict[str, float] = {}
        for t in terms:
            i = self.vocabulary.get(t)
            if i is not None and i in present:
                seen[t] = float(present[i])
        return sorted(seen, key=lambda t: -seen[t])

    @staticmethod
    def top(scores: Floats, k: int) -> Ints:
        """Indices of the ``k`` highest scores, best first (ties: lower index first)."""
        k = min(k, len(scores))
        if k <= 0:
            return np.zeros(0, dtype=np.int64)
        part = np.argpartition(-scores, k - 1)[:k]
        order = np.lexsort((part, -scores[part]))
        return part[order].astype(np.int64)
