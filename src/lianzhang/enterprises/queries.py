"""The enterprise search shared by the list page, its export buttons and the REST API.

It only narrows a queryset it is given; what a user may see at all comes from
``accounts.access.enterprises_for``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.http import QueryDict

from lianzhang.core import contract, gbt4754, scale
from lianzhang.enterprises.models import Annual, Enterprise, Honour

#: Enterprises on a page of the list, on the web and in the API.
PAGE_SIZE = 25

#: Sort keys of the list: parameter value → ORDER BY (a leading "-" reverses).
SORTS = {
    "name": "name",
    "uscc": "uscc",
    "district": "district",
    "industry": "industry_code",
    "revenue": "latest_revenue",
    "year": "latest_year",
}

#: GB/T 4754 sections B, C, D (工业) are the 2-digit divisions 06–46; codes are 4 digits.


def _above_scale() -> Q:
    """The ``core.scale`` lines as one filter on the annotated latest year."""
    above = Q(pk__in=[])
    for line in scale.LINES:
        trade = Q(industry_code__gte=f"{line.low:02d}", industry_code__lt=f"{line.high + 1:02d}")
        above |= trade & Q(**{f"latest_{line.basis}__gte": line.yuan})
    return above & ~Q(industry_code__in=scale.BY_LICENCE_CLASSES)


ABOVE_SCALE = _above_scale()


@dataclass(frozen=True)
class Search:
    q: str = ""
    district: str = ""
    industry: str = ""  # a section letter (C) or a 2-digit division (39)
    title: str = ""
    above: str = ""  # "yes", "no" or ""
    sort: str = "name"

    @classmethod
    def from_params(cls, params: QueryDict) -> Search:
        def get(key: str) -> str:
            return params.get(key, "").strip()

        sort = get("sort")
        return cls(
            q=get("q"),
            district=get("district"),
            industry=get("industry").upper(),
            title=get("title") if get("title") in contract.HONOUR_TITLES else "",
            above=get("above") if get("above") in ("yes", "no") else "",
            sort=sort if sort.lstrip("-") in SORTS else "name",
        )


def with_latest(enterprises: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
    """Annotate each enterprise with its latest year's revenue and main revenue."""
    latest = Annual.objects.filter(enterprise=OuterRef("pk")).order_by("-year")
    return enterprises.annotate(
        latest_year=Subquery(latest.values("year")[:1]),
        latest_revenue=Subquery(latest.values("revenue")[:1]),
        latest_main_revenue=Subquery(latest.values("main_revenue")[:1]),
    )


def search(enterprises: QuerySet[Enterprise], s: Search) -> QuerySet[Enterprise]:
    found = with_latest(enterprises)
    if s.q:
        found = found.filter(_text_match(s.q))
    if s.district:
        found = found.filter(district=s.district)
    if s.industry:
        found = found.filter(_industry_match(s.industry))
    if s.title:
        found = found.filter(pk__in=_holders(Q(title=s.title)))
    if s.above == "yes":
        found = found.filter(ABOVE_SCALE)
    elif s.above == "no":
        found = found.exclude(ABOVE_SCALE)
    key = SORTS[s.sort.lstrip("-")]
    descending = s.sort.startswith("-")
    return found.order_by(_order(key, descending), "uscc")


def _order(key: str, descending: bool) -> Any:
    # unknown revenues go last in both directions
    return F(key).desc(nulls_last=True) if descending else F(key).asc(nulls_last=True)


def _text_match(q: str) -> Q:
    """Name, USCC, industry code or name, district, or a title the enterprise holds now."""
    match = (
        Q(name__icontains=q)
        | Q(uscc__icontains=q)
        | Q(district__icontains=q)
        | Q(industry_code__startswith=q)
    )
    codes = industry_codes_named(q)
    if codes:
        match |= Q(industry_code__in=codes)
    titles = [code for code, zh in contract.CHOICE_LABELS["title"].items() if q in zh or q == code]
    if titles:
        match |= Q(pk__in=_holders(Q(title__in=titles)))
    return match


def _holders(condition: Q) -> QuerySet[Honour, str]:
    """Enterprises holding a title today (granted, not expired)."""
    today = dt.date.today()
    current = Q(granted_on__lte=today) & (Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    return Honour.objects.filter(condition & current).values_list("enterprise_id", flat=True)


@cache
def industry_codes_named(q: str) -> tuple[str, ...]:
    """4-digit classes whose name, or an ancestor's name, contains ``q``."""
    table = gbt4754.table()
    return tuple(
        c.code for c in gbt4754.classes() if any(q in table[code].name for code in c.path())
    )


def _industry_match(value: str) -> Q:
    if value.isalpha():  # a 门类: all its classes
        return Q(industry_code__in=[c.code for c in gbt4754.classes() if c.section == value])
    return Q(industry_code__startswith=value)


def industry_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """门类 with their 大类, for a grouped <select>."""
    table = gbt4754.table().values()
    sections = [i for i in table if i.level == 1]
    return [
        (
            f"{s.code} {s.name}",
            [(s.code, f"{s.code} {s.name}")]
            + [
                (d.code, f"{d.code} {d.name}")
                for d in table
                if d.level == 2 and d.section == s.code
            ],
        )
        for s in sections
    ]


def is_above_scale(enterprise: Any) -> bool | None:
    """规上 / 限上 from the annotated latest year (None when unknown)."""
    return scale.is_above_scale(
        enterprise.industry_code,
        main_revenue=enterprise.latest_main_revenue,
        revenue=enterprise.latest_revenue,
    )
