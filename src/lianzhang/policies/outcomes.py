"""绩效评价 (outcome evaluation): did the beneficiaries of a policy-year do better afterwards?

Pure: a panel in, an estimate per indicator out (no Django). The method, in full:

* **Who.** The treated are the beneficiaries of the policy for year ``Y`` (the service
  passes the enterprises whose case of that year is paid). Controls are every other
  enterprise of the panel, except those the caller excludes (beneficiaries of the same
  policy in neighbouring years).
* **When.** The pre-year is ``Y − 1``; the post-year is ``Y + 1``, one year only: the money
  of year ``Y`` arrives during ``Y``, and later years mix in other policies and firms that
  stop reporting. A later effect is not seen.
* **Matching.** Exact on the cell of the pre-year: GB/T 4754 中类 (the first three
  characters of the 4-digit code), size class (大型/中型/小型/微型 from the pre-year data,
  ``rules.sizes``) and district; then, per indicator, the control of the same cell whose
  pre-year value is nearest to the treated firm's (ties: the smaller USCC). With
  replacement: one control may serve several treated firms. No caliper.
* **Estimate.** ``DiD = mean over treated of (post − pre) − (matched control post − pre)``.
* **Interval.** The analytic paired standard error: the pair differences ``d_i`` are taken
  as independent, ``SE = sd(d) / √n`` and the 95 % interval ``mean ± t(0.975, n − 1)·SE``.
  Reused controls make the pairs dependent, so the interval is somewhat too narrow
  (Abadie–Imbens); no interval below two pairs.
* **Unknown is not zero.** A treated firm whose pre- or post-year value is unknown
  (``unknown_value``), whose cell is unknown (no industry, district or decidable size
  class: ``unknown_cell``) or whose cell has no usable control (``no_match``) is left out
  and counted.

Values stay exact: money is integer fen (the columnar contract, ``core.frames``), staff
counts integers, R&D intensity a ``Fraction``; means are Fractions until they are shown,
rounded half-up (money in 万元 to two places, staff to 0.1 人, ratios as fractions to four
places).

>>> import polars as pl
>>> panel = pl.DataFrame({
...     "uscc": ["T1", "T1", "C1", "C1", "C2", "C2"],
...     "year": [2023, 2025] * 3,
...     "industry_code": ["3973"] * 6, "size_class": ["小型"] * 6, "district": ["高新区"] * 6,
...     "employees": [10, 16, 11, 12, 40, 41],
... })
>>> est = evaluate(panel, {"T1"}, 2024, indicators=("employees",)).estimates[0]
>>> est.pairs[0].control, est.did, est.treated_n, est.no_match
('C1', Fraction(5, 1), 1, 0)
"""

from __future__ import annotations

import bisect
import io
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from pathlib import Path
from typing import Any

import polars as pl

from lianzhang.core import exports
from lianzhang.core.errors import ValidationError

Number = int | Fraction
CONFIDENCE = Decimal("0.95")
MONEY, COUNT, RATIO = "money", "count", "fraction"
#: The columns of the panel besides the indicators.
KEYS = ("uscc", "year", "industry_code", "size_class", "district")
#: Size classes that decide a cell; 未知 (or null) leaves the cell unknown.
SIZES = ("大型", "中型", "小型", "微型")


@dataclass(frozen=True)
class Indicator:
    name: str
    zh: str
    en: str
    kind: str  # MONEY (fen), COUNT or RATIO

    @property
    def unit(self) -> str:
        """The unit means are shown in."""
        return {MONEY: "万元", COUNT: "人", RATIO: "比例"}[self.kind]

    @property
    def unit_en(self) -> str:
        return {MONEY: "10k yuan", COUNT: "persons", RATIO: "fraction"}[self.kind]


