"""The enterprise registry: enterprises, annual indicators, honours and awards.

Every column is a field of the data contract (``lianzhang.core.contract``) with the same
name and unit; ``tests/enterprises/test_models.py`` keeps the two in step. Derived facts
(规上, growth, R&D intensity) are computed, never stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianzhang.core import contract, gbt4754, scale
from lianzhang.storage.fields import MoneyField


def Quantity(label: str, **kwargs: Any) -> models.DecimalField[Any, Any]:
    """A non-money quantity (mu, tce, kWh, fraction, score); unknown is null."""
    return models.DecimalField(
        label, max_digits=24, decimal_places=6, null=True, blank=True, **kwargs
    )


def Choice(label: str, name: str) -> models.CharField[Any, Any]:
    """A coded value of the contract (e.g. rd_institution_level); unknown is ""."""
    spec = contract.field("annual", name)
    labels = contract.CHOICE_LABELS.get(name, {})
    return models.CharField(
        label,
        max_length=24,
        blank=True,
        default="",
        choices=[(c, labels.get(c, c)) for c in spec.choices],
    )


class Enterprise(models.Model):
    uscc = models.CharField(_("USCC"), max_length=18, primary_key=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    district = models.CharField(_("district"), max_length=40, blank=True, default="", db_index=True)
    main_product = models.TextField(_("main product"), blank=True, default="")
    park = models.CharField("所在园区", max_length=200, blank=True, default="")
    industry_code = models.CharField(
        "国民经济行业分类代码", max_length=4, blank=True, default="", db_index=True
    )
    registered_on = models.DateField("成立日期", null=True, blank=True)
    is_sei_product = models.BooleanField("主导产品属于战略性新兴产业", null=True, blank=True)
    major_incident_recent = models.BooleanField(
        "近年发生重大安全、质量事故或严重环境违法", null=True, blank=True
    )
    credit_blacklisted = models.BooleanField(
        "列入经营异常名录或严重失信名单", null=True, blank=True
    )
    tech_in_supported_fields = models.BooleanField(
        "核心技术属于国家重点支持的高新技术领域", null=True, blank=True
    )
    above_scale_included_on = models.DateField(
        "首次纳入规模以上工业企业统计日期", null=True, blank=True
    )  # issue 10 (policy library)
    updated_at = models.DateTimeField(auto_now=True)
    #: the data version: when anything the rules read about this enterprise (its row, its
    #: annual indicators, titles or awards) last changed. A match run's stored results are
    #: served for the enterprise only while this is older than the run (``policies.served``)
    data_changed_at = models.DateTimeField("数据变更时间", default=timezone.now, editable=False)

    class Meta:
        ordering = ["uscc"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self) -> str:
        return f"{self.name}（{self.uscc}）"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.data_changed_at = timezone.now()
        fields = kwargs.get("update_fields")
        if fields is not None and "data_changed_at" not in fields:
            kwargs["update_fields"] = [*fields, "data_changed_at"]
        super().save(*args, **kwargs)

    @property
    def industry_name(self) -> str:
        return gbt4754.name(self.industry_code)

    @property
    def is_industrial(self) -> bool:
        return gbt4754.is_industrial(self.industry_code)


def touch(usccs: Iterable[str]) -> None:
    """Record that the data of these enterprises changed now (their data version).

    Every writer calls it: the models' own ``save`` and ``delete`` below, and the bulk
    paths that bypass them (``services.import_file``). A bulk ``QuerySet.update`` or
    ``delete`` of registry rows must call it too.
    """
    now = timezone.now()
    wanted = sorted(set(usccs))
    for start in range(0, len(wanted), 5000):  # under the databases' parameter limits
        Enterprise.objects.filter(pk__in=wanted[start : start + 5000]).update(data_changed_at=now)


class Touches(models.Model):
    """A row of an enterprise's data: saving or deleting it changes the data version."""

    enterprise_id: str

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        touch([self.enterprise_id])

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        found = super().delete(*args, **kwargs)
        touch([self.enterprise_id])
        return found


