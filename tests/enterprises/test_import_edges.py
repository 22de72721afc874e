"""Files that used to break the import: the same bilingual report on the web and the CLI,
never a server error, and nothing half-written (a fuzzed corpus checks the last two)."""

import codecs
import io

import pytest
from click.testing import CliRunner
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lianzhang.cli.main import cli
from lianzhang.core import cells
from lianzhang.core.errors import LianzhangError
from lianzhang.enterprises.models import Annual, Enterprise
from lianzhang.enterprises.services import import_file

from .conftest import A, B, write_csv

pytestmark = pytest.mark.django_db

HEADER = "统一社会信用代码,企业名称,所属区（市）县,成立日期\n"
GOOD = f"{A},成都甲科技有限公司,武侯区,2015-03-01\n"


def _xlsx_with_unsaved_formula() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["uscc", "name", "district"])
    sheet.append([A, '="成都"&"甲"', "武侯区"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


#: (file name, bytes, a word the report must show in Chinese, and in English)
CORPUS = {
    "bom-over-gb18030": (
        "e.csv",
        codecs.BOM_UTF8 + (HEADER + GOOD).encode("gb18030"),
        "编码",
        "UTF-8",
    ),
    "cell-over-128k": (
        "e.csv",
        (HEADER + f"{A},{'甲' * 140_000},武侯区,2015-03-01\n").encode(),
        "内容过长",
        "too long",
    ),
    "name-100000": (
        "e.csv",
        (HEADER + GOOD + f"{B},{'x' * 100_000},武侯区,2015-03-01\n").encode(),
        "最多 200",
        "at most 200",
    ),
    "date-9999": ("e.csv", (HEADER + f"{A},甲,武侯区,9999-12-31\n").encode(), "日期", "date"),
    "date-0001": ("e.csv", (HEADER + f"{A},甲,武侯区,0001-01-01\n").encode(), "日期", "date"),
    "mars": ("e.csv", (HEADER + f"{A},甲,火星区,2015-03-01\n").encode(), "区（市）县", "district"),
    "unclosed-quote": (
        "e.csv",
        (HEADER + f'{A},"甲,武侯区,2015-03-01\n' + "x" * 200_000).encode(),
        "内容过长",
        "too long",
    ),
    "nul": ("e.csv", (HEADER + f"{A},甲\x00,武侯区,\n").encode(), "NUL", "NUL"),
    "formula": ("e.xlsx", _xlsx_with_unsaved_formula(), "公式", "open and save the file in Excel"),
    "damaged-xlsx": ("e.xlsx", b"PK\x03\x04 not really a workbook", "Excel", "Excel"),
    "not-text": ("e.csv", bytes(range(128, 256)) * 50, "编码", "UTF-8"),
}


@pytest.mark.parametrize("case", list(CORPUS))
def test_the_web_page_reports_each_bad_file_and_writes_nothing(client_as, case):
    name, data, zh, en = CORPUS[case]
    before = Enterprise.objects.count()
    response = client_as("analyst").post(
        reverse("import"), {"table": "enterprises", "file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 200
    report = response.context["report"]
    assert report is not None and not report.written and report.error_count
    html = response.content.decode()
    assert 'id="errors"' in html and "未写入任何数据" in html and "nothing was written" in html
    first = report.errors[0]
    assert zh in first.zh and en in first.en, (first.zh, first.en)
    assert len(html) < 200_000  # a huge cell is shown cut short
    assert Enterprise.objects.count() == before


@pytest.mark.parametrize("case", list(CORPUS))
def test_the_cli_prints_the_same_report(tmp_path, case):
    name, data, zh, en = CORPUS[case]
    path = tmp_path / name
    path.write_bytes(data)
    result = CliRunner().invoke(cli, ["import", "enterprises", str(path)], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "Error:" not in result.output
    assert zh in result.output and en in result.output
    assert "未写入任何数据" in result.output
    assert Enterprise.objects.count() == 0


@pytest.mark.parametrize(
    "data",
    [(HEADER + GOOD).encode("utf-16"), codecs.BOM_UTF16_BE + (HEADER + GOOD).encode("utf-16-be")],
)
def test_utf16_csv_imports(tmp_path, data):
    path = tmp_path / "e.csv"
    path.write_bytes(data)
    report = import_file(path, "enterprises")
    assert report.written, report.errors
    assert Enterprise.objects.get().name == "成都甲科技有限公司"


def test_ambiguous_and_full_width_numbers(tmp_path, enterprises_csv):
    import_file(enterprises_csv, "enterprises")
    path = write_csv(
        tmp_path / "a.csv",
        ["uscc", "year", "revenue", "employees", "land_mu"],
        [
            [A, 2024, "1,2,3", "1,234,567", "１２３．４５"],
            [B, 2024, "１，２３４．５", "１２", "1.5"],
        ],
    )
    report = import_file(path, "annual")
    assert not report.written and Annual.objects.count() == 0
    assert [(e.row, e.column, e.value) for e in report.errors] == [(2, "revenue", "1,2,3")]
    assert "ambiguous" in report.errors[0].en and "千分位" in report.errors[0].zh
    path = write_csv(
        tmp_path / "b.csv",
        ["uscc", "year", "revenue", "employees", "land_mu"],
        [[A, 2024, "123", "1,234,567", "１２３．４５"], [B, 2024, "１，２３４．５", "１２", "1.5"]],
    )
    assert import_file(path, "annual").written
    a, b = Annual.objects.order_by("enterprise_id")
    assert (a.employees, str(a.land_mu).rstrip("0")) == (1234567, "123.45")
    assert (str(b.revenue), b.employees) == ("1234.50", 12)


def test_a_citys_own_district_list(tmp_path, monkeypatch):
    own = tmp_path / "districts.csv"
    own.write_text("鼓楼区\n台江区\n", "utf-8")
    monkeypatch.setenv(cells.DISTRICTS_ENV, str(own))
    path = tmp_path / "e.csv"
    path.write_text(HEADER + f"{A},甲,鼓楼区,\n{B},乙,武侯区,\n", "utf-8")
    report = import_file(path, "enterprises")
    assert [(e.row, e.value) for e in report.errors] == [(3, "武侯区")]
    assert "台江区" in report.errors[0].zh and "鼓楼区" in report.errors[0].en


# --- the fuzzed corpus -------------------------------------------------------------------

ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le"]
cells_text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            A,
            B,
            "武侯区",
            "火星区",
            "9999-12-31",
            "2020-02-30",
            "１２３．４５",
            "1,2,3",
            "'=SUM(A1)",
            '"',
            "\x00",
            "\r\n",
            "\ufeff",
            "成都" * 20_000,
        ]
    ),
)
rows = st.lists(st.lists(cells_text, min_size=0, max_size=6), max_size=6)


def _encode(text: str, encoding: str, noise: bytes, at: int) -> bytes:
    data = text.encode(encoding, errors="replace")
    return data[:at] + noise + data[at:] if noise else data


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows,
    st.sampled_from(ENCODINGS),
    st.binary(max_size=4),
    st.integers(0, 500),
    st.booleans(),
)
def test_fuzzed_files_write_everything_or_nothing(tmp_path, data, encoding, noise, at, partial):
    Enterprise.objects.all().delete()
    lines = [HEADER.rstrip("\n")] + [",".join(row) for row in data]
    path = tmp_path / "fuzz.csv"
    path.write_bytes(_encode("\n".join(lines) + "\n", encoding, noise, at))
    try:
        report = import_file(path, "enterprises", partial=partial)
    except LianzhangError as exc:  # only the platform's own, bilingual errors
        assert exc.zh and exc.en
        assert Enterprise.objects.count() == 0
        return
    for error in report.errors:
        assert error.zh and error.en and len(error.value) <= 300
    if report.written:
        assert Enterprise.objects.count() == report.created
        assert partial or report.error_count == 0
    else:
        assert Enterprise.objects.count() == 0