INDICATORS: tuple[Indicator, ...] = (
    Indicator("revenue", "营业收入", "revenue", MONEY),
    Indicator("rd_expense", "研发费用", "R&D expense", MONEY),
    Indicator("employees", "职工总数", "employees", COUNT),
    Indicator("tax_paid", "实缴税收", "tax paid", MONEY),
    Indicator("rd_intensity", "研发投入强度（研发费用/营业收入）", "R&D intensity", RATIO),
)
BY_NAME = {i.name: i for i in INDICATORS}
#: Derived indicators: name → (numerator, denominator) columns of the panel.
RATIOS = {"rd_intensity": ("rd_expense", "revenue")}

METHOD_ZH = (
    "双重差分（DiD）：受益企业 = 该政策该年度已支付的企业；对照 = 未受益企业。",
    "匹配：按前一年（Y−1）的国民经济行业中类（行业代码前三位）、企业规模（大中小微）和所属区县"
    "精确匹配，再在同一格内按该指标前一年数值取最近邻（可重复使用，同距取信用代码较小者，不设卡尺）。",
    "效果 = 受益企业（Y+1 − Y−1）的平均变化 − 其匹配对照同期平均变化；只看 Y+1 一年。",
    "95% 置信区间：按配对差值的解析标准误（t 分布，n−1 自由度）；对照重复使用时区间偏窄。",
    "数据缺失、格内无对照、规模或区县不明的受益企业不计入估计，单独计数（未知不按零计）。",
)
LIMITS_ZH = (
    "受益企业因符合条件而被选中：符合条件本身（如研发增长）就会带来差异，匹配只能控制行业、规模、"
    "区县和前一年水平，控制不了其他差别。",
    "平行趋势假设：假定没有政策时受益企业与对照的变化相同，数据无法证明这一点。",
    "样本小时估计不稳定，置信区间宽；跨越零的区间表示看不出差别。",
    "结果描述“受益企业比相似企业多（少）变化了多少”，不能据此断言政策的因果效果，"
    "也不能用于评价单个企业。",
)
METHOD_EN = (
    "Difference in differences (DiD): treated = enterprises paid by the policy for the year;"
    " controls = enterprises not paid.",
    "Matching: exact on the pre-year (Y−1) GB/T 4754 group (first three digits), size class"
    " and district, then the nearest pre-year value of the indicator within the cell"
    " (with replacement, ties to the smaller USCC, no caliper).",
    "Effect = mean change of the treated (Y+1 − Y−1) minus the mean change of their matched"
    " controls; one post year (Y+1) only.",
    "95% confidence interval from the analytic paired standard error (t with n−1 degrees of"
    " freedom); reused controls make it somewhat too narrow.",
    "Treated firms with a missing value, no control in their cell or an unknown size class"
    " or district are left out and counted (unknown is not zero).",
)
LIMITS_EN = (
    "Selection on eligibility: beneficiaries were chosen because they qualified; matching"
    " controls industry, size, district and the pre-year level only.",
    "Parallel trends are assumed, not shown: without the policy both groups would have moved"
    " alike.",
    "Small samples give unstable estimates and wide intervals; an interval across zero shows"
    " no difference.",
    "The result describes how much more (or less) beneficiaries changed than similar firms;"
    " it is no causal proof and says nothing about a single enterprise.",
)


@dataclass(frozen=True)
class Pair:
    treated: str
    control: str
    cell: tuple[str, str, str]  # 中类, size class, district
    treated_pre: Number
    treated_post: Number
    control_pre: Number
    control_post: Number

    @property
    def difference(self) -> Number:
        """(treated post − pre) − (control post − pre), exact."""
        return (self.treated_post - self.treated_pre) - (self.control_post - self.control_pre)


