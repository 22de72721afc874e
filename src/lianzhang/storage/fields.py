"""Model fields shared by every domain app."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models

from lianzhang.core.money import from_fen, to_fen


class MoneyField(models.BigIntegerField):  # type: ignore[type-arg]
    """Yuan in Python (Decimal, exact to the fen), integer fen in the database.

    Integer fen is exact on SQLite and PostgreSQL alike (SQLite would keep a DECIMAL as a
    float), sums stay exact, and bulk loads move plain integers.
    """

    description = "Money in yuan, stored as integer fen"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Decimal | None:
        return None if value is None else from_fen(int(value))

    def to_python(self, value: Any) -> Decimal | None:
        if value is None or isinstance(value, Decimal):
            return value
        return Decimal(str(value))

    def get_prep_value(self, value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
        return to_fen(value if isinstance(value, Decimal) else Decimal(str(value)))

    def formfield(
        self, form_class: Any = None, choices_form_class: Any = None, **kwargs: Any
    ) -> Any:
        from django import forms

        return super().formfield(
            form_class=form_class or forms.DecimalField,
            decimal_places=2,
            max_digits=18,
            **kwargs,
        )
