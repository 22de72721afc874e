import csv
from decimal import Decimal

import openpyxl
import pytest
from click.testing import CliRunner

from lianzhang.chains.models import EnterpriseLink, LinkStatus, SupplyRelation
from lianzhang.cli.main import cli
from lianzhang.enterprises.models import Annual, Honour

from .conftest import chainkg_dir, enterprise, uscc

pytestmark = pytest.mark.django_db


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def city(db):
    assert run("chains", "load-templates").exit_code == 0
    firms = [
        enterprise(1, "成都锂源", "电池级碳酸锂", "2613"),
        enterprise(2, "成都正极", "磷酸铁锂正极材料", "3985"),
        enterprise(3, "成都电芯", "动力锂电池、储能电池", "3841"),
        enterprise(4, "成都储能", "储能系统集成", "3841"),
        enterprise(5, "成都电芯二", "锂离子电池", "3841"),
        enterprise(6, "成都电芯三", "锂离子电芯", "3841"),
    ]
    for i, firm in enumerate(firms, start=1):
        for year, factor in ((2024, 10), (2025, 12)):
            value = Decimal(i * factor * 10**8)
            Annual.objects.create(
                enterprise=firm,
                year=year,
                revenue=value,
                main_revenue=value,
                output_value=value,
            )
    Honour.objects.create(enterprise=firms[2], title="specialized_sme", granted_on="2023-01-01")
    return firms


def test_link_show_gaps(city):
    result = run("chains", "link", "--chain", "energy-storage", "--confirm-above", "0.8")
    assert result.exit_code == 0, result.output
    assert EnterpriseLink.objects.filter(status=LinkStatus.CONFIRMED).count() >= 6
    shown = run("chains", "show", "energy-storage", "--basis", "confirmed").output
    assert "新型储能" in shown and "电池制造" in shown and "链主" in shown
    assert "千亿级" not in shown and "百亿级" in shown  # 12+...+72 亿 = 252 亿元
    assert "成都电芯三" in shown.split("链主")[1]
    gaps = run("chains", "gaps", "energy-storage").output
    assert "负极材料" in gaps and "电池制造" not in gaps
    listing = run("chains", "list").output
    assert "energy-storage" in listing and "ic" in listing


def test_supply_rate_from_an_imported_table(city, tmp_path):
    run("chains", "link", "--confirm-above", "0.8")
    path = tmp_path / "supply.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        w.writerow(
            [
                "buyer_uscc",
                "supplier_uscc",
                "supplier_name",
                "supplier_region",
                "product",
                "amount",
                "year",
            ]
        )
        w.writerow([uscc(3), uscc(2), "成都正极", "成都", "磷酸铁锂", "3000000.00", 2025])
        w.writerow([uscc(3), "", "宁波某正极", "浙江", "三元正极材料", "7000000.00", 2025])
        w.writerow([uscc(4), "", "宁波某正极", "浙江", "电芯", "1000000", 2025])
    result = run("chains", "supply-rate", "energy-storage", "--import", str(path))
    assert result.exit_code == 0, result.output
    assert "本地配套率 27.3%" in result.output  # 300 / 1100 万元
    assert "宁波某正极" in result.output
    assert SupplyRelation.objects.filter(node__code="es-cathode").count() == 2


def test_relatedness_from_a_file(tmp_path):
    path = tmp_path / "ri.csv"
    rows = [
        ("a", "x", 10),
        ("a", "y", 1),
        ("b", "x", 1),
        ("b", "y", 10),
        ("b", "z", 5),
        ("c", "x", 3),
        ("c", "z", 9),
        ("c", "w", 4),
        ("a", "w", 1),
    ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        w.writerow(["region", "industry", "value"])
        w.writerows(rows)
    result = run("chains", "relatedness", "--file", str(path))
    assert result.exit_code == 0, result.output
    assert "ECI" in result.output
    result = run("chains", "relatedness", "--file", str(path), "--region", "a")
    assert "密度" in result.output


def test_export_import_and_report(city, tmp_path):
    out = tmp_path / "h2.json"
    assert run("chains", "export", "hydrogen", str(out)).exit_code == 0
    assert '"name": "氢能"' in out.read_text("utf-8")
    assert run("chains", "import", str(out)).exit_code == 0
    run("chains", "link", "--confirm-above", "0.8")
    xlsx = tmp_path / "r.xlsx"
    assert run("chains", "report", "energy-storage", str(xlsx)).exit_code == 0
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == ["概况", "节点", "缺链环节", "链主企业"]
    summary = {r[0]: r[1] for r in book["概况"].iter_rows(values_only=True)}
    assert summary["企业数"] == 6
    assert summary["本地配套率"] == "未知"


def test_unknown_chain_is_one_line():
    result = CliRunner().invoke(cli, ["chains", "show", "nope"])
    assert result.exit_code == 1
    assert "load-templates" in result.output


def test_targets_from_chainkg(city):
    path = chainkg_dir() / "company_product.json"
    run("chains", "link", "--confirm-above", "0.8")
    result = run("chains", "targets", "energy-storage", "--companies", str(path), "--top", "3")
    assert result.exit_code == 0, result.output
    section = result.output.split("【负极材料】")[1].split("【")[0]
    assert "璞泰来" in section or "杉杉股份" in section or "贝特瑞" in section, section
    separator = result.output.split("【隔膜】")[1].split("【")[0]
    assert "占营收" in separator


def test_stored_relatedness_table_and_listings(city, tmp_path):
    path = tmp_path / "ri.csv"
    path.write_text(
        "区域,产业,数值\na,x,10\na,y,1\nb,x,1\nb,y,10\nb,z,5\nc,x,3\nc,z,9\nc,w,4\na,w,1\n", "utf-8"
    )
    stored = run("chains", "relatedness", "--file", str(path), "--save-as", "t1")
    assert "已存 9 格" in stored.output
    again = run("chains", "relatedness", "--dataset", "t1", "--region", "a")
    assert again.exit_code == 0 and "密度" in again.output
    listed = tmp_path / "listed.csv"
    listed.write_text(f"统一社会信用代码,证券代码,交易所\n{uscc(3)},300001,深交所\n", "utf-8")
    assert "上市企业 1 家" in run("chains", "listings", str(listed)).output
    run("chains", "link", "--confirm-above", "0.8")
    shown = run("chains", "show", "energy-storage", "--basis", "confirmed")
    assert "上市 1" in shown.output, shown.output
    bad = tmp_path / "bad.csv"
    bad.write_text(f"uscc,stock_code,listed_on\n{uscc(3)},300001,2021/01/01\n", "utf-8")
    failed = CliRunner().invoke(cli, ["chains", "listings", str(bad)])
    assert failed.exit_code == 1 and "YYYY-MM-DD" in failed.output


def test_report_as_print_page_and_pdf(city, tmp_path):
    import shutil

    run("chains", "link", "--confirm-above", "0.8")
    html = tmp_path / "r.html"
    assert run("chains", "report", "energy-storage", str(html)).exit_code == 0
    page = html.read_text("utf-8")
    assert "新型储能产业链报告" in page and "健康指数构成" in page and "成都电芯" in page
    if shutil.which("chromium") is None:
        pytest.skip("PDF needs Chromium")
    pdf = tmp_path / "r.pdf"
    assert run("chains", "report", "energy-storage", str(pdf)).exit_code == 0
    assert pdf.read_bytes().startswith(b"%PDF-") and pdf.stat().st_size > 5000
