"""The stages of a major project, its categories and levels (pure Python).

The stage ladder follows the issue and the Chengdu practice in
``shared/reference/projects.md``: 策划/招引 → 签约 → 落地 (供地、注册) → 开工 → 建设 →
竣工 → 投产 → 达产 → 入统. Chengdu reports four coarser phases (招引储备、落地开工、
加快建设、竣工投产, 市发改委 2022); ``PHASE_OF`` maps each stage to one of them.

>>> [s.zh for s in STAGES][:3]
['策划/招引', '签约', '落地']
>>> stage("start").en, stage("start").order
('Construction start', 3)
>>> PHASES[PHASE_OF["completion"]][0]
'竣工投产'
"""

from __future__ import annotations

from dataclasses import dataclass

from lianzhang.core.errors import ValidationError


@dataclass(frozen=True)
class Stage:
    code: str
    zh: str
    en: str
    order: int


STAGES: tuple[Stage, ...] = tuple(
    Stage(code, zh, en, n)
    for n, (code, zh, en) in enumerate(
        (
            ("planning", "策划/招引", "Planning / promotion"),
            ("signing", "签约", "Signing"),
            ("landing", "落地", "Landing (land supply, registration)"),
            ("start", "开工", "Construction start"),
            ("construction", "建设", "Construction"),
            ("completion", "竣工", "Completion"),
            ("production", "投产", "Production start"),
            ("full_production", "达产", "Full production"),
            ("statistics", "入统", "In the statistics"),
        )
    )
)
BY_CODE = {s.code: s for s in STAGES}

#: Chengdu's four reporting phases (市发改委, 2022), zh and en.
PHASES = {
    "reserve": ("招引储备", "Promotion and reserve"),
    "landing_start": ("落地开工", "Landing and start"),
    "building": ("加快建设", "Construction"),
    "completion_production": ("竣工投产", "Completion and production"),
}
PHASE_OF = {
    "planning": "reserve",
    "signing": "reserve",
    "landing": "landing_start",
    "start": "landing_start",
    "construction": "building",
    "completion": "completion_production",
    "production": "completion_production",
    "full_production": "completion_production",
    "statistics": "completion_production",
}

#: Project categories: each has its node template.
CATEGORIES = {
    "industrial": ("产业化", "Industrial"),
    "infrastructure": ("基础设施", "Infrastructure"),
    "livelihood": ("民生", "Public services"),
}
#: 重点项目 levels.
LEVELS = {
    "province": ("省重点", "Provincial key project"),
    "city": ("市重点", "City key project"),
    "district": ("区重点", "District key project"),
}


def stage(code: str) -> Stage:
    try:
        return BY_CODE[code]
    except KeyError:
        names = ", ".join(BY_CODE)
        raise ValidationError(
            f"未知阶段：{code!r}（可选：{names}）", f"unknown stage: {code!r} ({names})"
        ) from None


def category(code: str) -> tuple[str, str]:
    """The (zh, en) names of a category, or a bilingual error."""
    try:
        return CATEGORIES[code]
    except KeyError:
        names = ", ".join(CATEGORIES)
        raise ValidationError(
            f"未知项目类别：{code!r}（可选：{names}）",
            f"unknown project category: {code!r} ({names})",
        ) from None
