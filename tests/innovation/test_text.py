from lianzhang.innovation import text


def test_normalise_full_width_case_and_spaces():
    assert text.normalise("ＡＢＣ１２３\u3000 锂电池  ") == "abc123 锂电池"


def test_domain_terms_come_from_the_catalogues():
    terms = text.domain_terms()
    assert "高端路由器" in terms  # SEI key product
    assert "光刻胶" in terms or "光刻" in terms
    assert "电子专用材料" in terms  # GB/T 4754 3985 stem (…制造 dropped)
    assert all(2 <= len(t) <= 8 for t in terms if t not in {"ic", "ai"})


def test_domain_dictionary_keeps_technical_terms_whole():
    assert "碳化硅" in text.tokens("碳化硅衬底")
    assert "路由器" in text.tokens("高端路由器")


def test_stopwords_punctuation_and_single_characters_are_dropped():
    out = text.tokens("我们需要解决的技术问题：电池的热管理！")
    assert "的" not in out and "技术" not in out and "：" not in out and "热" not in out
    assert "电池" in out and "管理" in out


def test_synonyms_expand_both_ways():
    assert "锂离子电池" in text.tokens("锂电隔膜")
    assert "锂电" in text.tokens("锂离子电池隔膜")
    assert "锂离子电池" not in text.tokens("锂电隔膜", expand=False)


def test_repeats_are_kept_for_term_frequency():
    assert text.tokens("芯片 芯片", expand=False).count("芯片") == 2


def test_empty_text():
    assert text.tokens("   ") == []
