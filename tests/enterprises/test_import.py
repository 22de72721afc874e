from decimal import Decimal

import pytest

from lianzhang.core.uscc import make
from lianzhang.enterprises.models import Annual, Enterprise, ImportLog
from lianzhang.enterprises.services import export_file, import_file

from .conftest import A, B, write_csv

pytestmark = pytest.mark.django_db


def test_enterprises_import_and_reimport_is_idempotent(enterprises_csv):
    first = import_file(enterprises_csv, "enterprises")
    assert first.written and (first.created, first.updated) == (2, 0)
    again = import_file(enterprises_csv, "enterprises")
    assert (again.created, again.updated) == (0, 2)
    assert Enterprise.objects.count() == 2
    assert Enterprise.objects.get(pk=A).industry_name == "集成电路制造"


def test_bad_import_reports_every_row_and_writes_nothing(tmp_path, enterprises_csv):
    import_file(enterprises_csv, "enterprises")
    bad_uscc = A[:-1] + ("0" if A[-1] != "0" else "1")
    path = write_csv(
        tmp_path / "annual.csv",
        ["统一社会信用代码", "年度", "营业收入（万元）", "职工总数"],
        [
            [A, 2024, "5000", "100"],  # good
            [bad_uscc, 2024, "1", "1"],  # wrong check character
            [B, 2024, "一千万", "10"],  # text in a number column
            [B, 2023, "10", "-5"],  # negative employee count
            [A, 2024, "6000", "90"],  # duplicate key of row 2
        ],
    )
    report = import_file(path, "annual")
    assert not report.written
    assert Annual.objects.count() == 0
    found = {(e.row, e.column) for e in report.errors}
    assert found == {(3, "统一社会信用代码"), (4, "营业收入（万元）"), (5, "职工总数"), (6, "")}
    by_row = {e.row: e for e in report.errors}
    assert "校验位应为" in by_row[3].zh and "check character" in by_row[3].en
    assert by_row[4].value == "一千万" and "不是金额" in by_row[4].zh
    assert by_row[5].value == "-5" and "must not be negative" in by_row[5].en
    assert "与第 2 行重复" in by_row[6].zh
    log = ImportLog.objects.filter(table="annual").get()
    assert (log.written, log.error_count, len(log.errors)) == (False, 4, 4)


def test_unknown_industry_code_is_rejected(tmp_path):
    path = write_csv(
        tmp_path / "e.csv", ["uscc", "name", "industry_code"], [[A, "甲", "9999"], [B, "乙", "39"]]
    )
    report = import_file(path, "enterprises")
    assert not report.written and Enterprise.objects.count() == 0
    assert [e.row for e in report.errors] == [2, 3]
    assert "不在 GB/T 4754-2017" in report.errors[0].zh
    assert "小类" in report.errors[1].zh


def test_numbers_too_large_to_store_are_reported_not_crashed_on(tmp_path, enterprises_csv):
    """1E100 staff is a whole number, but no database column holds it: a bad cell."""
    import_file(enterprises_csv, "enterprises")
    path = write_csv(
        tmp_path / "a.csv",
        ["uscc", "year", "employees", "ip_class1"],
        [[A, 2024, "1E100", 3], [B, 2024, 12, "9" * 25]],
    )
    report = import_file(path, "annual")
    assert not report.written and Annual.objects.count() == 0
    assert [(e.row, e.column) for e in report.errors] == [(2, "employees"), (3, "ip_class1")]
    assert "too large to store" in report.errors[0].en


def test_partial_writes_good_rows_and_reports_the_rest(tmp_path, enterprises_csv):
    import_file(enterprises_csv, "enterprises")
    unknown = make("91510100MA6C00009")
    path = write_csv(
        tmp_path / "a.csv",
        ["uscc", "year", "revenue"],
        [[A, 2024, "100"], [unknown, 2024, "1"], [B, 2024, "x"]],
    )
    report = import_file(path, "annual", partial=True)
    assert report.written and report.created == 1 and report.error_count == 2
    assert "企业不在名录中" in report.errors[0].zh
    assert Annual.objects.get().revenue == Decimal("100.00")


