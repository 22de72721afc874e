import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lianzhang.innovation.bm25 import BM25Index

DOCS = [
    ["锂电池", "隔膜"],
    ["锂电池", "电解液", "锂电池"],
    ["光刻胶"],
    ["隔膜", "涂覆", "设备", "工艺"],
]


def naive(docs, query, k1=1.2, b=0.75):
    n = len(docs)
    avg = sum(len(d) for d in docs) / n
    out = []
    for d in docs:
        s = 0.0
        for t in set(query):
            df = sum(1 for x in docs if t in x)
            if not df:
                continue
            idf = np.log1p((n - df + 0.5) / (df + 0.5))
            tf = d.count(t)
            s += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(d) / avg))
        out.append(s)
    return np.array(out)


def test_matches_textbook_formula():
    index = BM25Index.build(DOCS)
    for query in (["锂电池"], ["隔膜", "锂电池"], ["光刻胶", "未知"], ["隔膜", "隔膜"]):
        assert np.allclose(index.scores(query), naive(DOCS, query))


def test_term_frequency_and_rarity_order_documents():
    index = BM25Index.build(DOCS)
    scores = index.scores(["锂电池"])
    assert scores[1] > scores[0] > 0 == scores[2]
    # 光刻胶 occurs once in the corpus, 锂电池 twice: the rarer term weighs more
    assert index.idf[index.vocabulary["光刻胶"]] > index.idf[index.vocabulary["锂电池"]]


def test_top_breaks_ties_by_index_and_caps_k():
    assert BM25Index.top(np.array([1.0, 3.0, 3.0, 0.5]), 3).tolist() == [1, 2, 0]
    assert BM25Index.top(np.array([1.0]), 5).tolist() == [0]
    assert BM25Index.top(np.array([]), 5).tolist() == []


def test_shared_terms_heaviest_first():
    index = BM25Index.build(DOCS)
    assert index.shared_terms(["工艺", "隔膜", "未知"], 3)[0] in {"工艺", "隔膜"}
    assert set(index.shared_terms(["工艺", "隔膜", "未知"], 3)) == {"工艺", "隔膜"}
    assert index.shared_terms(["光刻胶"], 0) == []


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from("abcdefg"), max_size=6), min_size=1, max_size=12),
    st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=4),
)
def test_sparse_scores_equal_naive_scores(docs, query):
    index = BM25Index.build(docs)
    assert np.allclose(index.scores(query), naive(docs, query))


def test_empty_corpus_and_query():
    index = BM25Index.build([[]])
    assert index.scores(["x"]).tolist() == [0.0]
    with pytest.raises(IndexError):
        index.scores(["x"])[1]
