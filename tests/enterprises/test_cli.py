import pytest
from click.testing import CliRunner

from lianzhang.cli.main import cli
from lianzhang.enterprises.models import Enterprise

from .conftest import A, write_csv

pytestmark = pytest.mark.django_db


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_import_export_round_trip(tmp_path, enterprises_csv):
    result = run("import", "enterprises", str(enterprises_csv))
    assert result.exit_code == 0, result.output
    assert "新增 2" in result.output
    out = tmp_path / "out.xlsx"
    assert run("export", "enterprises", str(out), "--district", "成都高新区").exit_code == 0
    Enterprise.objects.all().delete()
    assert run("import", "enterprises", str(out)).exit_code == 0
    assert list(Enterprise.objects.values_list("pk", flat=True)) == [A]


def test_bad_file_is_one_clear_line_with_report(tmp_path):
    path = write_csv(tmp_path / "e.csv", ["uscc", "name"], [["91510100MA6C00001X", "甲"]])
    report = tmp_path / "errors.csv"
    result = run("import", "enterprises", str(path), "--report", str(report))
    assert result.exit_code == 1
    assert "未写入任何数据" in result.output
    assert "校验位应为" in report.read_text("utf-8-sig")


def test_errors_are_one_line_without_traceback(tmp_path):
    result = run("import", "enterprises", str(tmp_path / "missing.csv"))
    assert result.exit_code == 1
    assert result.output.strip().startswith("错误 / error: 文件不存在")
    assert "Traceback" not in result.output
    result = run("import", "enterprises", str(tmp_path / "file.txt"))
    assert "请用 .csv 或 .xlsx" in result.output


def test_template_lists_every_field(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "t.xlsx"
    assert run("template", "annual", str(path)).exit_code == 0
    book = load_workbook(path, read_only=True)
    headers = next(book.worksheets[0].iter_rows(values_only=True))
    assert headers[:3] == ("统一社会信用代码", "年度", "营业收入（元）")
    assert book.sheetnames[1] == "填写说明"
