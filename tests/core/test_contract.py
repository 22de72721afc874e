import datetime as dt
from decimal import Decimal

import pytest

from lianzhang.core import contract
from lianzhang.core.errors import ValidationError


def parse(table, name, raw, scale=1):
    return contract.field(table, name).parse(raw, scale)


def test_empty_cell_is_unknown_not_zero():
    for raw in ("", "  ", None, float("nan")):
        assert parse("annual", "revenue", raw) is None
        assert parse("annual", "employees", raw) is None


def test_money_is_exact_and_scaled():
    assert parse("annual", "revenue", "50,000,000.01") == Decimal("50000000.01")
    assert parse("annual", "revenue", 50000000.01) == Decimal("50000000.01")
    assert parse("annual", "rd_expense", "48.2", 10_000) == Decimal("482000.00")
    assert parse("annual", "rd_expense", "1.5", 100_000_000) == Decimal("150000000.00")
    with pytest.raises(ValidationError, match="精确到分"):
        parse("annual", "revenue", "1.001")


def test_negative_allowed_only_where_it_means_something():
    assert parse("annual", "net_profit", "-12.5") == Decimal("-12.50")
    with pytest.raises(ValidationError, match="不能为负数"):
        parse("annual", "revenue", "-1")


def test_fractions_from_percent_text_or_percent_header():
    assert parse("annual", "market_share", "12.5%") == Decimal("0.125")
    assert parse("annual", "market_share", "12.5", Decimal("0.01")) == Decimal("0.125")
    assert parse("annual", "market_share", "0.3") == Decimal("0.3")
    with pytest.raises(ValidationError):
        parse("annual", "market_share", "130%")


@pytest.mark.parametrize(
    ("raw", "value"),
    [("是", True), ("否", False), ("1", True), ("0", False), ("TRUE", True), ("false", False)],
)
def test_booleans(raw, value):
    assert parse("enterprises", "credit_blacklisted", raw) is value


def test_bad_boolean_says_what_to_write():
    with pytest.raises(ValidationError, match="是/否"):
        parse("enterprises", "credit_blacklisted", "maybe")


@pytest.mark.parametrize(
    "raw", ["2015-03-01", "2015/3/1", "2015年3月1日", dt.datetime(2015, 3, 1, 0, 0)]
)
def test_dates(raw):
    assert parse("enterprises", "registered_on", raw) == dt.date(2015, 3, 1)


def test_impossible_date_is_rejected():
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        parse("enterprises", "registered_on", "2015-02-30")


def test_integers_refuse_fractions_and_text():
    assert parse("annual", "employees", "120") == 120
    assert parse("annual", "employees", 120.0) == 120
    with pytest.raises(ValidationError, match="整数"):
        parse("annual", "employees", "12.5")
    with pytest.raises(ValidationError, match="不是整数"):
        parse("annual", "employees", "很多")


def test_choices_accept_codes_and_chinese_labels():
    assert parse("annual", "rd_institution_level", "provincial") == "provincial"
    assert parse("annual", "rd_institution_level", "省级") == "provincial"
    with pytest.raises(ValidationError, match="不在允许范围"):
        parse("annual", "rd_institution_level", "区级")


def test_industry_code_must_be_a_class_and_keeps_leading_zero():
    assert parse("enterprises", "industry_code", "111") == "0111"
    assert parse("enterprises", "industry_code", 3973) == "3973"
    with pytest.raises(ValidationError, match="小类"):
        parse("enterprises", "industry_code", "397")
    with pytest.raises(ValidationError, match="不在 GB/T 4754-2017"):
        parse("enterprises", "industry_code", "9999")


def test_headers_chinese_english_and_units():
    assert contract.resolve_header("annual", "rd_expense") == ("rd_expense", 1)
    assert contract.resolve_header("annual", "研发费用") == ("rd_expense", 1)
    assert contract.resolve_header("annual", "研发费用（元）") == ("rd_expense", 1)
    assert contract.resolve_header("annual", "研发费用(万元)") == ("rd_expense", 10_000)
    assert contract.resolve_header("annual", " 研发费用 ( 亿元 ) ") == ("rd_expense", 100_000_000)
    assert contract.resolve_header("annual", "序号") is None


def test_every_spec_field_is_in_the_contract():
    """The spec's tables and names (shared/spec/enterprise-data.md v1) are all here."""
    names = {t: {f.name for f in contract.fields(t)} for t in contract.TABLES}
    assert {"uscc", "industry_code", "tech_in_supported_fields"} <= names["enterprises"]
    assert {
        "revenue",
        "rd_expense_domestic",
        "specialization_dev_score",
        "quality_award_provincial",
        "market_rank_global",
    } <= names["annual"]
    assert names["honours"] >= {"uscc", "title", "granted_on", "valid_until"}
    assert names["awards"] >= {"uscc", "year", "kind", "rank"}
    headers = [f.header for f in contract.fields("annual")]
    assert len(headers) == len(set(headers)), "headers must be unambiguous"
