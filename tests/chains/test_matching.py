import json
from collections import defaultdict

import pytest

from lianzhang.chains import templates
from lianzhang.chains.matching import Matcher, NodeTerms, normalise, split_products, strip_tail

from .conftest import chainkg_dir


@pytest.fixture(scope="module")
def matcher():
    return Matcher(templates.node_terms(templates.shipped()))


def nodes(matcher, text, threshold=0.5):
    return [m.node for m in matcher.match(text, threshold=threshold)]


def test_text_helpers():
    assert normalise("ＬＣＤ 面板（大尺寸）") == "lcd面板"
    assert strip_tail("隔膜业务") == "隔膜"
    assert strip_tail("锂盐系列产品") == "锂盐"
    assert strip_tail("类") == "类"
    assert split_products("电芯、储能系统；BMS/PCS") == ["电芯", "储能系统", "BMS", "PCS"]


def test_head_noun_decides_the_node():
    m = Matcher(
        [
            NodeTerms("cells", "电池制造", ["锂电池"]),
            NodeTerms("equipment", "锂电装备", ["锂电设备"]),
            NodeTerms("materials", "关键材料", ["锂电池材料"]),
        ]
    )
    assert nodes(m, "动力锂电池") == ["cells"]
    assert nodes(m, "锂电池材料") == ["materials"]
    # 锂电池 is only a modifier here: a weak candidate at best
    assert nodes(m, "锂电池检测仪") == []
    weak = m.match("锂电池检测仪")
    assert weak and weak[0].node == "cells" and weak[0].confidence < 0.5
    assert weak[0].evidence[0]["how"] == "modifier"
    assert nodes(m, "锂电池管理系统") == []  # 管理系统 is not a generic tail


def test_generic_tails_keep_the_head():
    m = Matcher([NodeTerms("cv", "算法模型与平台", ["计算机视觉", "智能语音"])])
    assert nodes(m, "计算机视觉算法与系统") == ["cv"]
    assert nodes(m, "智能语音交互系统") == []  # 交互 is not generic: weak only
    assert m.match("计算机视觉算法与系统")[0].evidence[0]["how"] == "head"


def test_ascii_terms_need_word_boundaries():
    m = Matcher([NodeTerms("ai", "人工智能", ["AI"])])
    assert nodes(m, "AI芯片测试") == []  # modifier
    assert nodes(m, "AI平台") == ["ai"]  # a generic tail keeps the meaning
    assert nodes(m, "企业AI") == ["ai"]
    assert nodes(m, "MAIL") == []


def test_industry_code_is_independent_evidence():
    m = Matcher([NodeTerms("cells", "电池制造", ["锂离子电池"], gbt=["3841"])])
    only_code = m.match_enterprise("", "3841")
    assert [(x.node, x.confidence) for x in only_code] == [("cells", 0.5)]
    both = m.match_enterprise("锂离子电池", "3841")[0]
    assert both.confidence == 1.0
    text = m.match_enterprise("动力锂离子电池", "")[0].confidence
    combined = m.match_enterprise("动力锂离子电池", "3841")[0]
    assert combined.confidence == pytest.approx(1 - (1 - text) * 0.5)
    assert {e["kind"] for e in combined.evidence} == {"keyword", "industry"}


def test_every_match_carries_evidence(matcher):
    found = matcher.match("三元正极材料", threshold=0.5)
    assert found[0].node == "energy-storage/es-cathode"
    assert found[0].evidence[0]["term"] == "三元正极材料"
    assert found[0].evidence[0]["text"] == "三元正极材料"


def test_catalogue_products_add_recall(matcher):
    found = matcher.match("六氟磷酸锂碳酸酯类溶液", threshold=0.5)
    assert "energy-storage/es-electrolyte" in [m.node for m in found]


# -- real data: ChainKG (public test data, read in place, never shipped) --------------


@pytest.fixture(scope="module")
def chainkg():
    path = chainkg_dir() / "company_product.json"
    by_company = defaultdict(list)
    names = set()
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            rec = json.loads(line)
            by_company[rec["company_name"]].append(rec["product_name"])
            names.add(rec["product_name"])
    return names, by_company


def test_all_chainkg_products_are_matched_end_to_end(matcher, chainkg):
    names, _ = chainkg
    assert len(names) == 39266
    frame = matcher.match_frame(sorted(names), threshold=0.5)
    assert frame["text"].n_unique() > 1500  # products on some node of some chain
    assert frame["confidence"].min() >= 0.5
    assert frame["node"].n_unique() >= 60
    # mostly food and medicine: the bulk is rightly left unlinked
    assert frame["text"].n_unique() < 0.1 * len(names)


#: Hand-verified against company_product.json: company → (product, node).
VERIFIED = [
    ("宁德时代", "动力电池系统", "energy-storage/es-cells"),
    ("宁德时代", "储能系统", "energy-storage/es-integration"),
    ("亿纬锂能", "锂离子电池", "energy-storage/es-cells"),
    ("亿纬锂能", "锂原电池", "energy-storage/es-cells"),
    ("国轩高科", "动力锂电池组", "energy-storage/es-cells"),
    ("欣旺达", "锂离子电芯", "energy-storage/es-cells"),
    ("天齐锂业", "电池级碳酸锂", "energy-storage/es-lithium-salts"),
    ("赣锋锂业", "锂盐系列", "energy-storage/es-lithium-salts"),
    ("容百科技", "三元正极材料", "energy-storage/es-cathode"),
    ("璞泰来", "负极材料业务", "energy-storage/es-anode"),
    ("璞泰来", "涂覆隔膜", "energy-storage/es-separator"),
    ("京东方A", "显示器件业务", "display/display-panels"),
    ("TCL科技", "半导体显示器件", "display/display-panels"),
    ("维信诺", "OLED显示", "display/display-panels"),
    ("深天马A", "液晶显示模块", "display/display-modules"),
    ("长电科技", "集成电路封测", "ic/ic-packaging"),
    ("韦尔股份", "CMOS图像传感器", "ic/ic-design"),
    ("埃斯顿", "工业机器人", "robots-machine-tools/rm-robots"),
    ("埃斯顿", "交流伺服系统", "robots-machine-tools/rm-servo"),
    ("航发动力", "航空发动机制造", "aerospace/aero-engines"),
    ("迈瑞医疗", "体外诊断类", "biomedicine/bio-devices"),
    ("美锦能源", "加氢站", "hydrogen/h2-storage"),
]


def test_hand_verified_sample_of_chainkg_links(matcher, chainkg):
    _, by_company = chainkg
    for company, product, node in VERIFIED:
        assert product in by_company[company], (company, product)
        assert node in nodes(matcher, product), (company, product, matcher.match(product))


def test_chainkg_non_chain_products_stay_unlinked(matcher, chainkg):
    _, by_company = chainkg
    # 维信诺's odd rows (dairy drinks) and TCL's holding names must not land anywhere
    for product in ("液态奶", "豆奶粉", "麦片", "翰林汇", "物流服务业务群", "分部间抵销"):
        assert nodes(matcher, product) == [], product
    battery_makers = ("宁德时代", "亿纬锂能", "国轩高科", "欣旺达")
    for company in battery_makers:
        linked = {n for p in by_company[company] for n in nodes(matcher, p)}
        assert "energy-storage/es-cells" in linked, company
    for company in ("京东方A", "TCL科技", "维信诺", "深天马A"):
        linked = {n for p in by_company[company] for n in nodes(matcher, p)}
        assert any(n.startswith("display/display-") for n in linked), company
        assert "energy-storage/es-cells" not in linked, company
