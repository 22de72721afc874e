"""What only this app holds: yearly targets per district and the listing pipeline."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from lianzhang.core.bounds import FIRST_YEAR, LAST_YEAR
from lianzhang.enterprises.models import Enterprise

from .ladder import LISTING_STAGES, TIERS


class Target(models.Model):
    """How many enterprises of a tier a district is to have at the end of a year (目标数)."""

    year = models.IntegerField(
        _("year"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    district = models.CharField(_("district"), max_length=40)
    tier = models.CharField(_("tier"), max_length=24, choices=[(t.code, t.zh) for t in TIERS])
    count = models.PositiveIntegerField(_("target"))

    class Meta:
        ordering = ["year", "district", "tier"]
        constraints = [
            models.UniqueConstraint(fields=["year", "district", "tier"], name="target_once")
        ]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return f"{self.year} {self.district} {self.tier} {self.count}"


class ListingCandidate(models.Model):
    """An enterprise on the listing pipeline (上市后备) and the stage it has reached."""

    enterprise = models.OneToOneField(
        Enterprise,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="listing_pipeline",
        db_column="uscc",
    )
    stage = models.CharField(
        _("stage"), max_length=16, choices=[(code, zh) for code, zh, _en in LISTING_STAGES]
    )
    board = models.CharField(_("board"), max_length=40, blank=True, default="")
    since = models.DateField(_("in this stage since"))
    note = models.CharField(_("note"), max_length=500, blank=True, default="")

    class Meta:
        ordering = ["enterprise_id"]
        verbose_name = _("listing candidate")
        verbose_name_plural = _("listing candidates")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.stage}"
