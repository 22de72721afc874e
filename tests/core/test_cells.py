"""Cell text before the contract reads it: full-width forms, commas, limits, districts, files."""

import codecs
import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lianzhang.core import cells, columnar, contract, sheets, tables
from lianzhang.core.errors import ValidationError
from lianzhang.core.uscc import make

NUMERIC = [
    f
    for table in contract.TABLES
    for f in contract.fields(table)
    if f.kind in (contract.Kind.MONEY, contract.Kind.INT, contract.Kind.DECIMAL)
    and f.minimum is None
]


def parse(table, name, raw, scale=1):
    return contract.field(table, name).parse(raw, scale)


@pytest.mark.parametrize("cell", ["1,2,3", "12,34,567", "1,5", "1,,234", ",123", "1，2，3"])
@pytest.mark.parametrize("name", ["revenue", "employees", "land_mu"])
def test_commas_outside_groups_of_three_are_refused_not_guessed(cell, name):
    with pytest.raises(ValidationError) as caught:
        parse("annual", name, cell)
    assert "ambiguous commas" in caught.value.en or "not" in caught.value.en
    assert caught.value.zh != caught.value.en


def test_thousands_groups_still_read():
    assert parse("annual", "revenue", "1,234,567.89") == Decimal("1234567.89")
    assert parse("annual", "employees", "1,234,567") == 1234567
    assert parse("annual", "land_mu", "１，２３４．５") == Decimal("1234.5")


@pytest.mark.parametrize(
    ("name", "cell", "value"),
    [
        ("revenue", "１２３．４５", Decimal("123.45")),
        ("net_profit", "－１２３．４５", Decimal("-123.45")),
        ("net_profit", "−5", Decimal("-5.00")),
        ("employees", "１２３", 123),
        ("year", "２０２４", 2024),
        ("land_mu", "１２３．４５", Decimal("123.45")),
        ("market_share", "１２．５％", Decimal("0.125")),
        ("iso9001", "ＴＲＵＥ", True),
    ],
)
def test_full_width_digits_and_punctuation_read_alike_everywhere(name, cell, value):
    assert parse("annual", name, cell) == value


@pytest.mark.parametrize("cell", ["١٢٣", "①", "1²", "12 34"])
def test_other_digits_are_not_numbers(cell):
    for name in ("revenue", "employees", "land_mu"):
        with pytest.raises(ValidationError):
            parse("annual", name, cell)


def test_full_width_cells_take_the_exact_path_with_the_same_value():
    spec = contract.field("annual", "land_mu")
    raw = pl.DataFrame({"land_mu": ["１２３．４５", "12.5", "１２３"]})
    _, ok = columnar.parse_batch(raw, [("land_mu", spec, 1)])
    assert ok.to_list() == [False, True, False]


def test_dates_keep_to_a_window():
    assert parse("enterprises", "registered_on", "２０２０－０１－０５") == dt.date(2020, 1, 5)
    for cell in ("9999-12-31", "0001-01-01", dt.date(1899, 12, 31), dt.datetime(2101, 1, 1)):
        with pytest.raises(ValidationError, match="date out of range"):
            parse("enterprises", "registered_on", cell)
    spec = contract.field("enterprises", "registered_on")
    raw = pl.DataFrame({"d": ["9999-12-31", "2020-01-01", "0001-01-01"]})
    assert columnar.parse_batch(raw, [("d", spec, 1)])[1].to_list() == [False, True, False]