@dataclass(frozen=True)
class Estimate:
    indicator: Indicator
    treated_total: int
    pairs: tuple[Pair, ...]
    unknown_value: int
    unknown_cell: int
    no_match: int
    did: Fraction | None
    se: Decimal | None
    ci_low: Decimal | None
    ci_high: Decimal | None

    @property
    def treated_n(self) -> int:
        return len(self.pairs)

    @property
    def control_n(self) -> int:
        """Distinct controls used (with replacement: may be fewer than the pairs)."""
        return len({p.control for p in self.pairs})

    @property
    def unknown(self) -> int:
        return self.unknown_value + self.unknown_cell + self.no_match

    def mean(self, side: str) -> Fraction | None:
        """Mean of ``treated_pre``, ``treated_post``, ``control_pre`` or ``control_post``."""
        if not self.pairs:
            return None
        return Fraction(sum(Fraction(getattr(p, side)) for p in self.pairs), len(self.pairs))


@dataclass(frozen=True)
class Outcomes:
    year: int
    pre_year: int
    post_year: int
    treated_total: int
    estimates: tuple[Estimate, ...]


def cell_of(industry: str | None, size: str | None, district: str | None) -> tuple[str, ...] | None:
    """The matching cell, or None when any part is unknown.

    >>> cell_of("3973", "小型", "武侯区"), cell_of("3973", "未知", "武侯区")
    (('397', '小型', '武侯区'), None)
    """
    if not industry or len(industry) < 3 or size not in SIZES or not district:
        return None
    return (industry[:3], size, district)


def _value(row: dict[str, Any], name: str) -> Number | None:
    if name in RATIOS:
        top, bottom = (row.get(c) for c in RATIOS[name])
        if top is None or bottom is None or bottom <= 0:
            return None  # no revenue: the intensity is unknown, not infinite
        return Fraction(int(top), int(bottom))
    value = row.get(name)
    return None if value is None else int(value)


def _exact(panel: pl.DataFrame) -> pl.DataFrame:
    """Decimal money (yuan) to integer fen; other columns as they are."""
    fixes = [
        (pl.col(n) * 100).round(0).cast(pl.Int64)
        for n, dtype in panel.schema.items()
        if isinstance(dtype, pl.Decimal)
    ]
    return panel.with_columns(fixes) if fixes else panel


def _rows(panel: pl.DataFrame, year: int) -> dict[str, dict[str, Any]]:
    rows = panel.filter(pl.col("year") == year).unique("uscc", keep="last", maintain_order=True)
    return {r["uscc"]: r for r in rows.to_dicts()}


def _nearest(pool: list[tuple[Number, str, Number]], pre: Number) -> tuple[Number, str, Number]:
    """The entry of ``pool`` (sorted by value, then USCC) nearest to ``pre``; ties: the
    smaller USCC."""
    values = [Fraction(v) for v, _, _ in pool]
    at = bisect.bisect_left(values, pre)
    gaps = [abs(values[i] - pre) for i in (at - 1, at) if 0 <= i < len(values)]
    best = min(gaps)
    picks = []
    for target in {Fraction(pre) - best, Fraction(pre) + best}:
        first = bisect.bisect_left(values, target)
        if first < len(values) and values[first] == target:
            picks.append(pool[first])  # the smallest USCC of its run of equal values
    return min(picks, key=lambda entry: entry[1])


def _interval(pairs: Sequence[Pair]) -> tuple[Fraction | None, Decimal | None, Decimal | None]:
    """Mean pair difference, its standard error and the half-width of the 95 % interval."""
    n = len(pairs)
    if n == 0:
        return None, None, None
    diffs = [Fraction(p.difference) for p in pairs]
    mean = sum(diffs, Fraction(0)) / n
    if n < 2:
        return mean, None, None
    variance = sum(((d - mean) ** 2 for d in diffs), Fraction(0)) / (n - 1)
    from scipy.stats import t as student

    quantile = Decimal(repr(float(student.ppf(float(1 - (1 - CONFIDENCE) / 2), n - 1))))
    with localcontext() as ctx:
        ctx.prec = 34
        se = (Decimal(variance.numerator) / Decimal(variance.denominator) / n).sqrt()
        return mean, se, quantile * se


