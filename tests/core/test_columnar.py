"""The vectorised reader accepts only what the exact reader accepts, with the same values."""

from decimal import Decimal

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from lianzhang.core import columnar, contract, frames
from lianzhang.core.errors import ValidationError

FIELDS = [f for table in ("annual", "enterprises", "honours") for f in contract.fields(table)]
SCALES = {contract.Kind.MONEY: [1, 10_000, 100_000_000], contract.Kind.FRACTION: [1]}

numbers = st.one_of(
    st.integers(-(10**16), 10**16).map(str),
    st.integers(0, 9)
    .flatmap(
        lambda p: st.decimals(-(10**14), 10**14, places=p, allow_nan=False, allow_infinity=False)
    )
    .map(lambda d: f"{d:f}"),
    st.sampled_from(
        [
            "0",
            "-0",
            "00012",
            "1,234.50",
            "12%",
            " 7 ",
            "1e3",
            "0.1",
            "99.999",
            "100",
            "1.005",
            "-5",
            "9999999999999.99",
            "4",
            "5",
            "0.5",
            "１２３",
            "１２３．４５",
            "－５",
            "1,2,3",
            "1,234,567",
            "١٢٣",
        ]
    ),
)
words = st.sampled_from(
    [
        "",
        "是",
        "否",
        "TRUE",
        "false",
        "1",
        "0",
        "yes",
        "3973",
        "0111",
        "397",
        "2024-02-29",
        "2023-02-29",
        "2024/1/5",
        "provincial",
        "省级",
        "high_tech",
        "sci_national",
        "abc",
        "91350100M000100Y43",
        "91350100M000100Y42",
        "key_link",
        "9999-12-31",
        "0001-01-01",
        "1899-12-31",
        "2100-12-31",
        "２０２４-０１-０５",
        "甲\x00",
    ]
)
cells = st.one_of(numbers, words, st.text(max_size=6))


def table_of(spec):
    return next(t for t in contract.TABLES if spec in contract.fields(t))


def exact(spec, cell, scale):
    """The exact reader's value in columnar form, or "bad"."""
    try:
        value = spec.parse(cell, scale)
    except ValidationError:
        return "bad"
    if value is None:
        return None
    return frames.from_rows(table_of(spec), [{spec.name: value}])[spec.name][0]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(FIELDS), st.lists(cells, min_size=1, max_size=8), st.data())
def test_fast_path_is_a_subset_of_the_exact_reader(spec, column, data):
    scale = data.draw(st.sampled_from(SCALES.get(spec.kind, [1])))
    raw = pl.DataFrame({spec.name: column}, schema={spec.name: pl.String})
    typed, ok = columnar.parse_batch(raw, [(spec.name, spec, scale)])
    for cell, accepted, value in zip(column, ok, typed[spec.name], strict=True):
        expected = exact(spec, cell, scale)
        if accepted:
            assert expected != "bad", (cell, value)
            if isinstance(expected, float):
                assert abs(expected - value) <= abs(expected) * 1e-12, (cell, value)
            else:
                assert expected == value, (cell, value, expected)


def test_money_boundaries_are_exact_in_fen():
    spec = contract.field("annual", "revenue")
    raw = pl.DataFrame({"revenue": ["50000000.01", "9999999999999.99", "0.07", "12.345678"]})
    typed, ok = columnar.parse_batch(raw, [("revenue", spec, 1)])
    assert typed["revenue"].to_list()[:3] == [5000000001, 999999999999999, 7]
    assert ok.to_list() == [True, True, True, False]  # sub-fen goes to the exact reader
    typed, ok = columnar.parse_batch(raw, [("revenue", spec, 10_000)])
    assert typed["revenue"][3] == 12345678 and ok[3]
    assert Decimal(typed["revenue"][3]) / 100 == spec.parse("12.345678", 10_000)


def test_batches_and_rows_read_a_messy_file_alike(tmp_path):
    from lianzhang.core import tables
    from lianzhang.core.uscc import make

    a, b = make("91510100MA6C00001"), make("91510100MA6C00002")
    path = tmp_path / "annual.csv"
    path.write_text(
        "统一社会信用代码,年度,营业收入（万元）,职工总数,研发人员数,主导产品细分市场占有率,序号\n"
        f"{a},2024,1.5,10,2,12%,1\n"
        f'{a.lower()},2023,"1,000",10,20,0.5,2\n'
        f"{b},2024,abc,-1,,1.5,3\n"
        ",,,,,,\n"
        f"{a},2024,2,,,,5\n"
        f"{b},2022,0.000001,,,,6\n",
        "utf-8",
    )
    by_rows = tables.read_table(path, "annual")
    reader = tables.open_table(path, "annual")
    batches = list(reader.batches(2))
    errors = sorted((e.row, e.column, e.zh) for bt in batches for e in bt.errors)
    assert errors == sorted((e.row, e.column, e.zh) for e in by_rows.errors)
    assert {e[0] for e in errors} == {3, 4, 6}  # row 5 is blank; 6 repeats row 2's key
    good = pl.concat([bt.frame for bt in batches])
    assert good["__row"].to_list() == by_rows.row_numbers == [2, 7]
    assert good["revenue"].to_list() == [1_500_000, 1]  # 0.000001 万元 is one fen
    assert good["market_share"][0] == 0.12