class Annual(Touches):
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="annual", db_column="uscc"
    )
    year = models.IntegerField(_("year"))
    revenue = MoneyField("营业收入", null=True, blank=True)
    main_revenue = MoneyField("主营业务收入", null=True, blank=True)
    cost_total = MoneyField("成本费用支出总额", null=True, blank=True)
    rd_expense = MoneyField("研发费用", null=True, blank=True)
    rd_expense_domestic = MoneyField("境内研发费用", null=True, blank=True)
    high_tech_revenue = MoneyField("高新技术产品（服务）收入", null=True, blank=True)
    net_profit = MoneyField("净利润", null=True, blank=True)
    total_assets = MoneyField("资产总额", null=True, blank=True)
    total_liabilities = MoneyField("负债总额", null=True, blank=True)
    tax_paid = MoneyField("实缴税收", null=True, blank=True)
    value_added = MoneyField("工业增加值", null=True, blank=True)
    output_value = MoneyField("工业总产值", null=True, blank=True)
    equity_financing = MoneyField("当年新增股权融资", null=True, blank=True)
    employees = models.BigIntegerField(
        "职工总数", null=True, blank=True, validators=[MinValueValidator(0)]
    )
    rd_staff = models.BigIntegerField(
        "研发人员数", null=True, blank=True, validators=[MinValueValidator(0)]
    )
    tech_staff = models.BigIntegerField(
        "科技人员数", null=True, blank=True, validators=[MinValueValidator(0)]
    )
    energy_tce = Quantity("综合能耗", validators=[MinValueValidator(0)])
    electricity_kwh = Quantity("用电量", validators=[MinValueValidator(0)])
    emissions_t = Quantity("主要污染物排放量", validators=[MinValueValidator(0)])
    land_mu = Quantity("用地面积", validators=[MinValueValidator(0)])
    ip_class1 = models.BigIntegerField(
        "与主导产品相关的有效Ⅰ类知识产权数",
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    ip_class1_self = models.BigIntegerField(
        "其中自主研发Ⅰ类知识产权数", null=True, blank=True, validators=[MinValueValidator(0)]
    )
    ip_class1_high_value = models.BigIntegerField(
        "其中高价值Ⅰ类知识产权数", null=True, blank=True, validators=[MinValueValidator(0)]
    )
    ip_class2 = models.BigIntegerField(
        "有效Ⅱ类知识产权数", null=True, blank=True, validators=[MinValueValidator(0)]
    )
    segment_years = models.BigIntegerField(
        "从事特定细分市场年限", null=True, blank=True, validators=[MinValueValidator(0)]
    )
    market_share = Quantity(
        "主导产品细分市场占有率", validators=[MinValueValidator(0), MaxValueValidator(1)]
    )
    market_rank_domestic = models.BigIntegerField(
        "国内细分市场排名", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    market_rank_global = models.BigIntegerField(
        "全球细分市场排名", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    rd_institution_level = Choice("研发机构级别", "rd_institution_level")
    digital_level = models.BigIntegerField(
        "数字化水平评测等级",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(4)],
    )
    standards_led = models.BigIntegerField(
        "当年主导制定标准数", null=True, blank=True, validators=[MinValueValidator(0)]
    )
    tech_conversions = models.BigIntegerField(
        "当年科技成果转化数", null=True, blank=True, validators=[MinValueValidator(0)]
    )
    innovation_score = Quantity(
        "高企创新能力评价得分", validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    local_feature_score = Quantity(
        "地方特色指标得分", validators=[MinValueValidator(0), MaxValueValidator(15)]
    )
    quality_award_provincial = models.BooleanField("获得省级以上质量奖", null=True, blank=True)
    iso9001 = models.BooleanField("获得质量管理体系认证", null=True, blank=True)
    product_cert_developed = models.BooleanField(
        "产品通过发达国家和地区产品认证", null=True, blank=True
    )
    own_brand = models.BooleanField("拥有自主品牌", null=True, blank=True)
    standards_participated = models.BooleanField("参与制修订标准", null=True, blank=True)
    leading_product_field = Choice("主导产品所属领域", "leading_product_field")
    product_in_key_areas = models.BooleanField(
        "主导产品属于制造业核心基础领域", null=True, blank=True
    )
    key_chain_position = models.BooleanField("位于产业链关键环节", null=True, blank=True)
    core_business_info_system = models.BooleanField(
        "核心业务采用信息系统支撑", null=True, blank=True
    )
    specialization_dev_score = Quantity(
        "专精特新发展评价得分", validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    # issue 10 (policy library): 技改, 首台套, 亩均, 数字化服务券
    renovation_equipment_investment = MoneyField(
        "技术改造项目设备投资额（经审核）", null=True, blank=True
    )
    first_unit_sale_price = MoneyField("首台（套）产品销售单价", null=True, blank=True)
    first_unit_insurance_premium = MoneyField("首台（套）综合保险保费", null=True, blank=True)
    landuse_class = Choice("亩均效益综合评价类别", "landuse_class")
    digital_service_contract = MoneyField("数字化转型服务合同金额", null=True, blank=True)
    digital_provider_listed = models.BooleanField(
        "服务商列入本市数字化转型服务商名录", null=True, blank=True
    )

    class Meta:
        ordering = ["enterprise_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="annual_uscc_year")
        ]
        verbose_name = _("annual indicators")
        verbose_name_plural = _("annual indicators")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year}"

    @property
    def rd_intensity(self) -> Fraction | None:
        """研发费用 / 营业收入 as an exact fraction; None when unknown or revenue is zero."""
        return ratio(self.rd_expense, self.revenue)

    @property
    def is_above_scale(self) -> bool | None:
        """规上 / 限上 by the trade's statistical line (``core.scale``); None when unknown."""
        return scale.is_above_scale(
            self.enterprise.industry_code, main_revenue=self.main_revenue, revenue=self.revenue
        )


def ratio(numerator: Decimal | int | None, denominator: Decimal | int | None) -> Fraction | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return Fraction(Decimal(numerator)) / Fraction(Decimal(denominator))


def growth(current: Decimal | None, previous: Decimal | None) -> Fraction | None:
    """Year-on-year growth; None when either year is unknown or the base is not positive."""
    if current is None or previous is None or previous <= 0:
        return None
    return Fraction(Decimal(current)) / Fraction(Decimal(previous)) - 1


class Honour(Touches):
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="honours", db_column="uscc"
    )
    title = models.CharField(
        "称号",
        max_length=24,
        choices=[(c, contract.CHOICE_LABELS["title"][c]) for c in contract.HONOUR_TITLES],
    )
    granted_on = models.DateField("认定日期")
    valid_until = models.DateField("有效期至", null=True, blank=True)

    class Meta:
        ordering = ["enterprise_id", "granted_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "title", "granted_on"], name="honour_uscc_title_granted"
            )
        ]
        verbose_name = _("honour")
        verbose_name_plural = _("honours")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.title} {self.granted_on}"

    def valid_on(self, day: dt.date) -> bool:
        return self.granted_on <= day and (self.valid_until is None or day <= self.valid_until)


