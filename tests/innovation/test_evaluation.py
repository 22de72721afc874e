"""The evaluation set from real data. Needs the shared data directory for ChainKG padding."""

import pytest

from lianzhang.innovation.evaluation import (
    evaluate,
    ndcg_at_k,
    real_eval_set,
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
    by = {r.name: r for r in results if r.task == "all"}
    assert by["combined"].ndcg > by["bm25"].ndcg
    assert by["combined"].recall > by["bm25"].recall


@needs_shared
def test_real_eval_set_has_both_tasks_from_shared_data():
    data = real_eval_set(SHARED, size=70_000, queries=30, maker_queries=40)
    assert len(data.records) == 70_000 and len({r.key for r in data.records}) == 70_000
    assert data.tasks.count("sei") == 30 and data.tasks.count("makers") == 40
    records = {r.key: r for r in data.records}
    companies = [r for r in data.records if r.key.startswith("cp:")]
    assert len(companies) == 53_785  # every main product of every listed company
    assert all(r.industry_codes[0].startswith("SW") for r in companies if r.industry_codes)
    filler = [r for r in data.records if r.key.startswith("kg:")]
    assert filler and all(r.industry_codes and r.chain for r in filler)
    names = {r.text for r in companies}
    assert not any(r.text in names for r in filler)  # filler is nobody's main product
    for q, rel, task in zip(data.queries, data.relevant, data.tasks, strict=True):
        if task == "makers":
            # the named product is among the relevant records, which are makers' records
            assert any(records[k].text == q.text for k in rel)
            assert all(k.startswith("cp:") for k in rel) and not q.industry_codes


@needs_shared
def test_combined_beats_bm25_on_real_data_and_never_loses_a_task():
    data = real_eval_set(SHARED, size=30_000, queries=120, maker_queries=60)
    _, results = evaluate(data)
    by = {(r.task, r.name): r for r in results}
    assert by[("all", "combined")].ndcg > by[("all", "bm25")].ndcg
    assert by[("sei", "combined")].ndcg > by[("sei", "bm25")].ndcg
    assert by[("makers", "combined")].ndcg >= by[("makers", "bm25")].ndcg - 1e-9
