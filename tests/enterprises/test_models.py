from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import models

from lianzhang.core import contract
from lianzhang.core.contract import Kind
from lianzhang.enterprises.models import MODELS, Annual, Enterprise, growth
from lianzhang.storage.fields import MoneyField

EXPECTED = {
    Kind.MONEY: MoneyField,
    Kind.INT: models.IntegerField,  # BigIntegerField is a subclass
    Kind.FRACTION: models.DecimalField,
    Kind.DECIMAL: models.DecimalField,
    Kind.BOOL: models.BooleanField,
    Kind.DATE: models.DateField,
    Kind.CHOICE: models.CharField,
    Kind.TEXT: (models.CharField, models.TextField),
    Kind.INDUSTRY: models.CharField,
    Kind.USCC: (models.CharField, models.ForeignKey),
}


@pytest.mark.parametrize("table", list(contract.TABLES))
def test_models_follow_the_contract(table):
    model = MODELS[table]
    columns = {f.column: f for f in model._meta.concrete_fields}
    for spec in contract.fields(table):
        assert spec.name in columns, f"{model.__name__} lacks contract field {spec.name}"
        assert isinstance(columns[spec.name], EXPECTED[spec.kind]), spec.name
        if spec.kind is Kind.CHOICE:
            assert [c for c, _ in columns[spec.name].choices] == list(spec.choices)
        nullable = columns[spec.name].null or isinstance(
            columns[spec.name], models.CharField | models.TextField
        )
        assert nullable or spec.required, f"{spec.name} must allow unknown"


def test_derived_facts_are_exact_and_unknown_aware():
    e = Enterprise(uscc="X", name="甲", industry_code="3973")
    row = Annual(
        enterprise=e,
        year=2024,
        revenue=Decimal("30000000"),
        rd_expense=Decimal("900000.01"),
        main_revenue=Decimal("20000000.00"),
    )
    assert row.rd_intensity == Fraction(90000001, 3000000000)
    assert row.is_above_scale is True
    row.main_revenue = Decimal("19999999.99")
    assert row.is_above_scale is False
    row.main_revenue = None
    assert row.is_above_scale is None
    # software is 规上服务业 by 营业收入 (not 主营业务收入) of 20 million yuan
    service = Annual(enterprise=Enterprise(industry_code="6513"), main_revenue=Decimal("1e9"))
    assert service.is_above_scale is None
    service.revenue = Decimal("20000000")
    assert service.is_above_scale is True
    farm = Annual(enterprise=Enterprise(industry_code="0111"), revenue=Decimal("1e9"))
    assert farm.is_above_scale is False
    assert growth(Decimal("110"), Decimal("100")) == Fraction(1, 10)
    assert growth(Decimal("110"), None) is None
    assert growth(Decimal("110"), Decimal("0")) is None


@pytest.mark.parametrize("table", list(contract.TABLES))
def test_text_limits_follow_the_columns(table):
    """The contract refuses text a column cannot hold (PostgreSQL raises, SQLite would not)."""
    columns = {f.column: f for f in MODELS[table]._meta.concrete_fields}
    for spec in contract.fields(table):
        if spec.kind is Kind.TEXT:
            assert spec.max_length == columns[spec.name].max_length, spec.name
