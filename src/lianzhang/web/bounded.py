"""Bounded field types for the API's schemas: the limits of ``core.bounds``, documented.

Each type states its limit in the OpenAPI description (``minimum``/``maximum``,
``maxLength``, ``maxItems``) so that clients and schemathesis know it, and checks it when
the request is parsed: a value past a documented limit is a 422 (the description says
so), a date or amount outside its window a 400 from ``core.bounds``, both with the
``Error`` body in Chinese and English, before any work starts.

    year: Year                # 1990 … 2099
    amount: Money             # non-negative, below 10^15 yuan, exact to the fen
    as_of: Day                # 1990-01-01 … 2099-12-31
    note: Text = ""           # at most 20,000 characters
    names: Items[str] = []    # at most 1,000 items
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, Field

from lianzhang.core import bounds

T = TypeVar("T")


def _date(value: dt.date) -> dt.date:
    return bounds.check_date(value)


def _money(value: Decimal) -> Decimal:
    return bounds.check_money(value)


def _signed_money(value: Decimal) -> Decimal:
    return bounds.check_money(value, negative=True)


_LIMIT = int(bounds.MONEY_LIMIT)

#: A year of data, budgets or payment runs.
Year = Annotated[int, Field(ge=bounds.FIRST_YEAR, le=bounds.LAST_YEAR)]
#: A day a request names (a match date, a deadline, a due date, a metrics window).
Day = Annotated[dt.date, AfterValidator(_date)]
#: Money in yuan: non-negative, below ``MONEY_LIMIT``, exact to the fen.
#: The magnitude is documented (a 422 past it); the sign and the fen are checked by
#: ``core.bounds`` (a 400 that says which).
Money = Annotated[Decimal, Field(gt=-_LIMIT, lt=_LIMIT), AfterValidator(_money)]
#: Money that may be negative (a change), within the same range.
SignedMoney = Annotated[Decimal, Field(gt=-_LIMIT, lt=_LIMIT), AfterValidator(_signed_money)]
#: A free text (a note, a statement, a plan).
#: (No NUL character: PostgreSQL cannot store or compare one.)
Text = Annotated[str, Field(max_length=bounds.MAX_TEXT, pattern=r"^[^\x00]*$")]
#: A short text (a name, a code, a title).
Name = Annotated[str, Field(max_length=500, pattern=r"^[^\x00]*$")]
#: A count a request asks for (``k`` results, the top ``n``, days of an extension).
Count = Annotated[int, Field(ge=0, le=bounds.MAX_ITEMS)]
#: A span of days (a stall threshold): at most the date window's length.
Days = Annotated[int, Field(ge=0, le=(bounds.LATEST - bounds.EARLIEST).days)]


def items(kind: Any, limit: int = bounds.MAX_ITEMS) -> Any:
    """A list of at most ``limit`` ``kind``s: ``names: items(str) = []``."""
    return Annotated[list[kind], Field(max_length=limit)]