def _estimate(
    indicator: Indicator,
    treated: Sequence[str],
    pre: dict[str, dict[str, Any]],
    post: dict[str, dict[str, Any]],
    controls: Collection[str],
) -> Estimate:
    pools: dict[tuple[str, ...], list[tuple[Number, str, Number]]] = {}
    for uscc in controls:
        before, after = pre.get(uscc), post.get(uscc)
        if before is None or after is None:
            continue
        cell = cell_of(before["industry_code"], before["size_class"], before["district"])
        a, b = _value(before, indicator.name), _value(after, indicator.name)
        if cell is not None and a is not None and b is not None:
            pools.setdefault(cell, []).append((a, uscc, b))
    for pool in pools.values():
        pool.sort(key=lambda entry: (entry[0], entry[1]))
    pairs, unknown_value, unknown_cell, no_match = [], 0, 0, 0
    for uscc in treated:
        before, after = pre.get(uscc), post.get(uscc)
        a = None if before is None else _value(before, indicator.name)
        b = None if after is None else _value(after, indicator.name)
        if before is None or a is None or b is None:
            unknown_value += 1
            continue
        cell = cell_of(before["industry_code"], before["size_class"], before["district"])
        if cell is None:
            unknown_cell += 1
            continue
        candidates = pools.get(cell)
        if not candidates:
            no_match += 1
            continue
        c_pre, control, c_post = _nearest(candidates, a)
        pairs.append(Pair(uscc, control, (cell[0], cell[1], cell[2]), a, b, c_pre, c_post))
    did, se, half = _interval(pairs)
    low = high = None
    if did is not None and half is not None:
        low, high = _decimal(did) - half, _decimal(did) + half
    return Estimate(
        indicator, len(treated), tuple(pairs), unknown_value, unknown_cell, no_match, did, se,
        low, high,
    )  # fmt: skip


def evaluate(
    panel: pl.DataFrame,
    beneficiaries: Iterable[str],
    year: int,
    *,
    excluded: Iterable[str] = (),
    indicators: Sequence[str] | None = None,
) -> Outcomes:
    """Estimate per indicator for the beneficiaries of ``year`` (see the module's docstring).

    ``panel`` has one row per enterprise and year with :data:`KEYS` and the indicator
    columns (money in integer fen, or Decimal yuan); ``excluded`` enterprises are never
    controls. A beneficiary without any row in the panel counts as ``unknown_value``.
    """
    names = list(indicators) if indicators is not None else [i.name for i in INDICATORS]
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        shown_names = "、".join(unknown)
        raise ValidationError(f"没有指标 {shown_names}", f"unknown indicator: {shown_names}")
    panel = _exact(panel)
    pre, post = _rows(panel, year - 1), _rows(panel, year + 1)
    treated = sorted(set(beneficiaries))
    never = set(treated) | set(excluded)
    controls = sorted((pre.keys() & post.keys()) - never)
    estimates = tuple(_estimate(BY_NAME[n], treated, pre, post, controls) for n in names)
    return Outcomes(year, year - 1, year + 1, len(treated), estimates)


def with_size_class(panel: pl.DataFrame) -> pl.DataFrame:
    """Add ``size_class`` per row from that year's employees, revenue and total assets.

    The 规定 in force at the end of the row's year decides (``rules.sizes``); 未知 when the
    data cannot decide it.
    """
    import datetime as dt

    from lianzhang.rules import sizes
    from lianzhang.rules.plan import annual_column

    parts = []
    for (year,), part in panel.group_by(["year"], maintain_order=True):
        as_of = dt.date(int(str(year)) + 1, 1, 1)
        frame = part.with_columns(
            pl.col(i).alias(annual_column(i, 1)) for i in sizes.INDICATORS
        ).lazy()
        labelled = sizes.with_row(frame, as_of).with_columns(
            sizes.size_label(as_of).alias("size_class")
        )
        extra = [annual_column(i, 1) for i in sizes.INDICATORS] + [sizes.ROW_COLUMN]
        parts.append(labelled.drop(extra).collect())
    if not parts:
        return panel.with_columns(pl.lit(None, dtype=pl.String).alias("size_class"))
    return pl.concat(parts)


