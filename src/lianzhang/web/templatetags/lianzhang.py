"""Display filters: money, percentages, unknowns, and bilingual contract labels."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from django import template
from django.utils.translation import get_language

from lianzhang.core import contract
from lianzhang.core.money import format_yuan

register = template.Library()

UNKNOWN = "—"  # unknown is shown as a dash, never as 0


def english() -> bool:
    return (get_language() or "").startswith("en")


@register.filter
def named(thing: Any) -> str:
    """A chain's, node's or other named row's name in the page's language: ``name_en`` on
    an English page when it has one, else the Chinese ``name``."""
    english_name = str(getattr(thing, "name_en", "") or "")
    if english_name and english():
        return english_name
    return str(getattr(thing, "name", thing))


@register.filter
def yuan(value: Decimal | None) -> str:
    """48.2 万元 / 1.3 亿元; in English 482 k yuan / 130 m yuan."""
    if value is None:
        return UNKNOWN
    if not english():
        return format_yuan(Decimal(value))
    amount = Decimal(value)
    for step, unit in ((Decimal(1_000_000), "m yuan"), (Decimal(1_000), "k yuan")):
        if abs(amount) >= step:
            return f"{float(amount / step):,.2f}".rstrip("0").rstrip(".") + f" {unit}"
    return f"{amount:,} yuan"


@register.filter
def money(value: Decimal | None) -> str:
    """Exact yuan with thousands separators (1,234,567.89), for amounts paid or awarded."""
    return UNKNOWN if value is None else f"{Decimal(value):,.2f}"


@register.filter
def percent(value: Fraction | float | None, digits: int = 1) -> str:
    if value is None:
        return UNKNOWN
    return f"{float(value) * 100:.{digits}f}%"


@register.filter
def known(value: Any) -> Any:
    """The value, or a dash when unknown; booleans as yes/no words."""
    if value is None or value == "":
        return UNKNOWN
    if isinstance(value, bool):
        return ("yes" if value else "no") if english() else ("是" if value else "否")
    return value


@register.filter
def label(name: str, table: str = "annual") -> str:
    """A contract field's label in the current language (the contract is bilingual data)."""
    spec = contract.field(table, name)
    return spec.en if english() else spec.zh


#: English labels of coded values; the contract keeps the Chinese ones.
CHOICE_EN = {
    "high_tech": "High-tech enterprise",
    "tech_sme": "Tech-based SME",
    "innovative_sme": "Innovative SME",
    "tech_innovative_sme": "Tech and innovative SME",
    "specialized_sme": "Specialised SME (专精特新)",
    "little_giant": "Little giant (小巨人)",
    "single_champion": "Manufacturing single champion",
    "tech_innovation_demo": "National technology innovation demonstration",
    "ip_advantage": "IP advantage enterprise",
    "sci_national": "National S&T award",
    "sci_provincial": "Provincial S&T award",
    "maker_china": "Maker China national contest",
}


@register.filter
def choice(code: str, field_name: str) -> str:
    """A coded value's label (titles, award kinds) in the current language."""
    if english():
        return CHOICE_EN.get(code, code.replace("_", " "))
    return contract.CHOICE_LABELS.get(field_name, {}).get(code, code)


@register.simple_tag(takes_context=True)
def query(context: Any, **changes: Any) -> str:
    """The current query string with some parameters replaced (sorting, paging)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return str(params.urlencode())
