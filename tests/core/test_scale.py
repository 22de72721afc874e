"""The 四上 size lines: one table, the scalar test and the columnar test agree."""

from decimal import Decimal

import polars as pl
import pytest

from lianzhang.core import gbt4754, scale

Y = Decimal


@pytest.mark.parametrize(
    ("code", "main", "revenue", "expected"),
    [
        ("3973", Y("20000000"), None, True),  # 规上工业: 主营业务收入 2000 万元（含）
        ("3973", Y("19999999.99"), Y("9e9"), False),  # industry reads main revenue only
        ("3973", None, Y("9e9"), None),
        ("6513", None, Y("20000000"), True),  # 软件: 营业收入 2000 万元
        ("6513", Y("9e9"), Y("19999999.99"), False),
        ("5211", None, Y("5000000"), True),  # 零售 500 万元
        ("5211", None, Y("4999999.99"), False),
        ("6110", None, Y("2000000"), True),  # 住宿 200 万元
        ("7320", None, Y("10000000"), True),  # 研究和试验发展 1000 万元
        ("7020", None, Y("5000000"), True),  # 物业管理 500 万元
        ("7010", Y("9e9"), Y("9e9"), None),  # 房地产开发: by licence
        ("4710", Y("9e9"), Y("9e9"), None),  # 建筑业: by licence
        ("0111", Y("9e9"), Y("9e9"), False),  # agriculture has no line
        ("9410", Y("9e9"), Y("9e9"), False),
    ],
)
def test_lines(code, main, revenue, expected):
    assert scale.is_above_scale(code, main_revenue=main, revenue=revenue) is expected


def test_every_class_of_the_classification_is_decided_the_same_in_both_forms():
    rows = []
    for industry in gbt4754.classes():
        for main, revenue in [(None, None), (2_000_000_000, None), (None, 2_000_000_000)]:
            for shift in (-1, 0):
                rows.append(
                    (
                        industry.code,
                        None if main is None else main + shift,
                        None if revenue is None else revenue + shift,
                    )
                )
    frame = pl.DataFrame(rows, schema=["industry_code", "main", "revenue"], orient="row")
    columnar = frame.select(scale.expression(main_revenue="main", revenue="revenue"))
    for (code, main, revenue), got in zip(rows, columnar.to_series(), strict=True):
        expected = scale.is_above_scale(
            code,
            main_revenue=None if main is None else Y(main) / 100,
            revenue=None if revenue is None else Y(revenue) / 100,
        )
        assert got == expected, (code, main, revenue)
