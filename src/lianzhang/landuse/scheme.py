"""A 亩均 evaluation scheme as data: load a YAML file and check it (no Django).

A scheme (one per region and year) names its population groups, each with a condition in
the rules expression language (``above_scale and section(industry_code) in ["B", "C",
"D"]``), the indicators it scores (a quotient of two data-contract fields in a stated
unit), weights, a benchmark rule (a fixed value, k × the group's average, or a
percentile), an optional cap, the missing-data rule, and class rules (shares by rank or
score lines). The format is in ``docs/landuse.en.md``. Every mistake in a file is a
``ValidationError`` that says where, in Chinese and English.

>>> s = load("cn.zj.taizhou-huangyan.2022")
>>> [g.id for g in s.groups], [i.indicator.id for i in s.groups[1].items]
(['above_scale', 'below_scale'], ['tax_per_mu', 'tax_per_kwh'])
>>> s.groups[0].items[0].benchmark
Benchmark(kind='fixed', value=Fraction(24097, 1000), of='total')
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import polars as pl
import yaml

from lianzhang.core.contract import Kind, fields
from lianzhang.core.errors import LianzhangError, NotFound, ValidationError
from lianzhang.rules.compile import compile_expr
from lianzhang.rules.plan import Needs
from lianzhang.rules.syntax import parse
from lianzhang.rules.values import Env, Logic

SCHEMES = Path(__file__).parent / "schemes"
#: The column of the 规上 flag (``core.scale``) that conditions read as ``above_scale``.
ABOVE_SCALE = "__above_scale"
NUMERIC = (Kind.MONEY, Kind.INT, Kind.DECIMAL, Kind.FRACTION)
#: Money in the frame is integer fen; a unit of money in a scheme is 元 or 万元.
MONEY_UNITS = {"元": Fraction(1, 100), "万元": Fraction(1, 1_000_000)}
Missing = Literal["not_scored", "group_average", "zero"]
RuleKind = Literal["top", "bottom", "score", "rest", "none"]


def _bad(where: str, zh: str, en: str) -> ValidationError:
    return ValidationError(f"{where}：{zh}", f"{where}: {en}")


@dataclass(frozen=True)
class Indicator:
    """A quotient of two annual fields: value = numerator × factor ÷ denominator."""

    id: str
    zh: str
    en: str
    numerator: str
    denominator: str
    unit: str  # "万元/亩", "元/千瓦时" …; "" for a fraction (shown as a percentage)
    factor: Fraction  # from the frame's units (fen, 亩, 人 …) to ``unit``


@dataclass(frozen=True)
class Benchmark:
    kind: Literal["fixed", "average", "percentile"]
    value: Fraction  # the fixed value, k (× average) or the percentile (0–100)
    of: Literal["total", "mean"] = "total"  # average of the group: Σnum/Σden or mean value


@dataclass(frozen=True)
class Item:
    """An indicator scored in a group: points = value ÷ benchmark × weight (≤ cap)."""

    indicator: Indicator
    weight: Fraction
    benchmark: Benchmark
    cap: Fraction | None
    missing: Missing
    slot: str | None = None


@dataclass(frozen=True)
class ClassRule:
    """One class, best first. ``top``: the cumulative share from the top is at most
    ``value``; ``bottom``: the cumulative share from the bottom is at least ``value``;
    ``score``: a score of at least ``value``; ``rest``: everyone left; ``none``: never
    assigned by the score (set by other rules of the locality)."""

    code: str
    zh: str
    kind: RuleKind
    value: Fraction | None = None


@dataclass(frozen=True)
class Slot:
    id: str
    zh: str
    weight: Fraction
    min_items: int
    max_items: int


@dataclass(frozen=True)
class Group:
    id: str
    zh: str
    when: str
    condition: pl.Expr = field(compare=False, repr=False)
    items: tuple[Item, ...] = ()
    classes: tuple[ClassRule, ...] = ()
    fixed_class: str | None = None
    slots: tuple[Slot, ...] = ()

    @property
    def full_marks(self) -> Fraction:
        return sum((i.weight for i in self.items), Fraction(0))


@dataclass(frozen=True)
class Parcels:
    """How ``--parcels`` is used: co-owners of a parcel merged into one result."""

    merge_owners: bool = True


@dataclass(frozen=True)
class Scheme:
    id: str
    title: str
    region: str
    year: int
    groups: tuple[Group, ...]
    source: str = ""
    confidence: str = ""
    example: bool = False
    score_decimals: int | None = None
    parcels: Parcels = Parcels()
    needs: Needs = field(default_factory=Needs, compare=False, repr=False)
    path: Path | None = None

    def group(self, gid: str) -> Group:
        return next(g for g in self.groups if g.id == gid)


# ---------------------------------------------------------------- loading


def load(id_or_path: str | Path, extra: tuple[Path, ...] = ()) -> Scheme:
    """A shipped scheme by id, or a scheme file by path."""
    path = Path(id_or_path)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return load_scheme(path)
    for folder in (SCHEMES, *extra):
        for file in sorted(folder.glob("*.yaml")):
            if file.stem == str(id_or_path):
                return load_scheme(file)
    known = "、".join(sorted(f.stem for f in SCHEMES.glob("*.yaml")))
    raise NotFound(
        f"未知评价方案 {id_or_path}（可选：{known}，或给出 .yaml 文件路径）",
        f"unknown scheme {id_or_path} (one of {known}, or a .yaml path)",
    )


def load_scheme(path: Path) -> Scheme:
    where = path.name
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as exc:
        raise _bad(where, f"不是有效的 YAML：{exc}", f"not valid YAML: {exc}") from None
    scheme = from_dict(data, where)
    if scheme.id != path.stem:
        raise _bad(
            where, f"文件名应为 {scheme.id}.yaml", f"the file should be named {scheme.id}.yaml"
        )
    return Scheme(**{**scheme.__dict__, "path": path})


def from_dict(data: Any, where: str = "scheme") -> Scheme:
    """Check a parsed scheme and build it (the text of every error names ``where``)."""
    m = _mapping(data, where)
    _keys(
        m,
        where,
        required=("id", "title", "region", "year", "groups"),
        optional=(
            "source",
            "confidence",
            "example",
            "score_decimals",
            "parcels",
            "indicators",
            "classes",
            "note",
        ),
    )
    indicators = {
        iid: _indicator(iid, spec, f"{where} indicators.{iid}")
        for iid, spec in _mapping(m.get("indicators", {}), f"{where} indicators").items()
    }
    default_classes = _classes(m["classes"], f"{where} classes") if "classes" in m else ()
    needs = Needs()
    year = _int(m["year"], f"{where} year", 1990, 2100)
    groups_raw = m["groups"]
    if not isinstance(groups_raw, list) or not groups_raw:
        raise _bad(where, "groups 应为非空列表", "groups must be a non-empty list")
    groups = tuple(
        _group(g, indicators, default_classes, needs, year, f"{where} groups[{n}]")
        for n, g in enumerate(groups_raw)
    )
    ids = [g.id for g in groups]
    if len(set(ids)) != len(ids):
        raise _bad(where, "分组 id 重复", "group ids repeat")
    if needs.titles or needs.grants or needs.awards:
        raise _bad(
            where, "分组条件不能引用称号或奖项", "group conditions cannot use titles or awards"
        )
    decimals = m.get("score_decimals")
    parcels = _mapping(m.get("parcels", {}), f"{where} parcels")
    _keys(parcels, f"{where} parcels", optional=("merge_owners",))
    return Scheme(
        id=_text(m["id"], f"{where} id"),
        title=_text(m["title"], f"{where} title"),
        region=_text(m["region"], f"{where} region"),
        year=year,
        groups=groups,
        source=str(m.get("source", "")),
        confidence=str(m.get("confidence", "")),
        example=_bool(m.get("example", False), f"{where} example"),
        score_decimals=None
        if decimals is None
        else _int(decimals, f"{where} score_decimals", 0, 6),
        parcels=Parcels(_bool(parcels.get("merge_owners", True), f"{where} parcels.merge_owners")),
        needs=needs,
    )


def _indicator(iid: str, spec: Any, where: str) -> Indicator:
    m = _mapping(spec, where)
    _keys(m, where, required=("zh", "numerator", "denominator", "unit"), optional=("en",))
    annual = {f.name: f for f in fields("annual")}
    specs = []
    for role in ("numerator", "denominator"):
        name = _text(m[role], f"{where} {role}")
        f = annual.get(name)
        if f is None or f.kind not in NUMERIC:
            raise _bad(
                where,
                f"{role} 应为年度表的数值字段（见 docs/data-contract.md），而非 {name!r}",
                f"{role} must be a numeric field of the annual table, not {name!r}",
            )
        specs.append(f)
    unit = str(m["unit"] or "")
    factor = _factor(unit, specs[0], specs[1], where)
    return Indicator(
        iid, _text(m["zh"], where), str(m.get("en", iid)), specs[0].name, specs[1].name, unit,
        factor,
    )  # fmt: skip


def _side(unit: str, f: Any, where: str) -> Fraction:
    if f.kind is Kind.MONEY:
        if unit not in MONEY_UNITS:
            raise _bad(
                where, f"{f.name} 是金额，单位应为 元 或 万元", f"{f.name} is money: 元 or 万元"
            )
        return MONEY_UNITS[unit]
    if unit != f.unit:
        raise _bad(
            where,
            f"{f.name} 的单位是 {f.unit or '（无）'}，不是 {unit}",
            f"{f.name} is counted in {f.unit or '(no unit)'}, not {unit}",
        )
    return Fraction(1)


def _factor(unit: str, num: Any, den: Any, where: str) -> Fraction:
    """From the frame's units to the scheme's: ``万元/亩`` over fen and 亩 is 1/1,000,000."""
    if unit == "":  # a fraction: the same unit above and below
        same = num.kind is den.kind is Kind.MONEY or (num.unit == den.unit and num.unit)
        if not same:
            raise _bad(
                where,
                "无单位的比值要求分子分母同单位",
                "a fraction needs the same unit above and below",
            )
        return Fraction(1)
    top, sep, bottom = unit.partition("/")
    if not sep:
        raise _bad(
            where, f"单位应写作 分子单位/分母单位，如 万元/亩：{unit!r}", "write units as 万元/亩"
        )
    return _side(top, num, where) / _side(bottom, den, where)


def _group(
    spec: Any,
    indicators: dict[str, Indicator],
    default_classes: tuple[ClassRule, ...],
    needs: Needs,
    year: int,
    where: str,
) -> Group:
    m = _mapping(spec, where)
    _keys(
        m,
        where,
        required=("id", "zh", "when"),
        optional=("items", "classes", "fixed_class", "slots", "note"),
    )
    gid = _text(m["id"], f"{where} id")
    when = _text(m["when"], f"{where} when")
    condition = _condition(when, needs, year, f"{where} when")
    slots = tuple(_slot(s, f"{where} slots[{n}]") for n, s in enumerate(m.get("slots") or []))
    items = tuple(
        _item(s, indicators, {s.id for s in slots}, f"{where} items[{n}]")
        for n, s in enumerate(m.get("items") or [])
    )
    fixed = m.get("fixed_class")
    if fixed is not None and items:
        raise _bad(
            where, "fixed_class 的分组不评分，不能有 items", "a fixed_class group scores no items"
        )
    if fixed is None and not items:
        raise _bad(where, "分组应有 items 或 fixed_class", "a group needs items or fixed_class")
    if len({i.indicator.id for i in items}) != len(items):
        raise _bad(where, "指标重复", "an indicator repeats")
    for s in slots:
        inside = [i for i in items if i.slot == s.id]
        if inside and sum(i.weight for i in inside) != s.weight:
            raise _bad(
                where,
                f"{s.zh} 内指标权重之和应为 {s.weight}",
                f"the weights in slot {s.id} must add up to {s.weight}",
            )
        if inside and not s.min_items <= len(inside) <= s.max_items:
            raise _bad(
                where,
                f"{s.zh} 应有 {s.min_items}–{s.max_items} 项指标",
                f"slot {s.id} takes {s.min_items}–{s.max_items} indicators",
            )
    classes = _classes(m["classes"], f"{where} classes") if "classes" in m else default_classes
    return Group(
        gid,
        _text(m["zh"], f"{where} zh"),
        when,
        condition,
        items,
        () if fixed is not None else classes,
        None if fixed is None else _text(fixed, f"{where} fixed_class"),
        slots,
    )


def _condition(text: str, needs: Needs, year: int, where: str) -> pl.Expr:
    """The group condition compiled by the rules engine (``above_scale`` is 规上)."""
    env = Env(
        as_of=dt.date(year, 12, 31),
        params={"above_scale": Logic(pl.col(ABOVE_SCALE))},
        definitions={},
        scores={},
        needs=needs,
        compile=compile_expr,
    )
    try:
        value = compile_expr(parse(text), env)
    except LianzhangError as exc:
        raise _bad(where, exc.zh, exc.en) from None
    if not isinstance(value, Logic):
        raise _bad(where, "应为条件，如 land_mu >= 3", "must be a condition such as land_mu >= 3")
    return value.expr


def _item(spec: Any, indicators: dict[str, Indicator], slots: set[str], where: str) -> Item:
    m = _mapping(spec, where)
    _keys(
        m,
        where,
        required=("indicator", "weight", "benchmark"),
        optional=("cap", "missing", "slot", "note"),
    )
    iid = _text(m["indicator"], f"{where} indicator")
    if iid not in indicators:
        known = "、".join(indicators) or "（未定义 indicators）"
        raise _bad(where, f"未定义的指标 {iid}（已定义：{known}）", f"undefined indicator {iid}")
    missing = m.get("missing", "not_scored")
    if missing not in ("not_scored", "group_average", "zero"):
        raise _bad(
            where,
            "missing 应为 not_scored、group_average 或 zero",
            "missing is not_scored, group_average or zero",
        )
    slot = m.get("slot")
    if slot is not None and slot not in slots:
        raise _bad(where, f"未声明的 slot {slot}", f"undeclared slot {slot}")
    weight = _number(m["weight"], f"{where} weight", positive=True)
    cap = None if m.get("cap") is None else _number(m["cap"], f"{where} cap", positive=True)
    return Item(
        indicators[iid], weight, _benchmark(m["benchmark"], f"{where} benchmark"), cap, missing,
        slot,
    )  # fmt: skip


def _benchmark(spec: Any, where: str) -> Benchmark:
    m = _mapping(spec, where)
    kinds = [k for k in ("fixed", "average", "percentile") if k in m]
    if len(kinds) != 1:
        raise _bad(
            where,
            "基准应为 fixed: 值、average: 倍数 或 percentile: 百分位 之一",
            "benchmark is one of fixed: VALUE, average: K or percentile: P",
        )
    _keys(m, where, optional=(*kinds, "of"))
    kind = kinds[0]
    value = _number(m[kind], f"{where} {kind}", positive=True)
    if kind == "percentile" and value > 100:
        raise _bad(where, "百分位应在 0–100 之间", "a percentile lies in 0–100")
    of = m.get("of", "total")
    if of not in ("total", "mean"):
        raise _bad(where, "of 应为 total 或 mean", "of is total or mean")
    return Benchmark(kind, value, of)


def _slot(spec: Any, where: str) -> Slot:
    m = _mapping(spec, where)
    _keys(m, where, required=("id", "zh", "weight"), optional=("min_items", "max_items", "note"))
    lo = _int(m.get("min_items", 1), f"{where} min_items", 0, 20)
    hi = _int(m.get("max_items", 20), f"{where} max_items", lo, 20)
    weight = _number(m["weight"], f"{where} weight", positive=True)
    return Slot(_text(m["id"], where), _text(m["zh"], where), weight, lo, hi)


def _classes(spec: Any, where: str) -> tuple[ClassRule, ...]:
    if not isinstance(spec, list) or not spec:
        raise _bad(where, "classes 应为非空列表（从优到劣）", "classes is a list, best first")
    rules = []
    for n, raw in enumerate(spec):
        at = f"{where}[{n}]"
        m = _mapping(raw, at)
        kinds = [
            k for k in ("top_at_most", "bottom_at_least", "min_score", "rest", "none") if k in m
        ]
        if len(kinds) != 1:
            raise _bad(
                at,
                "每类写一条规则：top_at_most、bottom_at_least、min_score、rest 或 none",
                "one rule per class: top_at_most, bottom_at_least, min_score, rest or none",
            )
        _keys(m, at, required=("code",), optional=("zh", *kinds))
        kind = {"top_at_most": "top", "bottom_at_least": "bottom", "min_score": "score"}.get(
            kinds[0], kinds[0]
        )
        value = None
        if kind in ("top", "bottom", "score"):
            value = _number(m[kinds[0]], f"{at} {kinds[0]}", positive=kind != "score")
            if kind != "score" and value > 1:
                raise _bad(at, "份额应在 0–1 之间，如 30%", "a share lies in 0–1, e.g. 30%")
        rules.append(ClassRule(_text(m["code"], at), str(m.get("zh", m["code"])), kind, value))  # type: ignore[arg-type]
    _check_classes(rules, where)
    return tuple(rules)


def _check_classes(rules: list[ClassRule], where: str) -> None:
    if [r.kind for r in rules].count("rest") != 1:
        raise _bad(where, "应恰有一类为 rest（其余企业）", "exactly one class must be rest")
    codes = [r.code for r in rules]
    if len(set(codes)) != len(codes):
        raise _bad(where, "类别代码重复", "class codes repeat")
    tops = [r.value for r in rules if r.kind == "top" and r.value is not None]
    bottoms = [r.value for r in rules if r.kind == "bottom" and r.value is not None]
    lines = [r.value for r in rules if r.kind == "score" and r.value is not None]
    if tops != sorted(tops) or bottoms != sorted(bottoms, reverse=True):
        raise _bad(
            where,
            "份额是累计的：自上而下 top_at_most 递增，bottom_at_least 自下而上递增",
            "shares are cumulative: top_at_most grows downwards, bottom_at_least upwards",
        )
    if lines != sorted(lines, reverse=True):
        raise _bad(where, "分数线应从高到低", "score lines go from high to low")
    if tops and bottoms and tops[-1] + bottoms[0] > 1:
        raise _bad(where, "上下份额之和超过 100%", "top and bottom shares exceed 100%")


# ---------------------------------------------------------------- primitives


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad(where, "应为键值映射", "must be a mapping")
    return value


def _keys(
    m: dict[str, Any], where: str, required: tuple[str, ...] = (), optional: tuple[str, ...] = ()
) -> None:
    missing = [k for k in required if k not in m]
    if missing:
        raise _bad(where, f"缺少 {'、'.join(missing)}", f"missing {', '.join(missing)}")
    unknown = [str(k) for k in m if k not in required and k not in optional]
    if unknown:
        allowed = ", ".join((*required, *optional))
        raise _bad(
            where,
            f"未知键 {'、'.join(unknown)}（可用：{allowed}）",
            f"unknown key {', '.join(unknown)} (allowed: {allowed})",
        )


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _bad(where, "应为非空文本", "must be non-empty text")
    return value.strip()


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise _bad(where, "应为 true 或 false", "must be true or false")
    return value


def _int(value: Any, where: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise _bad(where, f"应为 {lo}–{hi} 的整数", f"must be a whole number in {lo}–{hi}")
    return value


def _number(value: Any, where: str, positive: bool = False) -> Fraction:
    """An exact number: ``24.097`` is 24097/1000; ``30%`` is 3/10."""
    text = str(value).strip() if isinstance(value, (int, float, str)) else ""
    if isinstance(value, bool):
        text = ""
    scale = Fraction(1)
    if text.endswith("%"):
        text, scale = text[:-1], Fraction(1, 100)
    try:
        number = Fraction(text) * scale
    except (ValueError, ZeroDivisionError):
        raise _bad(where, f"不是数值：{value!r}", f"not a number: {value!r}") from None
    if positive and number <= 0:
        raise _bad(where, "应为正数", "must be positive")
    return number
