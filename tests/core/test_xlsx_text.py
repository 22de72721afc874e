"""XLSX exports never turn a user's text into a formula (formula injection, issue 20)."""

import re
from pathlib import Path

import openpyxl

from lianzhang.policies.reports import write_table

SRC = Path(__file__).resolve().parents[2] / "src" / "lianzhang"


def test_every_workbook_the_package_opens_keeps_text_as_text():
    calls = []
    for path in SRC.rglob("*.py"):
        for line in path.read_text("utf-8").splitlines():
            if re.search(r"xlsxwriter\.Workbook\(", line):
                calls.append((path.relative_to(SRC), line.strip()))
    assert calls, "no xlsxwriter workbooks found: the test looks in the wrong place"
    bad = [c for c in calls if "XLSX_TEXT" not in c[1]]
    assert bad == [], f"open these with lianzhang.core.exports.XLSX_TEXT: {bad}"


def test_a_formula_planted_in_a_name_is_written_as_text(tmp_path):
    path = tmp_path / "t.xlsx"
    planted = '=HYPERLINK("http://evil.example","点我")'
    write_table(path, "名单", ["企业名称", "网址"], [[planted, "http://x.example"]])
    sheet = openpyxl.load_workbook(path).active
    assert sheet["A2"].data_type == "s" and sheet["A2"].value == planted
    assert sheet["B2"].hyperlink is None