# --- presentation -----------------------------------------------------------------------

_STEPS = {MONEY: Decimal("0.01"), COUNT: Decimal("0.1"), RATIO: Decimal("0.0001")}
_FEN_PER_WAN = 1_000_000


def _decimal(value: Fraction | Decimal) -> Decimal:
    if isinstance(value, Decimal):
        return value
    with localcontext() as ctx:
        ctx.prec = 34
        return Decimal(value.numerator) / Decimal(value.denominator)


def shown(indicator: Indicator, value: Fraction | Decimal | None) -> Decimal | None:
    """A mean or difference in its display unit, rounded half-up (money: fen → 万元).

    >>> shown(BY_NAME["revenue"], Fraction(12_345_678_9, 10)), shown(BY_NAME["employees"], None)
    (Decimal('12.35'), None)
    """
    if value is None:
        return None
    scaled = _decimal(value) / _FEN_PER_WAN if indicator.kind == MONEY else _decimal(value)
    return scaled.quantize(_STEPS[indicator.kind], rounding=ROUND_HALF_UP)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def row_of(est: Estimate) -> dict[str, Any]:
    """One indicator's result in display units (Decimals), for JSON, the page and Excel."""
    i = est.indicator
    return {
        "indicator": i.name,
        "label": i.zh,
        "label_en": i.en,
        "unit": i.unit,
        "unit_en": i.unit_en,
        "treated_total": est.treated_total,
        "treated_n": est.treated_n,
        "control_n": est.control_n,
        "unknown": est.unknown,
        "unknown_value": est.unknown_value,
        "unknown_cell": est.unknown_cell,
        "no_match": est.no_match,
        "treated_pre_mean": shown(i, est.mean("treated_pre")),
        "treated_post_mean": shown(i, est.mean("treated_post")),
        "control_pre_mean": shown(i, est.mean("control_pre")),
        "control_post_mean": shown(i, est.mean("control_post")),
        "did": shown(i, est.did),
        "se": shown(i, est.se),
        "ci_low": shown(i, est.ci_low),
        "ci_high": shown(i, est.ci_high),
    }


def to_json(result: Outcomes, policy: str, title: str = "") -> dict[str, Any]:
    """The CLI's JSON: decimals as strings (exact), unknown as null."""
    rows = []
    for est in result.estimates:
        row = row_of(est)
        rows.append({k: _text(v) if isinstance(v, Decimal) else v for k, v in row.items()})
    return {
        "policy": policy,
        "title": title,
        "year": result.year,
        "pre_year": result.pre_year,
        "post_year": result.post_year,
        "beneficiaries": result.treated_total,
        "method": {
            "design": "difference-in-differences with nearest-neighbour matching",
            "matching": "exact on GB/T 4754 group (3 digits), size class and district in the"
            " pre-year; nearest pre-year value of the indicator; with replacement",
            "interval": "analytic paired standard error, t distribution",
            "confidence": str(CONFIDENCE),
            "post_years": [result.post_year],
            "zh": list(METHOD_ZH),
            "en": list(METHOD_EN),
        },
        "limits": {"zh": list(LIMITS_ZH), "en": list(LIMITS_EN)},
        "indicators": rows,
    }


RESULT_HEADS = (
    ("label", "指标 / indicator"),
    ("unit", "单位 / unit"),
    ("treated_total", "受益企业 / beneficiaries"),
    ("treated_n", "纳入估计 / treated_n"),
    ("control_n", "对照企业 / control_n"),
    ("unknown_value", "数据缺失 / unknown value"),
    ("unknown_cell", "行业规模区县不明 / unknown cell"),
    ("no_match", "无对照 / no match"),
    ("treated_pre_mean", "受益前一年均值 / treated pre"),
    ("treated_post_mean", "受益后一年均值 / treated post"),
    ("control_pre_mean", "对照前一年均值 / control pre"),
    ("control_post_mean", "对照后一年均值 / control post"),
    ("did", "双重差分估计 / DiD"),
    ("se", "标准误 / SE"),
    ("ci_low", "95%区间下限 / CI low"),
    ("ci_high", "95%区间上限 / CI high"),
)