class Award(Touches):
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="awards", db_column="uscc"
    )
    year = models.IntegerField("年度")
    kind = models.CharField(
        "奖项类别",
        max_length=24,
        choices=[(c, contract.CHOICE_LABELS["kind"][c]) for c in contract.AWARD_KINDS],
    )
    rank = models.IntegerField("获奖单位排名或名次", validators=[MinValueValidator(1)])
    name = models.CharField("奖项名称", max_length=200, blank=True, default="")
    awarded_on = models.DateField("授奖日期", null=True, blank=True)

    class Meta:
        ordering = ["enterprise_id", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year", "kind", "rank"], name="award_uscc_year_kind_rank"
            )
        ]
        verbose_name = _("award")
        verbose_name_plural = _("awards")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year} {self.kind}"


#: Model and key columns for each contract table.
MODELS: dict[str, type[models.Model]] = {
    "enterprises": Enterprise,
    "annual": Annual,
    "honours": Honour,
    "awards": Award,
}


class ImportLog(models.Model):
    """What each import did: who, when, which file, counts, and the first errors."""

    table = models.CharField(_("table"), max_length=20)
    filename = models.CharField(_("file"), max_length=255)
    user = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("user")
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    rows_read = models.IntegerField(_("rows read"), default=0)
    created = models.IntegerField(_("created"), default=0)
    updated = models.IntegerField(_("updated"), default=0)
    error_count = models.IntegerField(_("errors"), default=0)
    written = models.BooleanField(_("written"), default=False)
    errors = models.JSONField(_("error report"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import log")
        verbose_name_plural = _("import logs")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.table} {self.filename}"

    @classmethod
    def record(cls, report: Any, user: Any) -> ImportLog:
        return cls.objects.create(
            table=report.table,
            filename=report.filename[:255],
            user=user if getattr(user, "is_authenticated", False) else None,
            rows_read=report.rows_read,
            created=report.created,
            updated=report.updated,
            error_count=report.error_count,
            written=report.written,
            errors=[e.as_dict() for e in report.errors[:1000]],
        )


class CreditListing(models.Model):
    """One entry of a credit list (严重失信, 经营异常, 重大事故, 行政处罚) as imported.

    The register is what approval and every payment run check "as of that moment"
    (``enterprises.credit``): a case of a listed enterprise is held, never paid. Entries are
    keyed by (USCC, kind, listing date, source), so importing the same list again updates
    them (a removal date, a corrected name) instead of doubling them. The USCC is kept as
    text: a list names firms the registry may not hold yet.
    """

    class Kind(models.TextChoices):
        SERIOUS_DISHONEST = "serious_dishonest", _("serious dishonesty list (严重失信)")
        ABNORMAL_OPERATION = "abnormal_operation", _("abnormal operations list (经营异常)")
        MAJOR_INCIDENT = "major_incident", _("major safety, quality or environmental incident")
        ADMINISTRATIVE_PENALTY = "administrative_penalty", _("administrative penalty (行政处罚)")

    uscc = models.CharField(_("USCC"), max_length=18, db_index=True)
    name = models.CharField(_("name on the list"), max_length=200, blank=True)
    kind = models.CharField(_("list"), max_length=24, choices=Kind.choices)
    listed_on = models.DateField(_("on the list since"))
    removed_on = models.DateField(_("off the list since"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200)
    reference = models.CharField(_("document number"), max_length=100, blank=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)

    class Meta:
        ordering = ["uscc", "-listed_on"]
        verbose_name = _("credit listing")
        verbose_name_plural = _("credit listings")
        constraints = [
            models.UniqueConstraint(
                fields=["uscc", "kind", "listed_on", "source"], name="credit_listing_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.uscc} {self.get_kind_display()} {self.listed_on}"
