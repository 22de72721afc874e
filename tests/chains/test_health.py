import polars as pl
import pytest

from lianzhang.chains import health

YI = 10**8 * 100  # 1 亿元 in fen


def nodes():
    # chain c: segment 1 > node 2 > leaf 3, segment 4 > node 5; node 6 empty
    return pl.DataFrame(
        {
            "node_id": [1, 2, 3, 4, 5, 6],
            "parent_id": [None, 1, 2, None, 4, 4],
            "chain": ["c"] * 6,
            "name": ["上游", "材料", "正极", "中游", "电池", "系统"],
            "segment": ["upstream", "upstream", "upstream", "midstream", "midstream", "midstream"],
            "kind": ["segment", "material", "material", "segment", "product", "product"],
        }
    )


def firms():
    return pl.DataFrame(
        {
            "uscc": ["a", "b", "c", "d"],
            "name": ["甲", "乙", "丙", "丁"],
            "revenue": [600 * YI, 300 * YI, 100 * YI, None],
            "output": [500 * YI, None, 90 * YI, None],
            "revenue_prev": [500 * YI, 300 * YI, None, None],
            "output_prev": [None, None, None, None],
            "above_scale": [True, True, False, None],
            "specialized": [False, True, True, False],
            "little_giant": [False, False, True, False],
            "listed": [None, None, None, None],
        },
        schema=health.FIRM_SCHEMA,
    )


def links():
    return pl.DataFrame({"node_id": [3, 5, 5, 5, 2], "uscc": ["a", "a", "b", "c", "d"]})


def test_node_health_rolls_up_once_and_keeps_unknowns():
    table = {r["node_id"]: r for r in health.node_health(nodes(), links(), firms()).to_dicts()}
    assert table[3]["enterprises"] == 1
    # node 2 holds d directly and a through its child: two, each once
    assert table[2]["enterprises"] == 2 and table[1]["enterprises"] == 2
    assert table[2]["revenue"] == 600 * YI  # d's revenue is unknown, not zero
    assert table[5]["revenue"] == 1000 * YI
    assert table[5]["output"] == 590 * YI
    assert table[5]["growth"] == pytest.approx((900 - 800) / 800)  # only a and b known twice
    assert table[5]["hhi"] == pytest.approx(0.6**2 + 0.3**2 + 0.1**2)
    assert table[5]["top_share"] == pytest.approx(0.6)
    assert table[5]["top_enterprise"] == "甲"
    assert table[5]["status"] == "covered"
    assert table[3]["status"] == "weak" and table[6]["status"] == "empty"
    assert table[6]["revenue"] is None and table[6]["enterprises"] == 0
    assert table[5]["listed"] is None  # nobody's listing status is known


def test_chain_health_tier_coverage_gaps_and_index():
    (result,) = health.chain_health(nodes(), links(), firms())
    assert result["enterprises"] == 4
    assert result["revenue"] == 1000 * YI
    assert result["tier"] == "千亿级"
    assert result["nodes"] == 4 and result["covered"] == 1
    assert result["coverage"] == pytest.approx(0.25)
    assert {g["name"] for g in result["gaps"]} == {"材料", "正极", "系统"}
    index = result["index"]
    assert index.parts["local_supply"] is None  # no supply data: unknown, not zero
    assert "local_supply" not in index.weights
    assert sum(index.weights.values()) == pytest.approx(1)
    assert 0 <= index.value <= 100
    assert result["masters"]["name"].to_list()[0] == "甲"


def test_tiers():
    assert health.tier(2 * 10**12 * 100) == "万亿级"
    assert health.tier(5 * 10**10 * 100) == "百亿级"
    assert health.tier(10**9 * 100) == "百亿以下"
    assert health.tier(None) is None


def test_supporting_rate_and_external_suppliers():
    supply = pl.DataFrame(
        {
            "buyer": ["a", "a", "b", "x"],
            "supplier": ["b", None, None, "a"],
            "supplier_name": ["乙", "外省正极", "外省正极", "甲"],
            "local": [True, False, False, True],
            "node_id": [3, 3, 3, 5],
            "amount": [300, 500, 200, 999],
        },
        schema=health.SUPPLY_SCHEMA,
    )
    chain_firms = pl.DataFrame({"uscc": ["a", "b", "c"]})
    rate = health.supporting_rate(supply, chain_firms, nodes().select("node_id", "name"))
    assert rate["total"] == 1000 and rate["local"] == 300
    assert rate["rate"] == pytest.approx(0.3)
    assert rate["top_external"].row(0) == ("外省正极", 700, 2)
    assert rate["per_node"].filter(pl.col("node_id") == 3)["rate"].item() == pytest.approx(0.3)
    none = health.supporting_rate(supply, pl.DataFrame({"uscc": ["zzz"]}))
    assert none["rate"] is None
    (result,) = health.chain_health(nodes(), links(), firms(), supply)
    assert result["index"].parts["local_supply"] == pytest.approx(0.3)
    ranked = result["masters"]
    assert ranked.filter(pl.col("uscc") == "b")["ties"].item() == 1


def test_health_index_parts():
    idx = health.health_index(
        coverage=1.0,
        revenue_fen=10**12 * 100,
        growth=0.2,
        quality=0.5,
        hhi=0.0,
        local_supply=1.0,
    )
    assert idx.value == 100.0
    empty = health.health_index(
        coverage=None, revenue_fen=None, growth=None, quality=None, hhi=None, local_supply=None
    )
    assert empty.value is None


def test_above_scale_follows_the_statistical_lines_by_trade():
    wan = 10_000 * 100  # fen
    frame = pl.DataFrame(
        {
            "industry_code": [
                "3973",
                "3973",
                "6513",
                "6513",
                "5211",
                "7010",
                "7020",
                "0111",
                "3973",
            ],
            "main": [2000 * wan, 1999 * wan, None, None, None, None, None, None, None],
            "revenue": [0, 0, 2000 * wan, 1999 * wan, 500 * wan, 10**12, 499 * wan, 10**12, None],
        }
    )
    flags = frame.with_columns(health.above_scale())["above_scale"].to_list()
    # 规上工业 2000 万 (main revenue), 软件 2000 万, 零售 500 万, 房地产开发 by licence:
    # unknown, 物业 500 万, agriculture never, and an unknown revenue stays unknown
    assert flags == [True, False, True, False, True, None, False, False, None]
