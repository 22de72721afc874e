"""The node panel of a chain map: 50 rows a page, filters kept in the paging links, and a
total that always equals the count the map shows for the node."""

import re
from urllib.parse import unquote

import polars as pl
import pytest

from lianzhang.chains import services
from lianzhang.chains.models import EnterpriseLink, LinkStatus, Node
from lianzhang.enterprises.models import Enterprise
from tests.conftest import HIGH_TECH, PASSWORD

from .conftest import enterprise, uscc

ROW = re.compile(r'<td class="wide"><a href="/enterprises/([0-9A-Z]+)/">([^<]*)</a>')
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def crowded(users):
    """ic-fab: 40 confirmed and 20 likely candidates (晶圆…) in 成都高新区, 3 confirmed in
    武侯区, one firm also on the parent segment; and links nobody counts (a weak candidate,
    a rejected link)."""
    services.load_templates(["ic"])
    fab = Node.objects.get(code="ic-fab")
    EnterpriseLink.objects.all().delete()

    def link(i, name, status, confidence, district="成都高新区", node=fab):
        firm = enterprise(i, name, "晶圆代工", district=district)
        EnterpriseLink.objects.create(
            enterprise=firm, node=node, status=status, confidence=confidence
        )
        return firm

    for i in range(40):
        link(1000 + i, f"晶圆确认{i:02d}", LinkStatus.CONFIRMED, 0.9)
    for i in range(20):
        link(2000 + i, f"晶圆候选{i:02d}", LinkStatus.CANDIDATE, 0.7)
    for i in range(3):
        link(3000 + i, f"武侯晶圆{i}", LinkStatus.CONFIRMED, 0.8, district="武侯区")
    link(4000, "低分候选企业", LinkStatus.CANDIDATE, 0.3)
    link(4001, "已否决企业", LinkStatus.REJECTED, 0.95)
    twice = link(4002, "双节点企业", LinkStatus.CONFIRMED, 0.65)
    EnterpriseLink.objects.create(
        enterprise=twice, node=fab.parent, status=LinkStatus.CANDIDATE, confidence=0.8
    )
    return fab


def login(client, name):
    assert client.login(username=name, password=PASSWORD)


def rows(html):
    return ROW.findall(html)


