"""The enterprise data contract (shared/spec/enterprise-data.md, v1) as code.

One place names every table and field, its Chinese header, its kind and unit, and how a
cell is read. Imports, exports, templates, the demo generator and the rules engine all
read it from here. Add fields freely; never rename or re-unit one.

Units: money in yuan (exact), ratios as fractions, areas in mu, energy in tce. An empty
cell is unknown (None), never zero.

>>> f = field("annual", "rd_expense")
>>> f.parse("12.5", scale=10_000)
Decimal('125000.00')
>>> header_map("annual")["研发费用（万元）"]
('rd_expense', 10000)
>>> field("annual", "employees").parse("-3")
Traceback (most recent call last):
...
lianzhang.core.errors.ValidationError: 不能为负数：-3 / must not be negative: -3
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from typing import Any

from . import cells, exports, gbt4754, uscc
from .errors import ValidationError
from .money import parse_yuan


class Kind(StrEnum):
    TEXT = "text"
    USCC = "uscc"
    INDUSTRY = "industry"  # GB/T 4754-2017 小类
    MONEY = "money"  # yuan, exact to the fen
    INT = "int"
    FRACTION = "fraction"  # 0.03 = 3 %
    DECIMAL = "decimal"  # a non-money quantity (mu, tce, kWh, tonnes, scores)
    BOOL = "bool"
    DATE = "date"
    CHOICE = "choice"


#: The largest magnitude the database keeps exactly: a 64-bit integer (money in fen).
STORABLE: dict[Kind, Decimal] = {
    Kind.INT: Decimal(2**63 - 1),
    Kind.MONEY: Decimal(2**63 - 1) / 100,
    # DECIMAL(24, 6) columns: 18 digits before the point
    Kind.FRACTION: Decimal(10**18) - 1,
    Kind.DECIMAL: Decimal(10**18) - 1,
}

TRUE_WORDS = {"true", "1", "是", "yes", "y", "t", "√"}
FALSE_WORDS = {"false", "0", "否", "no", "n", "f", "×"}

#: Unit suffixes a header may carry, with the factor that brings the cell to contract units.
UNIT_SCALES: dict[Kind, dict[str, int | Decimal]] = {
    Kind.MONEY: {"元": 1, "万元": 10_000, "亿元": 100_000_000},
    Kind.FRACTION: {"%": Decimal("0.01"), "％": Decimal("0.01")},
}


@dataclass(frozen=True)
class Field:
    name: str
    zh: str
    kind: Kind
    en: str
    unit: str = ""  # contract unit shown in headers: 元, 人, 亩 ...
    choices: tuple[str, ...] = ()
    minimum: Decimal | None = Decimal(0)
    maximum: Decimal | None = None
    required: bool = False
    #: The longest text the database column holds (every cell is at most ``cells.MAX_CELL``).
    max_length: int | None = None

    @property
    def header(self) -> str:
        """The Chinese header used in import templates and exports."""
        return f"{self.zh}（{self.unit}）" if self.unit else self.zh

    def parse(self, raw: object, scale: int | Decimal = 1) -> Any:
        """Read one cell into its contract value; None for an empty cell.

        Raises ValidationError with a Chinese / English reason.
        """
        if raw is None:
            return None
        if isinstance(raw, str):
            raw = raw.strip()
            if raw == "":
                return None
            if self.kind is not Kind.TEXT:  # text: its column's limit, once restored (_text)
                cells.check_size(raw, cells.MAX_VALUE)
        if isinstance(raw, float) and raw != raw:  # NaN from a spreadsheet
            return None
        value = _PARSERS[self.kind](self, raw, scale)
        self._check_range(value, raw)
        return value

    def _check_range(self, value: Any, raw: object) -> None:
        if not isinstance(value, (int, Decimal)) or isinstance(value, bool):
            return
        limit = STORABLE.get(self.kind)
        if limit is not None and not -limit <= value <= limit:
            shown = cells.brief(raw)
            raise ValidationError(f"数值过大，无法保存：{shown}", f"too large to store: {shown}")
        if self.minimum is not None and value < self.minimum:
            if self.minimum == 0:
                raise ValidationError(f"不能为负数：{raw}", f"must not be negative: {raw}")
            raise ValidationError(
                f"不能小于 {self.minimum}：{raw}", f"must be at least {self.minimum}: {raw}"
            )
        if self.maximum is not None and value > self.maximum:
            raise ValidationError(
                f"不能大于 {self.maximum}：{raw}", f"must be at most {self.maximum}: {raw}"
            )


def _text(f: Field, raw: object, scale: int | Decimal) -> str:
    # an exported CSV quotes text that a spreadsheet would run as a formula: take it off
    text = exports.restore(str(raw).strip())
    if "\x00" in text:
        raise ValidationError("文本含有空字符（NUL）", "text contains a NUL character")
    cells.check_size(text, f.max_length)
    return text


def _uscc(f: Field, raw: object, scale: int | Decimal) -> str:
    return uscc.validate(cells.fold(str(raw)))


def _industry(f: Field, raw: object, scale: int | Decimal) -> str:
    text = str(int(raw)) if isinstance(raw, (int, float)) else cells.fold(str(raw)).strip()
    if text.isascii() and text.isdigit() and len(text) < 4:
        text = text.zfill(4)  # spreadsheets drop the leading zero of 0111
    return gbt4754.validate_class(text)


def _decimal(raw: object) -> Decimal:
    if isinstance(raw, bool):
        raise InvalidOperation
    if isinstance(raw, float):
        return Decimal(repr(raw))
    text = cells.number_text(str(raw))
    if not cells.plain_number(text):
        raise InvalidOperation
    value = Decimal(text)
    if not value.is_finite():
        raise InvalidOperation
    return value


_PLAIN_MONEY = re.compile(r"-?\d{1,16}(\.\d{1,2})?", re.ASCII)
_CENT = Decimal("0.01")


def _money(f: Field, raw: object, scale: int | Decimal) -> Decimal:
    if scale == 1 and isinstance(raw, str) and _PLAIN_MONEY.fullmatch(raw):
        return Decimal(raw).quantize(_CENT)  # the common case of machine-written files
    if isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool):
        raw = repr(raw) if isinstance(raw, float) else str(raw)
    text = cells.fold(str(raw)).strip().removesuffix("元").strip()
    text = cells.number_text(text)
    if not cells.plain_number(text):
        raise ValidationError(f"不是金额：{cells.brief(raw)}", f"not an amount: {cells.brief(raw)}")
    return parse_yuan(text, int(scale))


def _int(f: Field, raw: object, scale: int | Decimal) -> int:
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 18:
        return int(raw)
    shown = cells.brief(raw)
    try:
        value = _decimal(raw)
    except InvalidOperation:
        raise ValidationError(f"不是整数：{shown}", f"not a whole number: {shown}") from None
    if abs(value) > STORABLE[Kind.INT]:  # before int(): 1E100000 would take a while
        raise ValidationError(f"数值过大，无法保存：{shown}", f"too large to store: {shown}")
    if value != value.to_integral_value():
        raise ValidationError(f"应为整数：{shown}", f"must be a whole number: {shown}")
    return int(value)


def _number(f: Field, raw: object, scale: int | Decimal) -> Decimal:
    text = cells.fold(str(raw)).strip()
    percent = isinstance(raw, str) and text.endswith("%")
    try:
        value = _decimal(text[:-1]) if percent else _decimal(raw)
    except InvalidOperation:
        shown = cells.brief(raw)
        raise ValidationError(f"不是数字：{shown}", f"not a number: {shown}") from None
    if abs(value) > Decimal(10) ** 30:  # far beyond any column; keeps the arithmetic small
        shown = cells.brief(raw)
        raise ValidationError(f"数值过大，无法保存：{shown}", f"too large to store: {shown}")
    if percent:
        value /= 100
    elif scale != 1:
        value *= Decimal(scale)
    return value


def _bool(f: Field, raw: object, scale: int | Decimal) -> bool:
    if isinstance(raw, bool):
        return raw
    word = cells.fold(str(raw)).strip().lower()
    if isinstance(raw, (int, float)) and raw in (0, 1):
        return bool(raw)
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValidationError(
        f"应为 是/否（true/false、1/0）：{raw!r}", f"must be true/false (1/0, 是/否): {raw!r}"
    )


def _date(f: Field, raw: object, scale: int | Decimal) -> dt.date:
    if isinstance(raw, dt.datetime):
        return cells.check_date(raw.date(), raw)
    if isinstance(raw, dt.date):
        return cells.check_date(raw, raw)
    text = cells.fold(str(raw)).strip().replace("/", "-").replace(".", "-")
    match = re.fullmatch(
        r"(\d{4})-(\d{1,2})-(\d{1,2})|(\d{4})年(\d{1,2})月(\d{1,2})日", text, re.ASCII
    )
    if match:
        y, m, d = (int(g) for g in match.groups() if g is not None)
        try:
            day = dt.date(y, m, d)
        except ValueError:
            pass
        else:
            return cells.check_date(day, raw)
    shown = cells.brief(raw)
    raise ValidationError(
        f"不是有效日期（应为 YYYY-MM-DD）：{shown}", f"not a valid date (write YYYY-MM-DD): {shown}"
    )


def _choice(f: Field, raw: object, scale: int | Decimal) -> str:
    text = str(raw).strip()
    labels = CHOICE_LABELS.get(f.name, {})
    by_label = {zh: code for code, zh in labels.items()}
    if text in f.choices:
        return text
    if text in by_label:
        return by_label[text]
    allowed = "、".join(f"{c}（{labels[c]}）" if c in labels else c for c in f.choices)
    raise ValidationError(
        f"取值 {cells.brief(text)} 不在允许范围：{allowed}",
        f"value {cells.brief(text)} is not one of: {', '.join(f.choices)}",
    )


_PARSERS = {
    Kind.TEXT: _text,
    Kind.USCC: _uscc,
    Kind.INDUSTRY: _industry,
    Kind.MONEY: _money,
    Kind.INT: _int,
    Kind.FRACTION: _number,
    Kind.DECIMAL: _number,
    Kind.BOOL: _bool,
    Kind.DATE: _date,
    Kind.CHOICE: _choice,
}

M, N, F, D, B = Kind.MONEY, Kind.INT, Kind.FRACTION, Kind.DECIMAL, Kind.BOOL
NEG = None  # a minimum of None allows negative values (profit, value added)

HONOUR_TITLES = (
    "high_tech",
    "tech_sme",
    "innovative_sme",
    "tech_innovative_sme",
    "specialized_sme",
    "little_giant",
    "single_champion",
    "tech_innovation_demo",
    "ip_advantage",
)
AWARD_KINDS = ("sci_national", "sci_provincial", "maker_china")

CHOICE_LABELS: dict[str, dict[str, str]] = {
    "rd_institution_level": {
        "none": "未建立",
        "below_city": "市级以下",
        "city": "市级",
        "provincial": "省级",
        "national": "国家级",
    },
    "leading_product_field": {"key_link": "关键环节", "foundation": "六基领域", "other": "其他"},
    "landuse_class": {"A": "A类（优先发展）", "B": "B类（提升发展）", "C": "C类", "D": "D类"},
    "title": {
        "high_tech": "高新技术企业",
        "tech_sme": "科技型中小企业",
        "innovative_sme": "创新型中小企业",
        "tech_innovative_sme": "科技和创新型中小企业",
        "specialized_sme": "专精特新中小企业",
        "little_giant": "专精特新“小巨人”企业",
        "single_champion": "制造业单项冠军企业",
        "tech_innovation_demo": "国家级技术创新示范企业",
        "ip_advantage": "知识产权优势企业",
    },
    "kind": {
        "sci_national": "国家级科技奖励",
        "sci_provincial": "省级科技奖励",
        "maker_china": "创客中国全国赛",
    },
}


def _f(name: str, zh: str, kind: Kind, en: str, unit: str = "", **kw: Any) -> Field:
    if unit == "" and kind is Kind.MONEY:
        unit = "元"
    return Field(name, zh, kind, en, unit, **kw)


TABLES: dict[str, tuple[Field, ...]] = {
    "enterprises": (
        _f("uscc", "统一社会信用代码", Kind.USCC, "USCC", required=True),
        _f("name", "企业名称", Kind.TEXT, "name", required=True, max_length=200),
        _f("district", "所属区（市）县", Kind.TEXT, "district", max_length=40),
        _f("park", "所在园区", Kind.TEXT, "park", max_length=200),
        _f("industry_code", "国民经济行业分类代码", Kind.INDUSTRY, "industry code (GB/T 4754)"),
        _f("registered_on", "成立日期", Kind.DATE, "registered on"),
        _f("is_sei_product", "主导产品属于战略性新兴产业", B, "leading product is SEI"),
        _f("main_product", "主导产品", Kind.TEXT, "main product"),
        _f(
            "major_incident_recent", "近年发生重大安全、质量事故或严重环境违法", B, "major incident"
        ),
        _f("credit_blacklisted", "列入经营异常名录或严重失信名单", B, "credit blacklisted"),
        _f(
            "tech_in_supported_fields",
            "核心技术属于国家重点支持的高新技术领域",
            B,
            "core technology in supported high-tech fields",
        ),
        # issue 10: the trigger of the 上规 (纳统) reward
        _f(
            "above_scale_included_on",
            "首次纳入规模以上工业企业统计日期",
            Kind.DATE,
            "first included in the above-scale roster (纳统) on",
        ),
    ),
    "annual": (
        _f("uscc", "统一社会信用代码", Kind.USCC, "USCC", required=True),
        _f("year", "年度", N, "year", required=True, minimum=Decimal(1949), maximum=Decimal(2100)),
        _f("revenue", "营业收入", M, "revenue"),
        _f("main_revenue", "主营业务收入", M, "main business revenue"),
        _f("cost_total", "成本费用支出总额", M, "total costs and expenses"),
        _f("rd_expense", "研发费用", M, "R&D expense"),
        _f("rd_expense_domestic", "境内研发费用", M, "domestic R&D expense"),
        _f("high_tech_revenue", "高新技术产品（服务）收入", M, "high-tech product revenue"),
        _f("net_profit", "净利润", M, "net profit", minimum=NEG),
        _f("total_assets", "资产总额", M, "total assets"),
        _f("total_liabilities", "负债总额", M, "total liabilities"),
        _f("tax_paid", "实缴税收", M, "tax paid"),
        _f("value_added", "工业增加值", M, "industrial value added", minimum=NEG),
        _f("output_value", "工业总产值", M, "gross industrial output"),
        _f("equity_financing", "当年新增股权融资", M, "new equity financing"),
        _f("employees", "职工总数", N, "employees", "人"),
        _f("rd_staff", "研发人员数", N, "R&D staff", "人"),
        _f("tech_staff", "科技人员数", N, "technical staff", "人"),
        _f("energy_tce", "综合能耗", D, "energy use", "吨标准煤"),
        _f("electricity_kwh", "用电量", D, "electricity", "千瓦时"),
        _f("emissions_t", "主要污染物排放量", D, "main pollutant emissions", "吨"),
        _f("land_mu", "用地面积", D, "land area", "亩"),
        _f("ip_class1", "与主导产品相关的有效Ⅰ类知识产权数", N, "class I IP"),
        _f("ip_class1_self", "其中自主研发Ⅰ类知识产权数", N, "class I IP, self-developed"),
        _f("ip_class1_high_value", "其中高价值Ⅰ类知识产权数", N, "class I IP, high value"),
        _f("ip_class2", "有效Ⅱ类知识产权数", N, "class II IP"),
        _f("segment_years", "从事特定细分市场年限", N, "years in the market segment", "年"),
        _f(
            "market_share", "主导产品细分市场占有率", F, "domestic market share", maximum=Decimal(1)
        ),
        _f(
            "market_rank_domestic",
            "国内细分市场排名",
            N,
            "domestic market rank",
            minimum=Decimal(1),
        ),
        _f("market_rank_global", "全球细分市场排名", N, "global market rank", minimum=Decimal(1)),
        _f(
            "rd_institution_level",
            "研发机构级别",
            Kind.CHOICE,
            "R&D institution level",
            choices=("none", "below_city", "city", "provincial", "national"),
        ),
        _f("digital_level", "数字化水平评测等级", N, "digital maturity level", maximum=Decimal(4)),
        _f("standards_led", "当年主导制定标准数", N, "standards led"),
        _f("tech_conversions", "当年科技成果转化数", N, "technology conversions"),
        _f(
            "innovation_score",
            "高企创新能力评价得分",
            D,
            "high-tech innovation score",
            maximum=Decimal(100),
        ),
        _f(
            "local_feature_score", "地方特色指标得分", D, "local feature score", maximum=Decimal(15)
        ),
        _f("quality_award_provincial", "获得省级以上质量奖", B, "provincial quality award"),
        _f("iso9001", "获得质量管理体系认证", B, "ISO 9001 certified"),
        _f(
            "product_cert_developed",
            "产品通过发达国家和地区产品认证",
            B,
            "product certified in a developed country or region",
        ),
        _f("own_brand", "拥有自主品牌", B, "own brand"),
        _f("standards_participated", "参与制修订标准", B, "took part in standards"),
        _f(
            "leading_product_field",
            "主导产品所属领域",
            Kind.CHOICE,
            "leading product field",
            choices=("key_link", "foundation", "other"),
        ),
        _f(
            "product_in_key_areas",
            "主导产品属于制造业核心基础领域",
            B,
            "leading product in key areas",
        ),
        _f("key_chain_position", "位于产业链关键环节", B, "key chain position"),
        _f(
            "core_business_info_system",
            "核心业务采用信息系统支撑",
            B,
            "core business runs on information systems",
        ),
        _f(
            "specialization_dev_score",
            "专精特新发展评价得分",
            D,
            "specialisation development score",
            maximum=Decimal(100),
        ),
        # issue 10: the local library (技改, 首台套, 亩均, 数字化服务券)
        _f(
            "renovation_equipment_investment",
            "技术改造项目设备投资额（经审核）",
            M,
            "eligible equipment investment of the renovation project",
        ),
        _f("first_unit_sale_price", "首台（套）产品销售单价", M, "first-unit equipment sale price"),
        _f(
            "first_unit_insurance_premium",
            "首台（套）综合保险保费",
            M,
            "first-unit equipment insurance premium",
        ),
        _f(
            "landuse_class",
            "亩均效益综合评价类别",
            Kind.CHOICE,
            "亩均 (per-mu efficiency) evaluation class",
            choices=("A", "B", "C", "D"),
        ),
        _f(
            "digital_service_contract",
            "数字化转型服务合同金额",
            M,
            "digital-transformation service contract amount",
        ),
        _f(
            "digital_provider_listed",
            "服务商列入本市数字化转型服务商名录",
            B,
            "the contract's provider is on the city's list",
        ),
    ),
    "honours": (
        _f("uscc", "统一社会信用代码", Kind.USCC, "USCC", required=True),
        _f("title", "称号", Kind.CHOICE, "title", choices=HONOUR_TITLES, required=True),
        _f("granted_on", "认定日期", Kind.DATE, "granted on", required=True),
        _f("valid_until", "有效期至", Kind.DATE, "valid until"),
    ),
    "awards": (
        _f("uscc", "统一社会信用代码", Kind.USCC, "USCC", required=True),
        _f("year", "年度", N, "year", required=True, minimum=Decimal(1949), maximum=Decimal(2100)),
        _f("kind", "奖项类别", Kind.CHOICE, "kind", choices=AWARD_KINDS, required=True),
        _f("rank", "获奖单位排名或名次", N, "rank", minimum=Decimal(1), required=True),
        _f("name", "奖项名称", Kind.TEXT, "award name", max_length=200),
        _f("awarded_on", "授奖日期", Kind.DATE, "awarded on"),
    ),
}

#: The fields that identify a row: imports upsert on them.
KEYS: dict[str, tuple[str, ...]] = {
    "enterprises": ("uscc",),
    "annual": ("uscc", "year"),
    "honours": ("uscc", "title", "granted_on"),
    "awards": ("uscc", "year", "kind", "rank"),
}

TABLE_ZH = {"enterprises": "企业", "annual": "年度指标", "honours": "称号", "awards": "奖励"}


def fields(table: str) -> tuple[Field, ...]:
    try:
        return TABLES[table]
    except KeyError:
        raise ValidationError(
            f"未知数据表 {table!r}，可选：{'、'.join(TABLES)}",
            f"unknown table {table!r}; choose one of {', '.join(TABLES)}",
        ) from None


def field(table: str, name: str) -> Field:
    for f in fields(table):
        if f.name == name:
            return f
    raise ValidationError(f"{table} 表没有字段 {name!r}", f"table {table} has no field {name!r}")


def money_fields(table: str) -> list[str]:
    return [f.name for f in fields(table) if f.kind is Kind.MONEY]


def _strip_unit(header: str) -> tuple[str, str]:
    match = re.fullmatch(r"(.+?)\s*[（(]\s*([^（()）]+)\s*[)）]", header.strip())
    return (match.group(1), match.group(2).strip()) if match else (header.strip(), "")


@cache
def header_map(table: str) -> dict[str, tuple[str, int | Decimal]]:
    """Every accepted header → (field name, factor to contract units).

    Accepts the English field name, the Chinese name, and the Chinese name with its
    contract unit or a scaled unit (万元, 亿元, %).
    """
    out: dict[str, tuple[str, int | Decimal]] = {}
    for f in fields(table):
        out[f.name] = (f.name, 1)
        out[f.zh] = (f.name, 1)
        out[f.header] = (f.name, 1)
        for unit, factor in UNIT_SCALES.get(f.kind, {}).items():
            out[f"{f.zh}（{unit}）"] = (f.name, factor)
    return out


def resolve_header(table: str, header: str) -> tuple[str, int | Decimal] | None:
    """Map a column header to its field, tolerating half-width brackets and spaces."""
    known = header_map(table)
    text = str(header).strip()
    if text in known:
        return known[text]
    base, unit = _strip_unit(text)
    return known.get(f"{base}（{unit}）" if unit else base)