def _exact_value(indicator: Indicator, value: Number) -> Decimal:
    """A pair's value as written in Excel: money in yuan (exact), others as they are."""
    if indicator.kind == MONEY:
        return Decimal(int(value)) / 100
    if isinstance(value, Fraction):
        return shown(indicator, value) or Decimal(0)
    return Decimal(value)


def write_workbook(
    result: Outcomes, policy: str, title: str, target: str | Path | io.BytesIO
) -> None:
    """Results, the matched pairs and the method with its limits, as one .xlsx workbook."""
    import xlsxwriter

    if isinstance(target, (str, Path)) and Path(target).suffix.lower() != ".xlsx":
        raise ValidationError("请导出为 .xlsx 文件", "export to an .xlsx file")
    out = target if isinstance(target, io.BytesIO) else str(target)
    book = xlsxwriter.Workbook(out, {**exports.XLSX_TEXT, "in_memory": True})
    try:
        head = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
        number = book.add_format({"num_format": "#,##0.00##"})
        sheet = book.add_worksheet("结果 results")
        sheet.write_row(0, 0, [h for _, h in RESULT_HEADS], head)
        for r, est in enumerate(result.estimates, start=1):
            row = row_of(est)
            for c, (key, _) in enumerate(RESULT_HEADS):
                _cell(sheet, r, c, row[key], number)
        sheet.freeze_panes(1, 1)
        sheet.set_column(0, 0, 30)
        sheet.set_column(1, len(RESULT_HEADS) - 1, 16)
        pairs = book.add_worksheet("配对 pairs")
        heads = [
            "指标 / indicator",
            "单位 / unit",
            "受益企业 / treated",
            "对照企业 / control",
            "行业中类 / group",
            "规模 / size",
            "区县 / district",
            "受益前 / treated pre",
            "受益后 / treated post",
            "对照前 / control pre",
            "对照后 / control post",
            "差中差 / difference",
        ]
        pairs.write_row(0, 0, heads, head)
        r = 1
        for est in result.estimates:
            i = est.indicator
            unit = "元" if i.kind == MONEY else i.unit
            for p in est.pairs:
                values = (p.treated_pre, p.treated_post, p.control_pre, p.control_post)
                cells: list[Any] = [i.zh, unit, p.treated, p.control, *p.cell]
                cells += [_exact_value(i, v) for v in (*values, p.difference)]
                for c, value in enumerate(cells):
                    _cell(pairs, r, c, value, number)
                r += 1
        pairs.freeze_panes(1, 0)
        pairs.set_column(0, len(heads) - 1, 18)
        method = book.add_worksheet("方法 method")
        lines = [
            f"政策 / policy：{title}（{policy}）",
            f"政策年度 / year：{result.year}；前一年 / pre-year：{result.pre_year}；"
            f"后一年 / post-year：{result.post_year}",
            "",
            "方法 / method",
            *METHOD_ZH,
            *METHOD_EN,
            "",
            "局限 / limits",
            *LIMITS_ZH,
            *LIMITS_EN,
        ]
        for r, line in enumerate(lines):
            method.write_string(r, 0, line)
        method.set_column(0, 0, 120)
    finally:
        book.close()


def _cell(sheet: Any, r: int, c: int, value: Any, number: Any) -> None:
    if isinstance(value, Decimal):
        sheet.write_number(r, c, float(value), number)
    elif isinstance(value, int):
        sheet.write_number(r, c, value)
    elif value is not None:
        sheet.write_string(r, c, str(value))
