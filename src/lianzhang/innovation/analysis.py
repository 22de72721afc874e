"""Demands as enterprises write them, turned into terms (pure, no Django).

A demand states a problem, indicators and a scenario ("动力电池正极材料需提升能量密度至
300Wh/kg，寻求联合攻关"). On top of ``text.tokens`` (jieba with the domain dictionary):

* demand boilerplate (寻求, 合作, 联合攻关, 需要, 要求, 提升, 解决 …) is no term at all, nor a
  word made of it only (解决问题), so two demands that share only their boilerplate share
  nothing;
* indicators with units (≤15μm, 4.3kWh/Nm³, 28nm, 300Wh/kg) become terms: the value with
  its unit (``28nm``) and the unit alone (``#nm``, any thickness in μm), and a few units
  bring the product family they measure (kWh/Nm³ → 制氢, Wh/kg → 电池); bare numbers are
  no terms;
* character bigrams of the Chinese runs (boilerplate cut out) beside the words, for a
  second index that still matches when two texts are segmented differently.

>>> [i.term for i in indicators("铜箔厚度≤15μm，28nm工艺")]
['15μm', '28nm']
>>> analyse("寻求联合攻关，需要提升").terms
[]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import text as textmod

#: Words of demand boilerplate: how enterprises phrase a request, not what they need.
_BOILERPLATE = """
    寻求 寻找 征集 需要 需 急需 亟需 亟待 希望 要求 拟 想 求 欲 期望 计划 意向
    合作 合作伙伴 合作方 联合 攻关 联合攻关 协同 共同 开展 进行 实施 推进 对接 引进 引入
    提升 提高 改善 改进 优化 降低 减少 增加 增强 加强 突破 解决 克服 实现 达到 达 满足
    问题 难题 瓶颈 痛点 难点 短板 卡脖子 关键 核心 关键技术 核心技术 技术难题 技术需求
    需求 技术 研究 研发 开发 攻克 方案 解决方案 技术方案 思路 路径 手段 措施
    我司 我公司 本公司 公司 企业 单位 团队 高校 院所 科研院所 专家 机构 平台 能力 具备
    目前 现有 现阶段 当前 已经 正在 进一步 有效 显著 大幅 明显 较大 较高 较低 更 高效
    相关 方面 领域 水平 性能 效果 质量 标准 指标 参数 要 能 可 及 其 等 并 且 以 使 将
    """
BOILERPLATE = frozenset(_BOILERPLATE.split())

#: Units as written (after NFKC and lower case: ³ → 3, ℃ → °c, µ → μ) and their canonical
#: spelling. Longest first, so kwh/nm3 is not read as kwh.
_UNIT_NAMES: dict[str, str] = {
    "kwh/nm3": "kwh/nm3",
    "千瓦时/标方": "kwh/nm3",
    "kwh/kg": "kwh/kg",
    "wh/kg": "wh/kg",
    "wh/l": "wh/l",
    "mah/g": "mah/g",
    "lm/w": "lm/w",
    "cd/m2": "cd/m2",
    "nm3/h": "nm3/h",
    "t/h": "t/h",
    "m3/h": "m3/h",
    "gbps": "gbps",
    "mbps": "mbps",
    "ghz": "ghz",
    "mhz": "mhz",
    "khz": "khz",
    "mah": "mah",
    "kwh": "kwh",
    "mwh": "mwh",
    "gwh": "gwh",
    "dbm": "dbm",
    "db": "db",
    "mpa": "mpa",
    "gpa": "gpa",
    "kpa": "kpa",
    "ppm": "ppm",
    "ppb": "ppb",
    "nm": "nm",
    "纳米": "nm",
    "μm": "μm",
    "um": "μm",
    "微米": "μm",
    "mm": "mm",
    "毫米": "mm",
    "cm": "cm",
    "km": "km",
    "kv": "kv",
    "mv": "mv",
    "kw": "kw",
    "mw": "mw",
    "gw": "gw",
    "°c": "°c",
    "摄氏度": "°c",
    "kg": "kg",
    "mg": "mg",
    "ma": "ma",
    "ka": "ka",
    "hz": "hz",
    "v": "v",
    "w": "w",
    "%": "%",
    "nit": "nit",
    "次": "次",
    "小时": "h",
}
_UNIT_RE = "|".join(re.escape(u) for u in sorted(_UNIT_NAMES, key=len, reverse=True))
_NUMBER = r"\d+(?:\.\d+)?"
INDICATOR = re.compile(
    rf"(?P<op>≤|<|≥|>|不超过|不高于|不大于|小于|低于|不低于|不小于|大于|高于|至少|至)?\s*"
    rf"(?:(?P<low>{_NUMBER})\s*(?:-|~|至|到)\s*)?(?P<value>{_NUMBER})\s*"
    rf"(?P<unit>{_UNIT_RE})(?![a-z])"
)
#: Units that name the product family they measure.
UNIT_HINTS: dict[str, tuple[str, ...]] = {
    "kwh/nm3": ("制氢", "电解槽"),
    "nm3/h": ("制氢",),
    "wh/kg": ("电池", "能量密度"),
    "wh/l": ("电池", "能量密度"),
    "mah/g": ("电池", "正极"),
    "mah": ("电池",),
    "lm/w": ("led", "照明"),
    "cd/m2": ("显示",),
    "nit": ("显示",),
    "gbps": ("通信",),
}
#: Prefix of a unit-alone term (``#μm``): any value of the same unit.
UNIT = "#"

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_NUMERIC = re.compile(r"[\d.]+")
_ALTERNATIVES = "|".join(sorted(BOILERPLATE, key=len, reverse=True))
#: A word made of boilerplate only (解决问题, 寻求合作): no term either.
_ALL_BOILERPLATE = re.compile(f"(?:{_ALTERNATIVES})+")
#: Boilerplate cut out before the bigrams: words of two or more characters, except those
#: that are also parts of product names (高性能, 增强现实, 质量流量计, 标准件).
_KEEP_IN_GRAMS = frozenset({"平台", "性能", "增强", "质量", "标准", "参数", "协同", "水平"})
_BOILER_RE = re.compile(
    "|".join(
        sorted((w for w in BOILERPLATE if len(w) > 1 and w not in _KEEP_IN_GRAMS), key=len)[::-1]
    )
)


@dataclass(frozen=True)
class Indicator:
    """A number with its unit in a text: ``≤15μm`` is (≤, 15, μm)."""

    op: str
    value: str
    unit: str

    @property
    def term(self) -> str:
        return f"{self.value}{self.unit}"


def _number(text: str) -> str:
    value = float(text)
    return str(int(value)) if value.is_integer() else repr(value)


def indicators(text: str) -> list[Indicator]:
    """The indicators of a text, in order (values canonical: 4.30 → 4.3)."""
    out = []
    for m in INDICATOR.finditer(textmod.normalise(text)):
        unit = _UNIT_NAMES[m["unit"]]
        if m["low"]:
            out.append(Indicator("≥", _number(m["low"]), unit))
        out.append(Indicator(m["op"] or "", _number(m["value"]), unit))
    return out


@dataclass(frozen=True)
class Analysis:
    terms: list[str]  # words (search mode, with synonyms) and indicator terms
    own: list[str]  # the same without the synonyms the words bring (for reasons)
    grams: list[str]  # character bigrams of the Chinese runs
    hints: list[str]  # product-family words the units point at
    indicators: list[Indicator]


def analyse(text: str) -> Analysis:
    """Terms of a demand or a record: boilerplate and bare numbers dropped, indicators kept."""
    clean = textmod.normalise(text)
    found = indicators(clean)
    rest = INDICATOR.sub(" ", clean)
    words = [
        t
        for t in textmod.tokens(rest, expand=False)
        if not _ALL_BOILERPLATE.fullmatch(t.removeprefix(textmod.WHOLE))
        and not _NUMERIC.fullmatch(t)
    ]
    synonyms = textmod._synonym_map()
    expanded = []
    for word in words:  # as ``text.tokens(expand=True)`` does
        expanded.append(word)
        expanded.extend(w for w in synonyms.get(word, ()) if w != word)
    units = list(dict.fromkeys(i.unit for i in found))
    measured = [i.term for i in found] + [UNIT + u for u in units]
    grams = [
        run[i : i + 2]
        for run in _CJK_RUN.findall(_BOILER_RE.sub(" ", rest))
        for i in range(len(run) - 1)
    ]
    hints = textmod.tokens(" ".join(h for u in units for h in UNIT_HINTS.get(u, ())))
    return Analysis(expanded + measured, words + measured, grams, hints, found)
