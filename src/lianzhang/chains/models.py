"""Chains (产业链), their node trees, enterprise links, supply relations, outside companies.

A chain is a tree: three segment nodes (上游 / 中游 / 下游) under the chain, product,
component, material, equipment or service nodes under the segments, and optional finer
nodes below those. Each node names the GB/T 4754-2017 classes and the 战略性新兴产业分类
(2018) categories it corresponds to, and keywords for matching enterprises' products.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lianzhang.enterprises.models import Enterprise
from lianzhang.storage.fields import MoneyField


class Segment(models.TextChoices):
    UPSTREAM = "upstream", _("Upstream")
    MIDSTREAM = "midstream", _("Midstream")
    DOWNSTREAM = "downstream", _("Downstream")


class Kind(models.TextChoices):
    SEGMENT = "segment", _("Segment")
    PRODUCT = "product", _("Product")
    COMPONENT = "component", _("Component")
    MATERIAL = "material", _("Material")
    EQUIPMENT = "equipment", _("Equipment")
    SERVICE = "service", _("Service")


class LinkStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class Chain(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True, default="")
    group = models.CharField(_("industry group"), max_length=60, blank=True, default="")
    description = models.TextField(_("description"), blank=True, default="")
    order = models.IntegerField(_("order"), default=0)
    source = models.CharField(_("source"), max_length=40, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("chain")
        verbose_name_plural = _("chains")

    def __str__(self) -> str:
        return self.name


class Node(models.Model):
    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    code = models.SlugField(_("code"), max_length=80)
    name = models.CharField(_("name"), max_length=100)
    segment = models.CharField(_("segment"), max_length=12, choices=Segment.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    order = models.IntegerField(_("order"), default=0)
    #: GB/T 4754-2017 codes (4-digit 小类) this node corresponds to.
    gbt_codes = models.JSONField(_("GB/T 4754 codes"), default=list, blank=True)
    #: 战略性新兴产业分类（2018） category codes, e.g. "1.2.4".
    sei_codes = models.JSONField(_("SEI categories"), default=list, blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)

    class Meta:
        ordering = ["chain", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "code"], name="chains_node_chain_code")
        ]
        verbose_name = _("chain node")
        verbose_name_plural = _("chain nodes")

    def __str__(self) -> str:
        return f"{self.chain.name} / {self.name}"


class EnterpriseLink(models.Model):
    """An enterprise placed on a node: proposed by the linker, decided by an analyst."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="chain_links", db_column="uscc"
    )
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="links")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=LinkStatus.choices,
        default=LinkStatus.CANDIDATE,
        db_index=True,
    )
    confidence = models.FloatField(_("confidence"), default=0.0)
    #: [{"kind": "keyword"|"industry"|"sei"|"tokens"|"manual", "text": ..., "term": ...}]
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    method = models.CharField(_("method"), max_length=20, default="auto")
    decided_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["node", "-confidence"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "node"], name="chains_link_uscc_node")
        ]
        verbose_name = _("enterprise link")
        verbose_name_plural = _("enterprise links")

    def __str__(self) -> str:
        return f"{self.enterprise_id} → {self.node_id} ({self.status})"


class SupplyRelation(models.Model):
    """One purchase: a local buyer bought ``product`` for ``amount`` from a supplier.

    The supplier is local when it is in the registry (``supplier`` set); otherwise only
    its name and region are known.
    """

    buyer = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="purchases", db_column="buyer_uscc"
    )
    supplier = models.ForeignKey(
        Enterprise,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sales",
        db_column="supplier_uscc",
    )
    supplier_name = models.CharField(_("supplier"), max_length=200)
    supplier_region = models.CharField(_("supplier region"), max_length=60, blank=True, default="")
    product = models.CharField(_("product"), max_length=200, blank=True, default="")
    node = models.ForeignKey(
        Node, null=True, blank=True, on_delete=models.SET_NULL, related_name="supplies"
    )
    amount = MoneyField(_("amount"))
    year = models.IntegerField(_("year"), db_index=True)

    class Meta:
        ordering = ["year", "buyer_id"]
        verbose_name = _("supply relation")
        verbose_name_plural = _("supply relations")

    def __str__(self) -> str:
        return f"{self.year} {self.supplier_name} → {self.buyer_id} {self.amount}"


class OutsideCompany(models.Model):
    """A company outside the region, with its products: the pool for 招商 targets."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    full_name = models.CharField(_("full name"), max_length=300, blank=True, default="")
    region = models.CharField(_("region"), max_length=60, blank=True, default="")
    listed = models.BooleanField(_("listed"), null=True, blank=True)
    revenue = MoneyField(_("revenue"), null=True, blank=True)
    #: [{"name": "三元正极材料", "share": 0.78}]; share is a fraction of revenue or null.
    products = models.JSONField(_("products"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=60, blank=True, default="")

    class Meta:
        ordering = ["code"]
        verbose_name = _("outside company")
        verbose_name_plural = _("outside companies")

    def __str__(self) -> str:
        return self.name


class Listing(models.Model):
    """A listed enterprise (上市企业): the register behind the "listed" tier count.

    A complete register once imported: an enterprise with no row is not listed. While the
    table is empty, whether an enterprise is listed is unknown.
    """

    enterprise = models.OneToOneField(
        Enterprise,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="listing",
        db_column="uscc",
    )
    stock_code = models.CharField(_("stock code"), max_length=20)
    exchange = models.CharField(_("exchange"), max_length=40, blank=True, default="")
    listed_on = models.DateField(_("listed on"), null=True, blank=True)

    class Meta:
        ordering = ["stock_code"]
        verbose_name = _("listing")
        verbose_name_plural = _("listings")

    def __str__(self) -> str:
        return f"{self.stock_code} {self.enterprise_id}"


class RegionValue(models.Model):
    """One cell of an imported region × industry (or product) table, for relatedness.

    ``dataset`` names the table (e.g. ``districts-2024``); ``value`` is output, revenue,
    exports or employment, whatever the table measures, the same unit throughout.
    """

    dataset = models.SlugField(_("dataset"), max_length=60)
    region = models.CharField(_("region"), max_length=100)
    industry = models.CharField(_("industry"), max_length=100)
    value = models.DecimalField(_("value"), max_digits=24, decimal_places=4)

    class Meta:
        ordering = ["dataset", "region", "industry"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "region", "industry"], name="chains_regionvalue_cell"
            )
        ]
        verbose_name = _("region × industry value")
        verbose_name_plural = _("region × industry values")

    def __str__(self) -> str:
        return f"{self.dataset}: {self.region} × {self.industry} = {self.value}"