def test_text_keeps_to_the_column_and_the_cell_limit():
    assert parse("enterprises", "name", "甲" * 200) == "甲" * 200
    with pytest.raises(ValidationError, match="at most 200"):
        parse("enterprises", "name", "x" * 100_000)
    with pytest.raises(ValidationError, match=f"at most {cells.MAX_CELL}"):
        parse("enterprises", "main_product", "x" * (cells.MAX_CELL + 1))
    with pytest.raises(ValidationError, match="NUL"):
        parse("enterprises", "name", "甲\x00乙")
    assert parse("enterprises", "name", "'=SUM(A1)") == "=SUM(A1)"  # an export's quote comes off
    spec = contract.field("enterprises", "name")
    raw = pl.DataFrame({"name": ["甲" * 200, "甲" * 201, "a\x00b"]})
    assert columnar.parse_batch(raw, [("name", spec, 1)])[1].to_list() == [True, False, False]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([f for t in contract.TABLES for f in contract.fields(t)]),
    st.one_of(
        st.text(max_size=40),
        st.from_regex(r"[-+－]?[0-9０-９,，.．eE]{1,30}[%％元]?", fullmatch=True),
        st.integers().map(str),
        st.sampled_from(["1e999999999", "-1e-999999999", "9" * 5000, "1E100000", "nan", "inf"]),
    ),
)
def test_any_cell_is_read_or_refused_in_both_languages(spec, cell):
    try:
        spec.parse(cell)
    except ValidationError as exc:
        assert exc.zh and exc.en and len(exc.zh) < 400 and len(exc.en) < 400


def test_the_district_list_is_the_demo_citys(monkeypatch, tmp_path):
    from lianzhang.demo.sectors import DISTRICTS

    assert cells.districts() == {d.name for d in DISTRICTS}
    assert len(cells.districts()) == 23
    own = tmp_path / "districts.csv"
    own.write_text("# 福州\n鼓楼区\n台江区,extra\n\n", "utf-8")
    monkeypatch.setenv(cells.DISTRICTS_ENV, str(own))
    assert cells.districts() == {"鼓楼区", "台江区"}
    monkeypatch.setenv(cells.DISTRICTS_ENV, str(tmp_path / "missing.csv"))
    with pytest.raises(ValidationError, match="cannot read the district list"):
        cells.districts()


HEADER = "统一社会信用代码,企业名称,所属区（市）县\n"
ROW = f"{make('91510100MA6C00001')},成都甲科技有限公司,武侯区\n"


@pytest.mark.parametrize(
    "data",
    [
        (HEADER + ROW).encode("utf-16"),
        codecs.BOM_UTF16_BE + (HEADER + ROW).encode("utf-16-be"),
        codecs.BOM_UTF16_LE + (HEADER + ROW).encode("utf-16-le"),
        (HEADER + ROW).encode("utf-8-sig"),
        (HEADER + ROW).encode("gb18030"),
        ("uscc,name,district\n" + ROW).encode("utf-16-le"),  # no mark, ASCII header
    ],
)
def test_csv_encodings_are_read(tmp_path, data):
    path = tmp_path / "e.csv"
    path.write_bytes(data)
    read = tables.read_table(path, "enterprises")
    assert read.errors == [] and read.rows[0]["name"] == "成都甲科技有限公司"


def test_a_utf8_mark_over_gb18030_is_a_file_error_not_a_guess(tmp_path):
    path = tmp_path / "e.csv"
    path.write_bytes(codecs.BOM_UTF8 + (HEADER + ROW).encode("gb18030"))
    read = tables.read_table(path, "enterprises")
    assert read.rows == [] and len(read.errors) == 1
    error = read.errors[0]
    assert error.row == 0 and "UTF-8" in error.zh and "GB18030" in error.en
    assert str(error).startswith("文件：")


def test_bad_bytes_late_in_a_utf8_file_are_reported_with_their_line(tmp_path):
    path = tmp_path / "e.csv"
    path.write_bytes((HEADER + ROW * 3).encode("utf-8") + b"\xff\xfe\xfa,x,y\n")
    with pytest.raises(ValidationError, match="line 5"):
        sheets.csv_rows(path).__next__()


def test_excel_formulas_without_a_saved_value_are_bad_cells(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["uscc", "year", "employees", "revenue"])
    sheet.append([make("91510100MA6C00001"), 2024, "=1+2", 5])
    sheet.append([make("91510100MA6C00002"), 2024, 7, 8])
    path = tmp_path / "a.xlsx"
    book.save(path)
    for errors in (
        tables.read_table(path, "annual").errors,
        [e for b in tables.open_table(path, "annual").batches() for e in b.errors],
    ):
        assert [(e.row, e.column, e.value) for e in errors] == [(2, "employees", "=1+2")]
        assert "open and save the file in Excel" in errors[0].en and "公式" in errors[0].zh
