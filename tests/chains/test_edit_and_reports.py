"""Editing chains in the UI, chain files in and out, the print page and the PDF report."""

import io
import shutil
import unicodedata

import pytest

from lianzhang.chains import services
from lianzhang.chains.models import Chain, EnterpriseLink, LinkStatus, Node

from .conftest import enterprise


@pytest.fixture
def linked(users):
    services.load_templates(["ic", "energy-storage"])
    enterprise(901, "成都储能电芯公司", "锂离子电池", "3841", district="武侯区")
    services.link_enterprises()
    return users


def node(code):
    return Node.objects.get(code=code)


def test_analyst_adds_moves_merges_and_edits_nodes(client_as, linked):
    client = client_as("analyst")
    assert "form-merge" in client.get("/chains/energy-storage/edit/").content.decode()
    url = "/chains/energy-storage/edit/"
    client.post(
        url + "add/",
        {
            "parent": node("es-cells").pk,
            "code": "es-sodium",
            "name": "钠离子电池",
            "kind": "product",
        },
    )
    sodium = node("es-sodium")
    assert sodium.parent == node("es-cells") and sodium.segment == "midstream"
    client.post(url + "move/", {"node": sodium.pk, "parent": node("energy-storage-upstream").pk})
    sodium.refresh_from_db()
    assert sodium.segment == "upstream"
    client.post(
        url + "update/",
        {"node": sodium.pk, "name": "钠电池", "keywords": "钠离子电池、钠电", "gbt": "3841"},
    )
    sodium.refresh_from_db()
    assert sodium.name == "钠电池" and sodium.keywords == ["钠离子电池", "钠电"]
    cells = node("es-cells")
    link = EnterpriseLink.objects.get(node=cells, enterprise__name="成都储能电芯公司")
    services.decide_link(link, LinkStatus.CONFIRMED)
    response = client.post(url + "merge/", {"keep": sodium.pk, "gone": cells.pk})
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.node_id == sodium.pk and link.status == LinkStatus.CONFIRMED
    assert not Node.objects.filter(code="es-cells").exists()


def test_bad_edits_say_why_and_change_nothing(client_as, linked):
    client = client_as("analyst")
    url = "/chains/energy-storage/edit/"
    before = Node.objects.count()
    page = client.post(
        url + "add/", {"parent": node("es-cells").pk, "code": "Bad Code", "name": "x"}, follow=True
    )
    assert "小写字母" in page.content.decode() and Node.objects.count() == before
    page = client.post(
        url + "update/", {"node": node("es-cells").pk, "name": "电芯", "gbt": "99"}, follow=True
    )
    assert "GB/T 4754" in page.content.decode()
    assert node("es-cells").name == "电池制造"
    upstream = node("energy-storage-upstream")
    page = client.post(
        url + "move/", {"node": node("es-cells").pk, "parent": node("ic-fab").pk}, follow=True
    )
    assert "choose a node of this chain" in page.content.decode()
    assert node("es-cells").parent != upstream


def test_district_officers_cannot_edit(client_as, linked):
    client = client_as("district")
    assert client.get("/chains/energy-storage/edit/").status_code == 403
    response = client.post(
        "/chains/energy-storage/edit/add/",
        {"parent": node("es-cells").pk, "code": "x1", "name": "x"},
    )
    assert response.status_code == 403 and not Node.objects.filter(code="x1").exists()
    assert "Edit chain" not in client.get("/chains/ic/").content.decode()


def test_export_and_import_a_chain_file_through_the_ui(client_as, linked):
    client = client_as("analyst")
    text = client.get("/chains/ic/export.yaml").content.decode()
    assert "code: ic" in text
    renamed = text.replace("code: ic\n", "code: ic-copy\n", 1).replace(
        "name: 集成电路", "name: 集成电路（副本）", 1
    )
    upload = io.BytesIO(renamed.encode())
    upload.name = "ic-copy.yaml"
    response = client.post("/chains/import/", {"file": upload})
    assert response.status_code == 302 and response.url == "/chains/ic-copy/"
    copy = Chain.objects.get(code="ic-copy")
    assert copy.nodes.count() == Chain.objects.get(code="ic").nodes.count()
    as_json = client.get("/chains/ic/export.json").json()
    assert as_json["segments"]["midstream"][0]["code"]
    bad = io.BytesIO("code: x\nname: 坏\nsegments:\n  sideways: []\n".encode())
    bad.name = "bad.yaml"
    page = client.post("/chains/import/", {"file": bad}, follow=True).content.decode()
    assert "未知环节" in page and not Chain.objects.filter(code="x").exists()


def test_print_page_has_the_report(client_as, linked):
    page = client_as("analyst").get("/chains/ic/report/").content.decode()
    assert "集成电路产业链报告" in page
    assert "晶圆制造" in page and "成都芯谷集成电路有限公司" in page  # node and chain master
    assert "@page" in page and 'id="print-chart"' in page


@pytest.mark.skipif(shutil.which("chromium") is None, reason="PDF needs Chromium")
def test_pdf_report_is_a_real_pdf_with_the_chinese_content(client_as, linked):
    from pypdf import PdfReader

    response = client_as("analyst").get("/chains/ic/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "")
    text = unicodedata.normalize("NFKC", text)  # CJK radicals (⾕) from the font's cmap
    assert "集成电路" in text and "晶圆制造" in text
    assert "成都芯谷集成电路有限公司" in text
    assert "健康指数" in text and "链主企业" in text
    # every glyph is in the file: Type3 outlines or an embedded font file, nothing left
    # for the reader's machine to supply
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert font["/Subtype"] == "/Type3" or _embedded(font), font


def _embedded(font):
    fonts = [f.get_object() for f in font.get("/DescendantFonts", [])] or [font]
    return all(
        any(
            k in f["/FontDescriptor"].get_object()
            for k in ("/FontFile", "/FontFile2", "/FontFile3")
        )
        for f in fonts
    )
