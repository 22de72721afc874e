from decimal import Decimal

import numpy as np
import pytest

from lianzhang.innovation.ranking import (
    DEFAULT_WEIGHTS,
    Feedback,
    Mark,
    Matcher,
    Query,
    Record,
    learn_weights,
)

RECORDS = [
    Record(
        "cap:sic",
        "碳化硅功率器件封装与可靠性测试",
        ("3972",),
        "ic",
        "power",
        "成都高新区",
        6,
        Decimal("800000"),
    ),
    Record(
        "cap:sic2",
        "碳化硅衬底外延生长",
        ("3985",),
        "ic",
        "substrate",
        "绵阳市",
        4,
        Decimal("3000000"),
    ),
    Record("cap:bat", "锂离子电池隔膜涂覆工艺", ("3841",), "nev", "battery", "成都高新区", 7),
    Record(
        "cap:pack", "动力电池包热管理系统", ("3841",), "nev", "battery", "", None, Decimal("500000")
    ),
    Record("cap:food", "火锅底料生产工艺", ("1469",), "food", "", "郫都区"),
    Record("cap:chip", "集成电路设计服务", ("6520",), "ic", "design", "成都高新区", 9),
]


@pytest.fixture(scope="module")
def matcher():
    return Matcher(RECORDS)


def keys(hits):
    return [h.key for h in hits]


def test_text_match_ranks_first_and_explains_shared_terms(matcher):
    hits = matcher.rank(Query("碳化硅器件封装测试"))
    assert hits[0].key == "cap:sic"
    text_reason = next(r for r in hits[0].reasons if r.kind == "text")
    assert "碳化硅" in text_reason.detail and "封装" in text_reason.detail
    assert "化硅" not in text_reason.detail.split("、")  # inner pieces are not repeated
    assert "共同关键词" in text_reason.zh() and "shared terms" in text_reason.en()


def test_synonym_finds_other_spelling(matcher):
    assert "cap:bat" in keys(matcher.rank(Query("锂电隔膜")))
    assert "cap:chip" in keys(matcher.rank(Query("芯片设计")))


def test_unrelated_records_are_not_returned(matcher):
    assert "cap:food" not in keys(matcher.rank(Query("碳化硅衬底")))
    assert matcher.rank(Query("完全无关的内容xyz")) == []


def test_structure_reorders_equal_text(matcher):
    plain = matcher.rank(Query("碳化硅"))
    assert {plain[0].key, plain[1].key} == {"cap:sic", "cap:sic2"}
    by_node = matcher.rank(Query("碳化硅", node="substrate"))
    assert by_node[0].key == "cap:sic2"
    assert any(r.kind == "node" for r in by_node[0].reasons)
    by_industry = matcher.rank(Query("碳化硅", industry_codes=("3972",)))
    assert by_industry[0].key == "cap:sic"
    assert any(r.kind == "industry" and r.detail == "3972" for r in by_industry[0].reasons)


def test_industry_alone_brings_in_records_without_shared_words(matcher):
    hits = matcher.rank(Query("电芯一致性", industry_codes=("3841",)))
    assert {"cap:bat", "cap:pack"} <= set(keys(hits))
    assert all(h.features["text"] == 0 for h in hits if h.key in {"cap:bat", "cap:pack"})


def test_group_is_weaker_than_class(matcher):
    f = matcher.features(Query("x", industry_codes=("3979",)))[1]
    i = matcher.position["cap:sic"]  # 3972: same 中类 397
    assert f["group"][i] == 1 and f["industry"][i] == 0
    assert DEFAULT_WEIGHTS["group"] < DEFAULT_WEIGHTS["industry"]


def test_maturity_and_budget_fit_with_unknown_neutral(matcher):
    q = Query("碳化硅", min_trl=5, budget=Decimal("1000000"))
    hits = {h.key: h for h in matcher.rank(q)}
    assert hits["cap:sic"].features["maturity"] == 1
    assert hits["cap:sic2"].features["maturity"] == -1
    assert hits["cap:sic"].features["budget"] == 1
    assert hits["cap:sic2"].features["budget"] == -1  # 3,000,000 is 200 % over: capped
    assert hits["cap:sic"].key == matcher.rank(q)[0].key
    kinds = {r.kind for r in hits["cap:sic2"].reasons}
    assert {"maturity_low", "over_budget"} <= kinds
    pack = matcher.features(Query("x", min_trl=5))[1]["maturity"][matcher.position["cap:pack"]]
    assert pack == 0  # TRL unknown: neither reward nor penalty


def test_exclude_and_region(matcher):
    q = Query("碳化硅", region="成都高新区", exclude=frozenset({"cap:sic"}))
    hits = matcher.rank(q)
    assert "cap:sic" not in keys(hits)
    plain = {h.key: h for h in matcher.rank(Query("碳化硅"))}
    local = {h.key: h for h in matcher.rank(Query("碳化硅", region="成都高新区"))}
    assert local["cap:sic"].score == pytest.approx(
        plain["cap:sic"].score + DEFAULT_WEIGHTS["region"]
    )
    assert local["cap:sic2"].score == pytest.approx(plain["cap:sic2"].score)
    assert any(r.kind == "region" and r.detail == "成都高新区" for r in local["cap:sic"].reasons)


def test_bad_mark_pushes_record_down_for_similar_queries_only(matcher):
    query = Query("碳化硅器件")
    before = keys(matcher.rank(query))
    assert before[0] == "cap:sic"
    feedback = Feedback([Mark(Query("碳化硅功率器件"), "cap:sic", good=False)])
    after = matcher.rank(query, feedback=feedback)
    assert keys(after)[0] == "cap:sic2"
    demoted = next(h for h in after if h.key == "cap:sic")
    assert any(r.kind == "marked_bad" for r in demoted.reasons)
    # An unrelated query is not affected
    unrelated = Query("锂电池隔膜")
    assert keys(matcher.rank(unrelated, feedback=feedback)) == keys(matcher.rank(unrelated))


def test_good_mark_lifts_a_record(matcher):
    query = Query("碳化硅")
    feedback = Feedback([Mark(Query("碳化硅"), "cap:sic2", good=True)])
    hits = matcher.rank(query, feedback=feedback)
    assert hits[0].key == "cap:sic2"
    assert any(r.kind == "feedback" for r in hits[0].reasons)


def test_learn_weights_moves_towards_what_analysts_prefer(matcher):
    # Analysts repeatedly prefer the same-region record over the better text match.
    marks = []
    for text in ("碳化硅", "碳化硅器件", "碳化硅外延"):
        q = Query(text, region="成都高新区")
        marks += [Mark(q, "cap:sic", True), Mark(q, "cap:sic2", False)]
    learned = learn_weights(matcher, marks)
    assert learned["region"] > DEFAULT_WEIGHTS["region"]
    assert learned["text"] == pytest.approx(DEFAULT_WEIGHTS["text"])
    assert learn_weights(matcher, [Mark(Query("碳化硅"), "cap:sic", True)]) == DEFAULT_WEIGHTS


def test_scores_are_vectors_over_all_records(matcher):
    _, f, total = matcher.scores(Query("碳化硅"))
    assert all(len(v) == len(RECORDS) for v in f.values())
    assert np.isneginf(total[matcher.position["cap:food"]])
