"""CSV reports quote text that a spreadsheet would run as a formula."""

import csv

from lianzhang.policies.reports import write_table


def test_csv_report_neutralises_formulas(tmp_path):
    path = tmp_path / "r.csv"
    write_table(path, "t", ["企业", "金额"], [['=HYPERLINK("x")', -5], ["@SUM(A1)", None]])
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    assert rows[1] == ['\'=HYPERLINK("x")', "-5"]  # numbers are left alone
    assert rows[2] == ["'@SUM(A1)", ""]
