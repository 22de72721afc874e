"""The evaluation set from real data. Needs the shared data directory for ChainKG padding."""

import pytest

from lianzhang.innovation.evaluation import (
    evaluate,
    ndcg_at_k,
    recall_at_k,
    sei_eval_set,
    shared_dir,
)

SHARED = shared_dir()
needs_shared = pytest.mark.skipif(
    SHARED is None, reason="shared data (../shared or $LIANZHANG_SHARED) is absent"
)


def test_metrics():
    assert recall_at_k([1, 2, 3], {3, 4}, 2) == 0
    assert recall_at_k([1, 2, 3], {3, 4}, 3) == 0.5
    assert ndcg_at_k([5, 6], {5, 6}, 10) == pytest.approx(1.0)
    assert ndcg_at_k([6, 5], {5}, 10) < ndcg_at_k([5, 6], {5}, 10)
    assert recall_at_k([1], set()) == 0 == ndcg_at_k([1], set())


def test_catalogue_only_set_has_category_relevance():
    data = sei_eval_set(None, size=0, queries=50)
    assert len(data.records) == 4453 and len(data.queries) == 50
    for q, rel in zip(data.queries, data.relevant, strict=True):
        (own,) = q.exclude
        assert own not in rel and len(rel) >= 2
        assert all(k.startswith("sei:") for k in rel)


def test_combined_beats_bm25_on_the_catalogue():
    data = sei_eval_set(None, size=0, queries=150)
    _, results = evaluate(data)
    by = {r.name: r for r in results}
    assert by["combined"].ndcg > by["bm25"].ndcg
    assert by["combined"].recall > by["bm25"].recall


@needs_shared
def test_padding_comes_from_chainkg_with_catalogue_structure():
    data = sei_eval_set(SHARED, size=12_000, queries=20)
    assert len(data.records) == 12_000
    padding = [r for r in data.records if r.key.startswith("kg:")]
    assert len(padding) == 12_000 - 4453
    assert all(r.industry_codes and r.chain for r in padding)
