"""``tables.read_records``: header and text rows of any CSV or Excel sheet."""

import datetime as dt

import pytest

from lianzhang.core import tables


def test_csv_rows_like_dict_reader(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("\ufeffregion,industry,value\n甲,电芯,1\n\n乙,储能\n丙,a,2,extra\n", "utf-8")
    header, rows = tables.read_records(path)
    assert header == ["region", "industry", "value"]
    assert rows == [
        {"region": "甲", "industry": "电芯", "value": "1"},
        {"region": "乙", "industry": "储能"},  # a missing cell is absent
        {"region": "丙", "industry": "a", "value": "2"},  # cells past the header dropped
    ]


def test_gbk_csv_and_empty_file(tmp_path):
    path = tmp_path / "g.csv"
    path.write_bytes("区域,数值\n福州,3\n".encode("gbk"))
    assert tables.read_records(path) == (["区域", "数值"], [{"区域": "福州", "数值": "3"}])
    empty = tmp_path / "e.csv"
    empty.write_text("", "utf-8")
    assert tables.read_records(empty) == ([], [])


def test_excel_cells_as_typed_text(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["uscc", "listed_on", "value"])
    sheet.append(["91350100M000100Y43", dt.date(2020, 5, 6), 12.0])
    sheet.append([None, None, None])
    sheet.append(["X", None, 1.5])
    path = tmp_path / "t.xlsx"
    book.save(path)
    header, rows = tables.read_records(path)
    assert header == ["uscc", "listed_on", "value"]
    assert rows == [
        {"uscc": "91350100M000100Y43", "listed_on": "2020-05-06", "value": "12"},
        {"uscc": "X", "value": "1.5"},
    ]
