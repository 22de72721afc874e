"""The tier ladder of 梯度培育 and what it means to hold a tier on a date (pure Python).

The ladder follows how the bureaus present it: 规上 at the base, then 创新型中小企业,
科技型中小企业, 高新技术企业, 专精特新中小企业, 专精特新“小巨人”, 单项冠军 and 上市. Each
tier names the registry title that proves it and the policy family whose match results
give its candidates; ``NEXT`` gives the tier one is cultivated towards from each (the
MIIT ladder 创新型 → 专精特新 → 小巨人 → 单项冠军, the MOST ladder 科技型 → 高企).

>>> import datetime as dt
>>> holds(dt.date(2024, 3, 1), dt.date(2027, 2, 28), dt.date(2025, 1, 1))
True
>>> holds(dt.date(2024, 3, 1), dt.date(2024, 12, 31), dt.date(2025, 1, 1))
False
>>> [t.code for t in candidates_from("innovative_sme")]
['specialized_sme']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from lianzhang.core.errors import NotFound


@dataclass(frozen=True)
class Tier:
    code: str
    zh: str
    en: str
    #: the registry title (``Honour.title``) that proves the tier; None for 规上 and 上市
    title: str | None
    #: the policy family whose match results name the candidates; None when none exists
    family: str | None


TIERS: tuple[Tier, ...] = (
    Tier("above_scale", "规上企业", "Above designated size", None, "cn.nbs.above-scale-industrial"),
    Tier("innovative_sme", "创新型中小企业", "Innovative SME", "innovative_sme",
         "cn.miit.innovative-sme"),
    Tier("tech_sme", "科技型中小企业", "Tech-based SME", "tech_sme", "cn.most.tech-sme"),
    Tier("high_tech", "高新技术企业", "High-tech enterprise", "high_tech", "cn.most.high-tech"),
    Tier("specialized_sme", "专精特新中小企业", "Specialised SME", "specialized_sme",
         "cn.miit.specialized-sme"),
    Tier("little_giant", "专精特新“小巨人”企业", "Little giant", "little_giant",
         "cn.miit.little-giant"),
    Tier("single_champion", "制造业单项冠军企业", "Single champion", "single_champion",
         "cn.miit.single-champion"),
    Tier("listed", "上市企业", "Listed", None, None),
)  # fmt: skip
BY_CODE = {t.code: t for t in TIERS}
#: The tier one is cultivated towards from each tier.
NEXT = {
    "innovative_sme": "specialized_sme",
    "specialized_sme": "little_giant",
    "little_giant": "single_champion",
    "tech_sme": "high_tech",
}
#: Stages of the listing pipeline (上市后备), in order.
LISTING_STAGES = (
    ("reserve", "上市后备", "Reserve list"),
    ("restructured", "完成股改", "Joint-stock reform done"),
    ("tutoring", "辅导备案", "Tutoring filed"),
    ("filed", "申报受理", "Application accepted"),
    ("approved", "审核通过", "Approved"),
    ("registered", "注册发行", "Registered"),
)


def tier(code: str) -> Tier:
    try:
        return BY_CODE[code]
    except KeyError:
        names = ", ".join(BY_CODE)
        raise NotFound(
            f"未知梯度：{code}（可选：{names}）", f"unknown tier: {code} ({names})"
        ) from None


def holds(granted_on: dt.date, valid_until: dt.date | None, on: dt.date) -> bool:
    """A title counts on ``on`` from its grant to its expiry (both days included)."""
    return granted_on <= on and (valid_until is None or on <= valid_until)


def candidates_from(code: str) -> list[Tier]:
    """The tiers whose candidates come from holders of ``code`` (the next rung)."""
    nxt = NEXT.get(code)
    return [BY_CODE[nxt]] if nxt else []


def conversion(holders_before: Iterable[str], holders_after: Iterable[str]) -> tuple[int, int]:
    """(of the firms holding the lower tier before, how many hold the higher tier after;
    how many held the lower tier before)."""
    before = set(holders_before)
    return len(before & set(holders_after)), len(before)
