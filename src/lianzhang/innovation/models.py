"""Records of 技术需求清单, capabilities and results, platforms, 揭榜挂帅 and 成果转化.

Chains and nodes are referred to by loose keys (``chain_code``/``node_code``) so that this
app does not depend on the chain maps being built. Writes go through ``services``; scoped
reads through ``Demand.objects.visible_to(user)``, ``Challenge.objects.visible_to(user)`` and
``Provider.objects.postable_by(user)``, which ask ``accounts.access``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lianzhang.audit.models import ChainedEvent
from lianzhang.storage.fields import MoneyField


class Cooperation(models.TextChoices):
    LONG_TERM = "long_term", _("long-term cooperation")
    CONTRACT = "contract", _("short-term contract R&D")
    LICENCE = "licence", _("licensing or purchase of a result")
    ANY = "any", _("open to any mode")


class DemandStatus(models.TextChoices):
    PUBLISHED = "published", _("published")
    MATCHED = "matched", _("matched")
    CLOSED = "closed", _("closed")


class DemandQuerySet(models.QuerySet["Demand"]):
    def visible_to(self, user: Any) -> models.QuerySet[Demand]:
        """The demands ``user`` may see, as ``accounts.access.demands_for`` decides."""
        from lianzhang.accounts import access

        found: models.QuerySet[Demand] = access.demands_for(user, self)
        return found


class Demand(models.Model):
    """技术需求: a problem an enterprise wants solved."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="tech_demands"
    )
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem statement"))
    indicators = models.TextField(_("indicators to reach"), blank=True, default="")
    chain_code = models.CharField(_("chain"), max_length=40, blank=True, default="")
    node_code = models.CharField(_("chain node"), max_length=80, blank=True, default="")
    industry_code = models.CharField(_("industry code"), max_length=4, blank=True, default="")
    region = models.CharField(_("district"), max_length=40, blank=True, default="")
    budget = MoneyField(_("budget (yuan)"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    cooperation = models.CharField(
        _("cooperation mode"), max_length=20, choices=Cooperation.choices, default="any"
    )
    min_trl = models.PositiveSmallIntegerField(
        _("minimum maturity (TRL)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
    )
    status = models.CharField(
        _("status"), max_length=20, choices=DemandStatus.choices, default="published"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DemandQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="demand_budget_nonnegative"),
            models.CheckConstraint(
                condition=Q(min_trl__isnull=True) | Q(min_trl__gte=1, min_trl__lte=9),
                name="demand_trl_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def text(self) -> str:
        return f"{self.title} {self.problem} {self.indicators}"


class ProviderKind(models.TextChoices):
    UNIVERSITY = "university", _("university")
    INSTITUTE = "institute", _("research institute")
    ENTERPRISE = "enterprise", _("enterprise")
    EXPERT = "expert", _("expert")


class ProviderQuerySet(models.QuerySet["Provider"]):
    def postable_by(self, user: Any) -> models.QuerySet[Provider]:
        """The providers ``user`` may post capabilities, results and bids for
        (``accounts.access.providers_for``)."""
        from lianzhang.accounts import access

        found: models.QuerySet[Provider] = access.providers_for(user, self)
        return found


class Provider(models.Model):
    """Who can answer: a university, institute, enterprise or individual expert."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ProviderKind.choices)
    region = models.CharField(_("district or city"), max_length=40, blank=True, default="")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", null=True, blank=True, on_delete=models.SET_NULL
    )
    contact = models.CharField(_("contact"), max_length=200, blank=True, default="")

    objects = ProviderQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CapabilityKind(models.TextChoices):
    CAPABILITY = "capability", _("capability")
    RESULT = "result", _("result (成果)")
    EXPERTISE = "expertise", _("expert's field")


class Capability(models.Model):
    """A capability or a result (成果) of a provider."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="capabilities")
    kind = models.CharField(_("kind"), max_length=20, choices=CapabilityKind.choices)
    title = models.CharField(_("title"), max_length=200)
    field = models.CharField(_("field"), max_length=200, blank=True, default="")
    description = models.TextField(_("description"), blank=True, default="")
    patents = models.TextField(_("patents"), blank=True, default="")
    trl = models.PositiveSmallIntegerField(
        _("maturity (TRL 1–9)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
    )
    pilot_platform = models.CharField(
        _("pilot-scale platform"), max_length=200, blank=True, default=""
    )
    chain_code = models.CharField(_("chain"), max_length=40, blank=True, default="")
    node_code = models.CharField(_("chain node"), max_length=80, blank=True, default="")
    industry_code = models.CharField(_("industry code"), max_length=4, blank=True, default="")
    price = MoneyField(_("asking price (yuan)"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "capabilities"
        constraints = [
            models.CheckConstraint(
                condition=Q(trl__isnull=True) | Q(trl__gte=1, trl__lte=9),
                name="capability_trl_range",
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="capability_price_nonneg"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def text(self) -> str:
        return f"{self.title} {self.field} {self.description} {self.patents}"


class PlatformKind(models.TextChoices):
    POC = "poc", _("concept verification centre (概念验证中心)")
    PILOT = "pilot", _("pilot-scale base (中试基地)")


class Platform(models.Model):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=PlatformKind.choices)
    region = models.CharField(_("district"), max_length=40, blank=True, default="")
    services = models.TextField(_("services"), blank=True, default="")
    chain_code = models.CharField(_("chain"), max_length=40, blank=True, default="")
    industry_code = models.CharField(_("industry code"), max_length=4, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MatchMark(models.Model):
    """An analyst's good/bad mark on a match; it feeds later rankings and the eval set."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="marks")
    target = models.CharField(max_length=40)  # "capability:12" or "platform:3"
    good = models.BooleanField()
    note = models.CharField(max_length=500, blank=True, default="")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["demand", "target", "by"], name="one_mark_per_user")
        ]


# -- 揭榜挂帅 ------------------------------------------------------------------------------


class ChallengeMode(models.TextChoices):
    DEMAND = "demand", _("enterprise sets the question (揭榜挂帅)")
    RESULT = "result", _("two-way: a result seeks takers")


class ChallengeStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    REVIEWING = "reviewing", _("under expert review")
    AWARDED = "awarded", _("awarded, in progress")
    ACCEPTED = "accepted", _("accepted (验收通过)")
    FAILED = "failed", _("failed acceptance")
    CANCELLED = "cancelled", _("cancelled")


class ChallengeQuerySet(models.QuerySet["Challenge"]):
    def visible_to(self, user: Any) -> models.QuerySet[Challenge]:
        """The challenges ``user`` may see (``accounts.access.challenges_for``)."""
        from lianzhang.accounts import access

        found: models.QuerySet[Challenge] = access.challenges_for(user, self)
        return found


class Challenge(models.Model):
    mode = models.CharField(max_length=10, choices=ChallengeMode.choices, default="demand")
    title = models.CharField(_("title"), max_length=200)
    goal = models.TextField(_("goal"))
    indicators = models.TextField(_("indicators"), blank=True, default="")
    award = MoneyField(_("award (yuan)"))
    deadline = models.DateField(_("application deadline"))
    eligible_kinds = models.JSONField(_("eligible bidder kinds"), default=list)
    eligibility = models.TextField(_("eligibility of bidders"), blank=True, default="")
    demand = models.ForeignKey(Demand, null=True, blank=True, on_delete=models.PROTECT)
    result = models.ForeignKey(Capability, null=True, blank=True, on_delete=models.PROTECT)
    poster = models.ForeignKey(
        "enterprises.Enterprise", null=True, blank=True, on_delete=models.PROTECT
    )
    status = models.CharField(max_length=12, choices=ChallengeStatus.choices, default="draft")
    winner = models.ForeignKey(
        "Application", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_on = models.DateField(null=True, blank=True)
    acceptance_note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(award__gte=0), name="challenge_award_nonneg"),
        ]

    def eligible_kind_labels(self) -> list[str]:
        """The eligible bidder kinds by their names (university, institute …), for pages."""
        names = dict(ProviderKind.choices)
        return [str(names.get(k, k)) for k in self.eligible_kinds]

    def __str__(self) -> str:
        return self.title


class Application(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="applications")
    provider = models.ForeignKey(Provider, null=True, blank=True, on_delete=models.PROTECT)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", null=True, blank=True, on_delete=models.PROTECT
    )
    plan = models.TextField(_("plan"))
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(provider__isnull=False) | Q(enterprise__isnull=False),
                name="application_has_applicant",
            ),
            models.UniqueConstraint(
                fields=["challenge", "provider"], name="one_application_per_provider"
            ),
            models.UniqueConstraint(
                fields=["challenge", "enterprise"], name="one_application_per_enterprise"
            ),
        ]

    @property
    def applicant(self) -> str:
        return str(self.provider or self.enterprise)


class Review(models.Model):
    """An expert's review; a declared conflict of interest means no score."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    conflict = models.BooleanField(_("conflict of interest"))
    conflict_note = models.CharField(max_length=500, blank=True, default="")
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    comment = models.TextField(blank=True, default="")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "expert"], name="one_review_per_expert"),
            models.CheckConstraint(
                condition=Q(conflict=False) | Q(score__isnull=True),
                name="conflicted_expert_cannot_score",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="score_0_100",
            ),
        ]


class MilestoneStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    DONE = "done", _("reached, confirmed")
    PAID = "paid", _("paid")


class Milestone(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="milestones")
    seq = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    due = models.DateField()
    amount = MoneyField(_("payment (yuan)"))
    status = models.CharField(max_length=10, choices=MilestoneStatus.choices, default="pending")
    reached_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["challenge", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "seq"], name="milestone_seq_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="milestone_amount_nonneg"),
        ]


class Payment(models.Model):
    milestone = models.OneToOneField(Milestone, on_delete=models.PROTECT, related_name="payment")
    amount = MoneyField()
    paid_on = models.DateField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")


# -- 成果转化 pipeline -----------------------------------------------------------------------


class Stage(models.TextChoices):
    SCREENING = "screening", _("screening (成果筛选)")
    POC = "poc", _("concept verification (概念验证)")
    PILOT = "pilot", _("pilot-scale maturation (中试熟化)")
    INCUBATION = "incubation", _("start-up incubation (创业孵化)")
    LICENSED = "licensed", _("licensed or sold")
    DROPPED = "dropped", _("dropped")


class StageEntry(models.Model):
    """A result entering a stage: when, who owns it (技术经理人), and how it ended."""

    result = models.ForeignKey(Capability, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(max_length=12, choices=Stage.choices)
    entered_on = models.DateField()
    owner = models.CharField(_("owner (technology manager)"), max_length=100, blank=True)
    outcome = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["result", "entered_on", "id"]


class Event(ChainedEvent):
    """Audit: who moved what from which state to which, when and why.

    Numbered and hash-chained by ``lianzhang.audit`` (written by ``services`` only).
    """

    kind = models.CharField(max_length=20)  # demand, challenge, milestone, result, mark
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=20, blank=True, default="")
    to_state = models.CharField(max_length=20, blank=True, default="")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True, default="")

    chain_fields = ("kind", "object_id", "action", "from_state", "to_state", "by_id", "reason")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["kind", "object_id"])]
