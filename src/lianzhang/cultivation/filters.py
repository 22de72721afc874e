"""The filters every 梯度培育 view reads (page, export, API and CLI alike)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lianzhang.core import bounds
from lianzhang.core.errors import ValidationError

MAX_MONTHS = 36


@dataclass(frozen=True)
class Filters:
    on: dt.date
    district: str = ""
    chain: str = ""
    months: int = 6


def parse(
    on: str | None, district: str | None, chain: str | None, months: str | None, today: dt.date
) -> Filters:
    """Read the filters from text; a bad one is a bilingual ``ValidationError``."""
    day = today
    if on:
        try:
            day = dt.date.fromisoformat(on)
        except ValueError:
            raise ValidationError(
                f"日期格式应为 YYYY-MM-DD：{on[:20]}", f"the date must be YYYY-MM-DD: {on[:20]}"
            ) from None
    bounds.check_date(day)
    n = 6
    if months:
        if not months.isdigit() or not 1 <= int(months) <= MAX_MONTHS:
            raise ValidationError(
                f"月数须为 1 至 {MAX_MONTHS}：{months[:20]}",
                f"months must be 1 to {MAX_MONTHS}: {months[:20]}",
            )
        n = int(months)
    return Filters(
        on=day,
        district=bounds.check_text((district or "").strip(), 40, "区县", "district"),
        chain=bounds.check_text((chain or "").strip(), 60, "产业链", "chain"),
        months=n,
    )