def test_money_round_trips_exactly_and_unknown_stays_unknown(tmp_path, enterprises_csv):
    import_file(enterprises_csv, "enterprises")
    path = write_csv(
        tmp_path / "a.csv",
        ["uscc", "year", "revenue", "rd_expense", "employees"],
        [[A, 2024, "50000000.01", "", "120"]],
    )
    import_file(path, "annual")
    row = Annual.objects.get()
    assert row.revenue == Decimal("50000000.01")
    assert row.rd_expense is None
    assert row.rd_intensity is None


def test_missing_column_keeps_stored_values_but_empty_cell_clears(tmp_path, enterprises_csv):
    import_file(enterprises_csv, "enterprises")
    write_csv(tmp_path / "1.csv", ["uscc", "year", "revenue", "tax_paid"], [[A, 2024, "10", "2"]])
    write_csv(tmp_path / "2.csv", ["uscc", "year", "revenue"], [[A, 2024, "11"]])
    write_csv(tmp_path / "3.csv", ["uscc", "year", "tax_paid"], [[A, 2024, ""]])
    for name in ("1.csv", "2.csv"):
        import_file(tmp_path / name, "annual")
    row = Annual.objects.get()
    assert (row.revenue, row.tax_paid) == (Decimal("11.00"), Decimal("2.00"))
    import_file(tmp_path / "3.csv", "annual")
    row.refresh_from_db()
    assert (row.revenue, row.tax_paid) == (Decimal("11.00"), None)


def test_missing_required_column_is_a_header_error(tmp_path):
    path = write_csv(tmp_path / "a.csv", ["年度", "营业收入"], [[2024, "1"]])
    report = import_file(path, "annual")
    assert not report.written
    assert report.errors[0].row == 1 and "统一社会信用代码" in report.errors[0].zh


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_imports_back_unchanged(tmp_path, enterprises_csv, suffix):
    import_file(enterprises_csv, "enterprises")
    src = write_csv(
        tmp_path / "a.csv",
        [
            "uscc",
            "year",
            "revenue",
            "net_profit",
            "market_share",
            "rd_institution_level",
            "iso9001",
            "employees",
        ],
        [
            [A, 2023, "123456789.07", "-5.5", "0.125", "provincial", "是", "12"],
            [B, 2024, "1", "", "", "", "false", ""],
        ],
    )
    import_file(src, "annual")
    before = list(Annual.objects.order_by("enterprise_id", "year").values())
    out = tmp_path / f"annual{suffix}"
    assert export_file("annual", out, Enterprise.objects.all()) == 2
    Annual.objects.all().delete()
    report = import_file(out, "annual")
    assert report.written and report.created == 2, report.errors
    after = list(Annual.objects.order_by("enterprise_id", "year").values())
    strip = [{k: v for k, v in r.items() if k != "id"} for r in before]
    assert [{k: v for k, v in r.items() if k != "id"} for r in after] == strip


def test_gb18030_csv_from_chinese_excel_is_read(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes(f"统一社会信用代码,企业名称\r\n{A},成都甲科技有限公司\r\n".encode("gb18030"))
    report = import_file(path, "enterprises")
    assert report.written
    assert Enterprise.objects.get().name == "成都甲科技有限公司"


def test_honours_check_validity_dates(tmp_path, enterprises_csv):
    import_file(enterprises_csv, "enterprises")
    path = write_csv(
        tmp_path / "h.csv",
        ["uscc", "称号", "认定日期", "有效期至"],
        [
            [A, "高新技术企业", "2023-12-01", "2026-11-30"],
            [B, "high_tech", "2023-12-01", "2022-01-01"],
        ],
    )
    report = import_file(path, "honours")
    assert not report.written
    assert [(e.row, e.column) for e in report.errors] == [(3, "有效期至")]
