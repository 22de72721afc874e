"""`lianzhang innovation rank`: any corpus file ranked for any list of queries."""

import json
import os

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from lianzhang.cli.main import cli
from lianzhang.innovation import batch

CORPUS = [
    # id, text, industry_code, region, maturity, kind
    ("sep", "锂电池隔膜陶瓷涂覆工艺", "3841", "成都高新区", "6", "result"),
    ("cathode", "高镍三元正极材料，能量密度300Wh/kg", "3985", "", "TRL 7", "result"),
    ("cathode-food", "正极材料中试线（食品行业分类错误）", "1469", "", "", ""),
    ("foil", "6μm极薄电解铜箔", "3985", "武侯区", "", "capability"),
    ("sic", "碳化硅功率器件封装与可靠性测试", "3972", "成都高新区", "4", "capability"),
    ("h2", "碱性电解槽制氢系统", "", "", "", "platform"),
    ("node", "28nm集成电路工艺", "3973", "", "", ""),
    ("boiler", "高校团队寻求合作，联合攻关，需要提升，解决问题", "", "", "", ""),
]


def write_csv(path, header, rows, encoding="utf-8"):
    lines = [",".join(header)] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding)
    return path


def write_xlsx(path, header, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for r in rows:
        sheet.append([int(c) if c.isdigit() and len(c) == 4 else c for c in r])
    book.save(path)
    return path


@pytest.fixture
def corpus(tmp_path):
    return write_csv(
        tmp_path / "corpus.csv",
        ["id", "text", "industry_code", "region", "maturity", "kind"],
        CORPUS,
        "utf-8-sig",
    )


def run(*args):
    result = CliRunner().invoke(cli, ["innovation", "rank", *map(str, args)])
    return result


def ranked(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_csv_in_json_out_keys_order_and_reasons(corpus, tmp_path):
    queries = write_csv(
        tmp_path / "q.csv",
        ["qid", "text"],
        [("d1", "锂电池隔膜涂覆一致性差，寻求联合攻关"), ("d2", "碳化硅器件封装可靠性")],
    )
    out = ranked(run("--corpus", corpus, "--queries", queries))
    assert [q["qid"] for q in out] == ["d1", "d2"]  # the queries' order
    first = out[0]
    assert set(first) == {"qid", "results"}
    assert set(first["results"][0]) == {"id", "score", "reasons"}
    assert first["results"][0]["id"] == "sep"
    scores = [r["score"] for r in first["results"]]
    assert scores == sorted(scores, reverse=True)
    reason = first["results"][0]["reasons"][0]
    assert reason["kind"] == "text" and "隔膜" in reason["detail"]
    assert reason["zh"].startswith("共同关键词") and reason["en"].startswith("shared terms")
    assert out[1]["results"][0]["id"] == "sic"


def test_k_limits_the_results(corpus, tmp_path):
    queries = write_csv(tmp_path / "q.csv", ["qid", "text"], [("d", "正极材料 铜箔 隔膜 碳化硅")])
    assert len(ranked(run("--corpus", corpus, "--queries", queries))[0]["results"]) == 5
    assert len(ranked(run("--corpus", corpus, "--queries", queries, "-k", "2"))[0]["results"]) == 2


def test_xlsx_in_gb18030_csv_and_an_industry_hard_filter(tmp_path):
    corpus = write_xlsx(
        tmp_path / "corpus.xlsx",
        ["id", "text", "industry_code", "region", "maturity", "kind"],
        CORPUS,
    )
    queries = write_csv(
        tmp_path / "q.csv",
        ["qid", "text", "industry_code"],
        [("d1", "正极材料", "39"), ("d2", "正极材料", "")],
        "gb18030",
    )
    with_code, without = ranked(run("--corpus", corpus, "--queries", queries))
    # 39 keeps 3985 (its prefix) and rows without a code; 1469 is filtered out
    assert [r["id"] for r in with_code["results"]] == ["cathode"]
    assert {"industry"} <= {x["kind"] for x in with_code["results"][0]["reasons"]}
    assert {r["id"] for r in without["results"]} == {"cathode", "cathode-food"}


def test_maturity_and_kind_filter_region_is_a_feature(tmp_path):
    items = [
        batch.Item(*r[:2], batch.parse_codes(r[2]), r[3], batch.parse_maturity(r[4]), r[5])
        for r in CORPUS
    ]
    ranker = batch.BatchRanker(items)
    q = batch.Item("q", "正极材料", maturity=7)
    assert [m.id for m in ranker.rank(q)] == ["cathode", "cathode-food"]  # unknown TRL stays
    assert [m.id for m in ranker.rank(batch.Item("q", "正极材料", maturity=8))] == ["cathode-food"]
    found = ranker.rank(batch.Item("q", "封装 铜箔 隔膜", kind="capability"))
    assert {m.id for m in found} == {"sic", "foil"}  # not the result "sep"
    assert not [m for m in ranker.rank(batch.Item("q", "封装", kind="platform"))]
    here = ranker.rank(batch.Item("q", "铜箔 封装", region="武侯区"))
    assert here[0].id == "foil" and "region" in {r.kind for r in here[0].reasons}
    assert {m.id for m in here} == {"foil", "sic"}  # region never filters


def test_boilerplate_does_not_drive_ranking():
    ranker = batch.BatchRanker([batch.Item(r[0], r[1]) for r in CORPUS])
    assert ranker.rank(batch.Item("q", "寻求合作，联合攻关，需要提升，解决问题")) == []
    hits = ranker.rank(batch.Item("q", "需要提升锂电池隔膜涂覆，寻求合作联合攻关"))
    assert [m.id for m in hits] == ["sep"]  # the boilerplate record shares nothing
    terms = batch.analyse("寻求联合攻关，需要提升，要求解决").terms
    assert terms == []


def test_indicators_and_units_become_terms():
    assert [(i.op, i.value, i.unit) for i in batch.indicators("铜箔厚度≤15μm，4.3kWh/Nm³")] == [
        ("≤", "15", "μm"),
        ("", "4.3", "kwh/nm3"),
    ]
    a = batch.analyse("电解水制氢能耗≤4.30kWh/Nm³，28nm 工艺，厚度 10~15 微米")
    assert {"4.3kwh/nm3", "#kwh/nm3", "28nm", "#nm", "10μm", "15μm", "#μm"} <= set(a.terms)
    assert not {"4.30", "28", "15"} & set(a.terms)  # bare numbers are no terms
    assert "制氢" in a.hints  # kWh/Nm³ points at hydrogen production

    ranker = batch.BatchRanker([batch.Item(r[0], r[1]) for r in CORPUS])
    hits = ranker.rank(batch.Item("q", "厚度不超过8μm"))
    assert hits[0].id == "foil"  # only the unit is shared
    assert hits[0].reasons[-1].kind == "indicator" and "μm" in hits[0].reasons[-1].detail
    assert ranker.rank(batch.Item("q", "28nm"))[0].id == "node"
    assert ranker.rank(batch.Item("q", "能耗4.3kWh/Nm³"))[0].id == "h2"  # by the unit's family


@pytest.mark.parametrize(
    ("header", "rows", "expected"),
    [
        (["id", "name"], [("a", "x")], "缺少必填列「text」"),
        (["text"], [("x",)], "缺少必填列「id」"),
        (["id", "text"], [("a", "x"), ("a", "y")], "第 3 行「id」编号 a 与第 2 行重复"),
        (["id", "text"], [("a", "x"), ("b", "")], "第 3 行「text」文本为空"),
        (["id", "text"], [("", "x")], "第 2 行「id」编号为空"),
        (["id", "text", "maturity"], [("a", "x", "高")], "第 2 行「maturity」成熟度"),
    ],
)
def test_bad_corpus_is_refused_and_nothing_is_written(tmp_path, header, rows, expected):
    corpus = write_csv(tmp_path / "c.csv", header, rows)
    queries = write_csv(tmp_path / "q.csv", ["qid", "text"], [("d", "x")])
    output = tmp_path / "out.json"
    result = run("--corpus", corpus, "--queries", queries, "--output", output)
    assert result.exit_code == 1
    assert expected in result.output and " / " in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.csv", "q.csv"]  # no temp file


def test_bad_queries_list_every_row(corpus, tmp_path):
    queries = write_csv(tmp_path / "q.csv", ["qid", "text"], [("d", ""), ("d", "x"), ("", "y")])
    output = tmp_path / "out.xlsx"
    result = run("--corpus", corpus, "--queries", queries, "--format", "xlsx", "--output", output)
    assert result.exit_code == 1 and not output.exists()
    for row in ("第 2 行", "第 3 行", "第 4 行", "row 2", "row 3", "row 4"):
        assert row in result.output
    missing = run("--corpus", corpus, "--queries", tmp_path / "none.csv")
    assert missing.exit_code == 1 and "文件不存在" in missing.output
    assert run("--corpus", corpus, "--queries", queries, "--format", "xlsx").exit_code == 1


def test_xlsx_output_is_readable_and_json_output_file(corpus, tmp_path):
    queries = write_csv(
        tmp_path / "q.csv", ["qid", "text"], [("d1", "正极材料"), ("d2", "完全无关的火锅")]
    )
    output = tmp_path / "out.xlsx"
    result = run("--corpus", corpus, "--queries", queries, "--format", "xlsx", "--output", output)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # progress and summary go to stderr
    mask = os.umask(0)
    os.umask(mask)
    assert output.stat().st_mode & 0o777 == 0o666 & ~mask  # an ordinary file, not 0600
    rows = list(load_workbook(output).active.iter_rows(values_only=True))
    assert rows[0] == ("qid", "rank", "id", "score", "reasons")
    assert rows[1][:3] == ("d1", 1, "cathode") and "共同关键词" in rows[1][4]
    assert rows[2][:3] == ("d1", 2, "cathode-food")
    assert rows[3][:2] == ("d2", None) and "no match" in rows[3][4]

    as_json = tmp_path / "out.json"
    result = run("--corpus", corpus, "--queries", queries, "--output", as_json)
    assert result.exit_code == 0 and result.stdout == ""
    data = json.loads(as_json.read_text("utf-8"))
    assert [q["qid"] for q in data] == ["d1", "d2"] and data[1]["results"] == []


def test_json_stdout_is_clean_of_progress(corpus, tmp_path):
    queries = write_csv(tmp_path / "q.csv", ["qid", "text"], [("d", "隔膜")])
    result = run("--corpus", corpus, "--queries", queries)
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["results"][0]["id"] == "sep"
    assert "ranked 8 records for 1 queries" in result.stderr


def test_codes_and_maturity_cells():
    assert batch.parse_codes("C3972、3985; 39") == ("3972", "3985", "39")
    assert [batch.parse_maturity(c) for c in ("", "6", "TRL 7", "trl8", "5级", "6.0")] == [
        None,
        6,
        7,
        8,
        5,
        6,
    ]
    with pytest.raises(ValueError):
        batch.parse_maturity("10")


def test_industry_rule_prefix_coarser_unknown_and_sibling():
    rows = [
        ("inside", "光刻胶", ("3985",)),
        ("coarser", "光刻胶", ("39",)),
        ("unknown", "光刻胶", ()),
        ("sibling", "光刻胶", ("3972",)),
        ("elsewhere", "光刻胶", ("2641",)),
    ]
    ranker = batch.BatchRanker([batch.Item(i, t, c) for i, t, c in rows])
    hits = {m.id: m for m in ranker.rank(batch.Item("q", "光刻胶", ("3985",)))}
    assert set(hits) == {"inside", "coarser", "unknown"}
    assert [r.kind for r in hits["inside"].reasons] == ["text", "industry"]
    assert [r.kind for r in hits["coarser"].reasons] == ["text", "group"]
    assert hits["inside"].score > hits["coarser"].score > hits["unknown"].score
    by_group = {m.id for m in ranker.rank(batch.Item("q", "光刻胶", ("39",)))}
    assert by_group == {"inside", "coarser", "unknown", "sibling"}
    unfiltered = batch.BatchRanker([batch.Item(i, t, c) for i, t, c in rows], filters=())
    hits = unfiltered.rank(batch.Item("q", "光刻胶", ("3985",)))
    assert len(hits) == 5 and hits[-1].id == "elsewhere"  # a feature only
    assert "group" in {r.kind for r in next(h for h in hits if h.id == "sibling").reasons}


def test_a_section_letter_is_a_level_too():
    rows = [("chip", "光刻胶", ("3985",)), ("farm", "光刻胶", ("0111",)), ("c", "光刻胶", ("C",))]
    ranker = batch.BatchRanker([batch.Item(i, t, c) for i, t, c in rows])
    assert {m.id for m in ranker.rank(batch.Item("q", "光刻胶", ("C",)))} == {"chip", "c"}
    assert {m.id for m in ranker.rank(batch.Item("q", "光刻胶", ("3985",)))} == {"chip", "c"}
