import pytest

from lianzhang.chains import services, templates
from lianzhang.chains.models import Chain, EnterpriseLink, LinkStatus, Node
from lianzhang.core.errors import NotFound, ValidationError

from .conftest import enterprise


def test_load_templates_builds_trees_and_is_idempotent(chains):
    assert len(chains) == len(templates.shipped())
    storage = chains["energy-storage"]
    segments = storage.nodes.filter(parent=None).order_by("order")
    assert [s.name for s in segments] == ["上游", "中游", "下游"]
    cathode = storage.nodes.get(code="es-cathode")
    assert cathode.parent.code == "es-key-materials"
    assert cathode.parent.parent.kind == "segment"
    assert "3985" in cathode.gbt_codes
    count = Node.objects.count()
    services.load_templates()
    assert Node.objects.count() == count


def test_export_import_round_trip(chains, tmp_path):
    text = services.export_chain(chains["hydrogen"], "yaml")
    spec = next(s for s in templates.shipped() if s.code == "hydrogen")
    assert templates.parse(__import__("yaml").safe_load(text)).as_dict() == spec.as_dict()
    path = tmp_path / "h2.yaml"
    path.write_text(text.replace("code: hydrogen", "code: hydrogen-copy"), "utf-8")
    copy = services.import_chain(path)
    assert copy.nodes.count() == chains["hydrogen"].nodes.count()


def test_unknown_chain_is_a_clear_error(db):
    with pytest.raises(NotFound, match="load-templates"):
        services.get_chain("nope")


def test_linking_proposes_candidates_with_evidence(chains):
    a = enterprise(1, "成都甲储能", "动力锂电池、储能系统", "3841")
    b = enterprise(2, "成都乙食品", "豆腐干", "1391")
    report = services.link_enterprises()
    assert report.enterprises == 2 and report.created >= 2
    links = {lk.node.code: lk for lk in EnterpriseLink.objects.filter(enterprise=a)}
    assert links["es-cells"].confidence > 0.9
    assert {e["kind"] for e in links["es-cells"].evidence} == {"keyword", "industry"}
    assert "es-integration" in links
    assert all(lk.status == LinkStatus.CANDIDATE for lk in links.values())
    assert not EnterpriseLink.objects.filter(enterprise=b).exists()


def test_decided_links_survive_a_rerun(chains):
    a = enterprise(1, "成都甲储能", "动力锂电池、储能系统", "3841")
    services.link_enterprises()
    cells = EnterpriseLink.objects.get(enterprise=a, node__code="es-cells")
    system = EnterpriseLink.objects.get(enterprise=a, node__code="es-integration")
    services.decide_link(cells, LinkStatus.CONFIRMED)
    services.decide_link(system, LinkStatus.REJECTED)
    # the enterprise changes its products: the old candidates go, decisions stay
    a.main_product, a.industry_code = "碳酸锂", "2613"
    a.save()
    report = services.link_enterprises()
    assert report.kept_decided == 2
    assert services.link_enterprises().updated == 0  # nothing changed, nothing rewritten
    cells.refresh_from_db()
    system.refresh_from_db()
    assert cells.status == LinkStatus.CONFIRMED and system.status == LinkStatus.REJECTED
    assert EnterpriseLink.objects.filter(enterprise=a, node__code="es-lithium-salts").exists()
    # a re-run with the old product must not resurrect the rejected link as a candidate
    a.main_product = "储能系统"
    a.save()
    services.link_enterprises()
    system.refresh_from_db()
    assert system.status == LinkStatus.REJECTED


def test_confirm_above_accepts_only_strong_links(chains):
    a = enterprise(1, "甲", "锂离子电池", "3841")
    services.link_enterprises(confirm_above=0.95)
    statuses = {lk.node.code: lk.status for lk in EnterpriseLink.objects.filter(enterprise=a)}
    assert statuses["es-cells"] == LinkStatus.CONFIRMED
    assert statuses["es-integration"] == LinkStatus.CANDIDATE  # industry code only


def test_move_and_merge_nodes(chains):
    h2 = chains["hydrogen"]
    parts = h2.nodes.get(code="h2-fuel-cell-parts")
    stacks = h2.nodes.get(code="h2-fuel-cell-stacks")
    upstream = h2.nodes.get(code="hydrogen-upstream")
    services.move_node(parts, upstream)
    parts.refresh_from_db()
    assert parts.segment == "upstream"
    with pytest.raises(ValidationError):
        services.move_node(upstream, parts)
    e = enterprise(3, "丙", "膜电极")
    link = services.add_manual_link(e, parts)
    merged = services.merge_nodes(stacks, parts)
    assert "膜电极" in merged.keywords and "燃料电池关键材料与部件" in merged.keywords
    link.refresh_from_db()
    assert link.node_id == stacks.pk and link.status == LinkStatus.CONFIRMED
    child = services.add_node(h2, stacks, "h2-membranes", "质子交换膜")
    assert child.segment == stacks.segment
    assert Chain.objects.get(code="hydrogen").nodes.filter(code="h2-fuel-cell-parts").count() == 0


def test_loading_templates_again_keeps_ui_edits_unless_refreshed(chains):
    cells = Node.objects.get(code="es-cells")
    services.update_node(cells, name="电芯制造", keywords="电芯、钠电池", gbt="3841")
    services.load_templates(refresh=False)
    cells.refresh_from_db()
    assert cells.name == "电芯制造" and cells.keywords == ["电芯", "钠电池"]
    services.load_templates(["energy-storage"])
    cells.refresh_from_db()
    assert cells.name == "电池制造"