def panel(client, node, **params):
    response = client.get(f"/chains/ic/nodes/{node.pk}/", params, **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def map_count(client, node, basis="probable"):
    """The count the chain map shows for the node (its node table, its chart)."""
    report = client.get("/chains/ic/", {"basis": basis}).context["report"]
    return report["node_table"].filter(pl.col("node_id") == node.pk)["enterprises"][0]


def all_rows(client, node, **params):
    found, number = [], 1
    while True:
        html = panel(client, node, page=number, **params)
        found += rows(html)
        if "下一页" not in html:
            return found
        number += 1


def test_fifty_a_page_and_the_total_is_the_maps_count(client, crowded):
    login(client, "analyst")
    first = panel(client, crowded)
    assert len(rows(first)) == 50
    assert "第 1 / 2 页" in first and "64 家企业" in first
    assert "<html" not in first  # a fragment for #node-panel
    assert 'hx-target="#node-panel"' in first and "page=2" in first
    second = panel(client, crowded, page=2)
    assert len(rows(second)) == 14 and "第 2 / 2 页" in second and "上一页" in second
    everything = all_rows(client, crowded)
    assert len(everything) == len(set(everything)) == 64 == map_count(client, crowded)
    names = {name for _, name in everything}
    assert "低分候选企业" not in names and "已否决企业" not in names
    assert [n for n in names if n.startswith("晶圆确认")]  # confirmed first
    assert rows(first)[0][1].startswith("晶圆确认")


def test_a_segment_counts_each_enterprise_once(client, crowded):
    login(client, "analyst")
    found = all_rows(client, crowded.parent)
    assert len(found) == len(set(found)) == map_count(client, crowded.parent)
    assert [name for _, name in found].count("双节点企业") == 1


def test_the_basis_of_the_map_is_the_basis_of_the_panel(client, crowded):
    login(client, "analyst")
    confirmed = map_count(client, crowded, "confirmed")
    assert confirmed == 44
    assert f"{confirmed} 家企业" in panel(client, crowded, basis="confirmed")
    # a click on the chart carries no basis: the map page's URL (HX-Current-URL) gives it
    html = client.get(
        f"/chains/ic/nodes/{crowded.pk}/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/chains/ic/?basis=confirmed",
    ).content.decode()
    assert "44 家企业" in html and 'name="basis" value="confirmed"' in html


def test_filter_by_name_uscc_and_status(client, crowded):
    login(client, "analyst")
    html = panel(client, crowded, q="候选")
    assert len(rows(html)) == 20 and "20 家企业" in html and "下一页" not in html
    one = uscc(1007)
    html = panel(client, crowded, q=one[-8:].lower())
    assert [u for u, _ in rows(html)] == [one] and "1 家企业" in html
    html = panel(client, crowded, status="candidate")
    assert "21 家企业" not in html and "20 家企业" in html  # the weak one is not counted
    assert {name[:4] for _, name in rows(html)} == {"晶圆候选"}
    assert "44 家企业" in panel(client, crowded, status="confirmed")
    # rejected is no choice: ignored, and rejected links never show
    html = panel(client, crowded, status="rejected")
    assert "64 家企业" in html and "已否决企业" not in html
    assert 'value="rejected"' not in html.split('id="node-status"')[1].split("</select>")[0]
    assert ">待确认</option>" in html and ">已确认</option>" in html
    html = panel(client, crowded, q="无此企业")
    assert "0 家企业" in html and "没有符合条件的企业。" in html


def test_paging_keeps_the_filter(client, crowded):
    login(client, "analyst")
    html = panel(client, crowded, q="晶圆", status="confirmed", basis="probable")
    assert "43 家企业" in html and len(rows(html)) == 43
    html = panel(client, crowded, q="晶圆")
    assert "63 家企业" in html and len(rows(html)) == 50
    (next_url,) = re.findall(r'hx-get="([^"]*page=2[^"]*)"', html)
    next_url = unquote(next_url.replace("&amp;", "&"))
    assert "q=晶圆" in next_url and "basis=probable" in next_url
    second = client.get(next_url, **HTMX).content.decode()
    assert len(rows(second)) == 13
    assert all("晶圆" in name for _, name in rows(second))
    assert 'value="晶圆"' in second  # the search box keeps its text


def test_without_htmx_the_same_url_is_a_full_page(client, crowded):
    login(client, "analyst")
    response = client.get(f"/chains/ic/nodes/{crowded.pk}/", {"page": 2, "q": "晶圆"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html and 'id="node-panel"' in html
    assert len(rows(html)) == 13 and 'href="/chains/ic/?basis=probable"' in html


def test_a_district_officer_sees_only_its_district(client, crowded):
    login(client, "gaoxin")
    found = all_rows(client, crowded)
    assert len(found) == 61 == map_count(client, crowded)
    assert not [name for _, name in found if name.startswith("武侯")]
    outside = set(Enterprise.objects.exclude(district="成都高新区").values_list("uscc", flat=True))
    assert not outside & {u for u, _ in found}


def test_an_enterprise_user_is_refused(client, crowded):
    EnterpriseLink.objects.create(enterprise_id=HIGH_TECH, node=crowded, status="confirmed")
    login(client, "chips")
    assert client.get(f"/chains/ic/nodes/{crowded.pk}/", **HTMX).status_code == 403
    assert client.get(f"/chains/ic/nodes/{crowded.pk}/?page=2").status_code == 403


@pytest.mark.parametrize(
    ("number", "shown"), [("0", 1), ("-1", 1), ("x", 1), ("", 1), ("1.5", 1), ("9999", 2)]
)
def test_bad_page_numbers_answer_a_valid_page(client, crowded, number, shown):
    login(client, "analyst")
    html = panel(client, crowded, page=number)
    assert f"第 {shown} / 2 页" in html
    assert len(rows(html)) == (50 if shown == 1 else 14)
