import openpyxl
import pytest

from lianzhang.chains import services
from lianzhang.chains.models import EnterpriseLink, LinkStatus
from tests.conftest import HIGH_TECH, PASSWORD, needs_chromium

from .conftest import enterprise


@pytest.fixture
def linked(users):
    services.load_templates(["ic", "energy-storage"])
    enterprise(901, "外区电芯", "锂离子电池", "3841", district="武侯区")
    services.link_enterprises()
    return users


def login(client, name):
    assert client.login(username=name, password=PASSWORD)


def test_dashboard_and_map(client, linked):
    login(client, "analyst")
    page = client.get("/chains/").content.decode()
    assert "集成电路" in page and "新型储能" in page
    page = client.get("/chains/ic/").content.decode()
    assert 'id="chain-chart"' in page and "晶圆制造" in page and "chain-tree" in page
    node = EnterpriseLink.objects.get(enterprise_id=HIGH_TECH, node__code="ic-fab").node
    panel = client.get(f"/chains/ic/nodes/{node.pk}/").content.decode()
    assert "成都芯谷集成电路有限公司" in panel and f"/enterprises/{HIGH_TECH}/" in panel
    # the segment node rolls up its children
    panel = client.get(f"/chains/ic/nodes/{node.parent_id}/").content.decode()
    assert "成都芯谷集成电路有限公司" in panel


def test_district_officer_sees_only_their_district(client, linked):
    login(client, "gaoxin")
    cells = EnterpriseLink.objects.filter(node__code="es-cells").first().node
    panel = client.get(f"/chains/energy-storage/nodes/{cells.pk}/").content.decode()
    assert "外区电芯" not in panel
    assert (
        client.post(
            f"/chains/links/{EnterpriseLink.objects.first().pk}/decide/", {"status": "confirmed"}
        ).status_code
        == 403
    )
    assert not EnterpriseLink.objects.filter(status=LinkStatus.CONFIRMED).exists()
    login(client, "analyst")
    panel = client.get(f"/chains/energy-storage/nodes/{cells.pk}/").content.decode()
    assert "外区电芯" in panel


def test_analyst_confirms_a_link(client, linked):
    login(client, "analyst")
    link = EnterpriseLink.objects.get(enterprise_id=HIGH_TECH, node__code="ic-fab")
    response = client.post(f"/chains/links/{link.pk}/decide/", {"status": "confirmed"})
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.status == LinkStatus.CONFIRMED and link.decided_by.username == "analyst"


def test_gaps_and_excel(client, linked, tmp_path):
    login(client, "analyst")
    page = client.get("/chains/energy-storage/gaps/").content.decode()
    assert "负极材料" in page
    response = client.get("/chains/ic/report.xlsx")
    assert response.status_code == 200
    path = tmp_path / "r.xlsx"
    path.write_bytes(response.content)
    assert openpyxl.load_workbook(path).sheetnames[0] == "概况"


def test_anonymous_is_sent_to_login(client, linked):
    assert client.get("/chains/ic/").status_code == 302


@pytest.mark.browser
@needs_chromium
def test_browser_opens_map_and_follows_a_node_to_an_enterprise(live_server, linked, page):
    page.goto(f"{live_server.url}/chains/ic/")
    page.fill("input[name=username]", "analyst")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_selector("#chain-chart canvas")
    page.locator("#chain-chart").scroll_into_view_if_needed()
    # a real mouse click on the 晶圆制造 node where ECharts laid it out
    x, y = page.evaluate(
        """() => {
          const data = window.chainChart.getModel().getSeriesByIndex(0).getData();
          for (let i = 0; i < data.count(); i++) {
            if (data.getName(i) === '晶圆制造') {
              return data.getItemGraphicEl(i).transformCoordToGlobal(0, 0);
            }
          }
        }"""
    )
    box = page.locator("#chain-chart canvas").first.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_selector("#node-title:has-text('晶圆制造')")
    page.click(f"#node-enterprises a[href='/enterprises/{HIGH_TECH}/']")
    page.wait_for_url(f"**/enterprises/{HIGH_TECH}/")
    assert "成都芯谷集成电路有限公司" in page.content()


def test_relatedness_page(client, linked, tmp_path):
    from lianzhang.chains import complexity

    from .test_complexity import table

    frame = table(6)
    frame.write_csv(tmp_path / "t.csv")
    services.import_region_table(tmp_path / "t.csv", "t6")
    login(client, "gaoxin")
    page = client.get("/chains/relatedness/?dataset=t6&region=r04").content.decode()
    expected = complexity.grow_next(complexity.compute(frame), "r04", 20)["industry"][0]
    assert 'id="grow-table"' in page and expected in page
    own = client.get("/chains/relatedness/").content.decode()
    assert "成都高新区" in own  # the registry's districts by default
    (tmp_path / "one.csv").write_text("region,industry,value\na,x,1\n", "utf-8")
    services.import_region_table(tmp_path / "one.csv", "one")
    assert "flash error" in client.get("/chains/relatedness/?dataset=one").content.decode()


def test_an_enterprise_user_sees_its_own_position_not_the_bureau_analysis(client, linked):
    from lianzhang.chains.models import SupplyRelation

    EnterpriseLink.objects.filter(enterprise_id=HIGH_TECH).update(status=LinkStatus.CONFIRMED)
    material = enterprise(902, "成都硅材料有限公司", "硅片 电子级多晶硅", "3985")
    node = EnterpriseLink.objects.filter(enterprise_id=HIGH_TECH).first().node
    upstream = node.chain.nodes.filter(segment="upstream").exclude(kind="segment").first()
    EnterpriseLink.objects.create(enterprise=material, node=upstream, status=LinkStatus.CONFIRMED)
    SupplyRelation.objects.create(
        buyer_id=HIGH_TECH,
        supplier=material,
        supplier_name=material.name,
        amount=1200000,
        year=2024,
    )
    login(client, "chips")
    page = client.get("/chains/").content.decode()
    assert "本企业在产业链上的位置" in page and node.name in page
    assert "成都硅材料有限公司" in page  # a local firm upstream, and its own purchase
    assert "健康" not in page and "招商" not in page and "外区电芯" not in page
    for url in (
        "/chains/ic/",
        "/chains/ic/gaps/",
        "/chains/relatedness/",
        f"/chains/ic/nodes/{node.pk}/",
    ):
        assert client.get(url).status_code == 403, url
    for url in ("/api/v1/chains", "/api/v1/chains/ic", "/api/v1/chains/ic/targets"):
        assert client.get(url).status_code == 403, url


def test_an_enterprise_without_a_confirmed_place_is_told_so(client, linked):
    EnterpriseLink.objects.filter(enterprise_id=HIGH_TECH).update(status=LinkStatus.CANDIDATE)
    login(client, "chips")
    assert "尚未列入产业链节点" in client.get("/chains/").content.decode()
