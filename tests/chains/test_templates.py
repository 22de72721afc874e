import pytest

from lianzhang.chains import templates
from lianzhang.core import gbt4754
from lianzhang.core.errors import ValidationError

ISSUE_CHAINS = {
    "ic": "集成电路",
    "display": "新型显示",
    "equipment": "装备制造",
    "biomedicine": "生物医药",
    "rail": "轨道交通",
    "aerospace": "航空航天",
    "energy-storage": "新型储能",
    "hydrogen": "氢能",
    "low-altitude": "无人机与低空经济",
    "robots-machine-tools": "工业机器人与数控机床",
    "satellite-internet": "卫星互联网",
    "ai": "人工智能",
}


def test_every_chain_the_issue_names_is_shipped():
    shipped = {c.code: c.name for c in templates.shipped()}
    assert shipped == ISSUE_CHAINS


@pytest.mark.parametrize("spec", templates.shipped(), ids=lambda s: s.code)
def test_template_nodes_are_mapped_to_real_codes(spec):
    sei = templates.sei_categories()
    segments = {n.segment for n in spec.nodes}
    assert segments == {"upstream", "midstream", "downstream"}
    for node in spec.walk():
        assert node.gbt, f"{node.code} has no GB/T 4754 code"
        for code in node.gbt:
            assert gbt4754.industry(code).level == 4, f"{node.code}: {code} is not a 小类"
        assert node.sei and all(c in sei for c in node.sei), node.code
        assert len(node.keywords) >= 3, node.code


def test_energy_storage_runs_from_lithium_salts_to_system_integration():
    spec = next(c for c in templates.shipped() if c.code == "energy-storage")
    top = [(n.segment, n.name) for n in spec.nodes]
    assert top[:3] == [
        ("upstream", "基础锂盐"),
        ("upstream", "关键材料"),
        ("midstream", "电池制造"),
    ]
    assert ("downstream", "储能系统集成") in top
    materials = next(n for n in spec.nodes if n.name == "关键材料")
    assert [c.name for c in materials.children][:4] == ["正极材料", "负极材料", "电解液", "隔膜"]
    assert all(c.depth == 2 for c in materials.children)


def test_dump_and_read_round_trip(tmp_path):
    for fmt in ("yaml", "json"):
        spec = templates.shipped()[0]
        path = tmp_path / f"chain.{fmt}"
        path.write_text(templates.dump(spec, fmt), "utf-8")
        again = templates.read(path)
        assert again.as_dict() == spec.as_dict()


def test_bad_files_say_what_to_fix():
    with pytest.raises(ValidationError, match="upstream/midstream/downstream"):
        templates.parse({"code": "x", "name": "X", "segments": {"middle": []}})
    with pytest.raises(ValidationError, match="duplicate node codes"):
        node = {"code": "a", "name": "A"}
        templates.parse({"code": "x", "name": "X", "segments": {"upstream": [node, node]}})
    with pytest.raises(ValidationError, match="node kind"):
        bad = {"code": "a", "name": "A", "kind": "widget"}
        templates.parse({"code": "x", "name": "X", "segments": {"upstream": [bad]}})


def test_sei_products_of_a_node_come_from_its_categories():
    terms = {t.node: t for t in templates.node_terms(templates.shipped())}
    cells = terms["energy-storage/es-cells"]
    assert any("锂离子电池" in p for p in cells.sei_products)
    assert not any("路由器" in p for p in cells.sei_products)
