"""政策找企业 / 免申即享: the policy library, match runs, cases, reviews, money and audit.

A **case** (享受事项) is one enterprise's claim on one policy for one budget year; the unique
key (enterprise, policy, year) is what makes paying twice for the same item impossible. A
one-off award (``Policy.once_per``) is keyed by its trigger instead (enterprise, policy,
``trigger_key``): the same 小巨人 grant evaluated in three years is one case.
Its state moves only through ``workflow.TRANSITIONS`` by ``services``; each move writes an
append-only, hash-chained ``AuditEvent``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lianzhang.audit.models import ChainedEvent
from lianzhang.storage.fields import MoneyField

from .workflow import Mode, State


class Policy(models.Model):
    """A policy file loaded into the platform; ``source`` is the YAML it came from."""

    code = models.CharField(_("policy id"), max_length=80, unique=True)
    family = models.CharField(_("family"), max_length=80, blank=True, default="")
    title = models.CharField(_("title"), max_length=200)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True, default="")
    document_number = models.CharField(_("document number"), max_length=100, blank=True, default="")
    source_url = models.URLField(_("source"), max_length=500, blank=True, default="")
    mode = models.CharField(_("delivery mode"), max_length=20, choices=Mode.choices)
    confidence = models.CharField(_("confidence"), max_length=20, default="high")
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    #: ``ranking`` (highest score first until the budget runs out) or ``pro_rata``.
    allocation = models.CharField(
        _("allocation when over budget"), max_length=20, default="ranking"
    )
    no_stack_with = models.JSONField(_("does not stack with"), default=list, blank=True)
    #: 就高不重复 across budget years: a grant of a no-stack policy within this many years
    #: (1: the same year only) blocks this one
    no_stack_years = models.PositiveSmallIntegerField(_("no-stacking span (years)"), default=1)
    #: what a one-off award pays for (the file's ``once_per``): ``title_grant:little_giant``
    #: or ``date:above_scale_included_on``; empty: once per budget year
    once_per = models.CharField(_("paid once per"), max_length=80, blank=True, default="")
    #: 公示 before payment, in working days (0: the policy pays without one). No source
    #: fixes the length for 奖补 lists, so each bureau sets it per policy.
    publicity_days = models.PositiveSmallIntegerField(_("publicity (working days)"), default=0)
    #: 联审: the departments that must sign off before approval, each with what it checks:
    #: ``[{"department": "jr-tax", "fields": ["tax_paid"], "note": "纳税信用与税收"}]``
    joint_review = models.JSONField(_("joint review"), default=list, blank=True)
    joint_review_days = models.PositiveSmallIntegerField(
        _("joint review time limit (working days)"), default=5
    )
    #: 市区分担: ``{"city": "1/2", "district": "1/2", "by_district": {"高新区": {...}}}`` as
    #: fractions summing to 1; empty: the city pays everything
    cost_shares = models.JSONField(_("cost sharing"), default=dict, blank=True)
    #: 追回 after a later credit listing is proposed within this many years of payment
    #: (0: no window). No source fixes it; each bureau sets it per policy.
    clawback_years = models.PositiveSmallIntegerField(_("clawback window (years)"), default=0)
    source = models.TextField(_("policy file"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")

    def __str__(self) -> str:
        return f"{self.title}（{self.code}）"

    @property
    def automatic_grant_allowed(self) -> bool:
        """Unverified criteria never pay out without an application and a review."""
        return self.mode == Mode.AUTOMATIC and self.confidence != "unverified"


class ParameterChange(models.Model):
    """A new dated value of a policy parameter; takes effect only once a reviewer approves."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending review")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="changes")
    name = models.CharField(_("parameter"), max_length=80)
    effective_from = models.DateField(_("effective from"))
    value = models.CharField(_("value"), max_length=100)
    reason = models.TextField(_("reason"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["policy", "name", "effective_from", "proposed_at"]


class Budget(models.Model):
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="budgets")
    year = models.IntegerField(_("year"))
    amount = MoneyField(_("budget"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["policy", "year"], name="budget_once")]


class SourceBudget(models.Model):
    """A policy-year's budget held by one funding source (``city`` or ``district:<name>``)."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="source_budgets")
    year = models.IntegerField(_("year"))
    source = models.CharField(_("funding source"), max_length=60)
    amount = MoneyField(_("budget"))

    class Meta:
        ordering = ["policy", "year", "source"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "year", "source"], name="source_budget_once")
        ]


class MatchRun(models.Model):
    """One evaluation of the active library over the registry, reproducible from its manifest."""

    as_of = models.DateField(_("as of"))
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: policy versions and parameter values used, data snapshot time, engine version
    manifest = models.JSONField(default=dict)
    enterprises = models.IntegerField(default=0)
    eligible = models.IntegerField(default=0)

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled by a user")

    #: a run started from a page runs in the background (``policies.background``); pages
    #: and queries read finished runs only (``finished_at`` set), so a half-stored run is
    #: never shown
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=24, blank=True, default="")
    done = models.IntegerField(default=0)
    total = models.IntegerField(default=0)
    error = models.TextField(blank=True, default="")
    cancel_requested = models.BooleanField(default=False)
    #: open cases for the eligible matches (and tell the enterprises) once stored
    open_cases = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at"]


class Match(models.Model):
    class Verdict(models.TextChoices):
        ELIGIBLE = "eligible", _("eligible")
        UNDETERMINED = "undetermined", _("undetermined")
        INELIGIBLE = "ineligible", _("ineligible")

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="matches")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="matches", db_column="uscc"
    )
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="matches")
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    score = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    award = MoneyField(null=True, blank=True)
    #: per criterion: id, label, passed, value, threshold, margin, clause, reason
    criteria = models.JSONField(default=list)
    failed = models.IntegerField(default=0)
    near_miss = models.BooleanField(default=False)
    #: the verdict rests on a manual or unverified clause (``rules.review``): 须人工审核,
    #: never counted as entitled, never granted without a reviewer
    needs_review = models.BooleanField(_("needs review"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "enterprise", "policy"], name="match_once")
        ]
        indexes = [models.Index(fields=["run", "policy", "verdict"])]


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, user: Any) -> models.QuerySet[Case]:
        """The cases ``user`` may see: those of the enterprises ``accounts.access`` grants."""
        from lianzhang.accounts import access

        return self.filter(enterprise__in=access.enterprises_for(user, "view"))


class Case(models.Model):
    """One enterprise's claim on one policy for one budget year."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="cases", db_column="uscc"
    )
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="cases")
    year = models.IntegerField(_("budget year"))
    #: what the case pays for when the policy pays once per event (``Policy.once_per``):
    #: ``little_giant@2025-07-01``; empty: the case is the policy's claim for ``year``
    trigger_key = models.CharField(_("trigger"), max_length=120, blank=True, default="")
    state = models.CharField(_("state"), max_length=24, choices=State.choices)
    #: bumped on every transition: a decision made on a stale version loses (optimistic lock)
    version = models.IntegerField(default=0)
    match = models.ForeignKey(
        Match, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    eligible_at = models.DateTimeField(null=True, blank=True)
    award_computed = MoneyField(_("award by formula"), null=True, blank=True)
    award_granted = MoneyField(_("award granted"), null=True, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=64, blank=True, default="")
    #: the account holder's name (收款人名称); empty: the enterprise's registered name. A
    #: payment run holds a case whose payee differs from the registered name then
    payee_name = models.CharField(_("payee name"), max_length=200, blank=True, default="")
    bank_name = models.CharField(_("bank (开户行)"), max_length=100, blank=True, default="")
    #: why a payee other than the registered name is accepted (a documented exception)
    payee_exception = models.TextField(_("payee exception"), blank=True, default="")
    application = models.JSONField(_("application"), default=dict, blank=True)
    prereview = models.JSONField(_("automatic pre-review"), default=dict, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    decision_reason = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "policy", "year"],
                condition=models.Q(trigger_key=""),
                name="case_once",
            ),
            # a one-off award: one case per event, whatever the budget year
            models.UniqueConstraint(
                fields=["enterprise", "policy", "trigger_key"],
                condition=~models.Q(trigger_key=""),
                name="case_once_per_trigger",
            ),
        ]
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.policy.code} {self.year} {self.state}"


class Review(models.Model):
    """A reviewer's conflict-of-interest declaration and decision on a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    conflict = models.BooleanField(_("conflict of interest"))
    statement = models.TextField(_("declaration"), blank=True, default="")
    decision = models.CharField(max_length=20, blank=True, default="")
    reason = models.TextField(blank=True, default="")
    at = models.DateTimeField(auto_now_add=True)


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=200)
    file = models.FileField(upload_to="attachments/%Y/")
    uploaded_at = models.DateTimeField(auto_now_add=True)


class PaymentRun(models.Model):
    """A batch of payment orders; re-running an interrupted batch never pays twice."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="payment_runs")
    year = models.IntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)


class PaymentOrder(models.Model):
    class Status(models.TextChoices):
        ORDERED = "ordered", _("ordered")
        PAID = "paid", _("paid")
        RETURNED = "returned", _("returned")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="payments")
    run = models.ForeignKey(
        PaymentRun, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    amount = MoneyField(_("amount"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ORDERED)
    bank_account = models.CharField(max_length=64)
    #: the payee and bank as sent to the treasury (a later change of the case keeps these)
    payee_name = models.CharField(max_length=200, blank=True, default="")
    bank_name = models.CharField(max_length=100, blank=True, default="")
    #: the amount by funding source as ordered (``services.funding.split``): a later change
    #: of the policy's cost sharing leaves what was ordered as it was
    shares = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            # at most one live (ordered or paid) order per case: the second one cannot exist
            models.UniqueConstraint(
                fields=["case"], condition=~models.Q(status="returned"), name="one_live_order"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="order_positive"),
        ]

    @property
    def reference(self) -> str:
        """The business reference the treasury file carries and the bank returns."""
        return f"LZ{self.pk:08d}"


class Publicity(models.Model):
    """One 公示 of a policy-year's approved cases: the public may object until it ends.

    The list runs ``days`` working days from ``starts_on`` to ``ends_on`` (inclusive); a
    payment run orders a case of a policy that asks for 公示 only after its list ended
    with no objection left open (``services.publicity``).
    """

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="publicities")
    year = models.IntegerField(_("budget year"))
    starts_on = models.DateField(_("published from"))
    ends_on = models.DateField(_("published until"))
    days = models.PositiveSmallIntegerField(_("publicity working days"))
    cases = models.ManyToManyField(Case, related_name="publicities")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]


class Objection(models.Model):
    """An objection anyone filed on a public 公示 list, with contact details.

    It holds the case's payment until a reviewer resolves it with a reason; an upheld
    objection holds the case itself (back to review).
    """

    publicity = models.ForeignKey(Publicity, on_delete=models.PROTECT, related_name="objections")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="objections")
    name = models.CharField(_("objector"), max_length=100)
    contact = models.CharField(_("objector's phone or e-mail"), max_length=100)
    text = models.TextField(_("objection"), max_length=2000)
    filed_at = models.DateTimeField(_("objection filed at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("objection resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    upheld = models.BooleanField(_("objection upheld"), null=True, blank=True)
    resolution = models.TextField(_("answer to the objection"), blank=True, default="")

    class Meta:
        ordering = ["-filed_at"]


class ReviewTask(models.Model):
    """One department's sign-off on a case under 联审, with a deadline in working days.

    The case is approved only when every department's task has passed; a refusal rejects
    it with the department's reason (``services.joint_review``).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting the department")
        PASSED = "passed", _("passed")
        REFUSED = "refused", _("refused")
        WITHDRAWN = "withdrawn", _("withdrawn")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="review_tasks")
    department = models.ForeignKey(
        "appeals.Department", on_delete=models.PROTECT, related_name="review_tasks"
    )
    #: the data-contract fields the department checks: all it is shown of the case
    fields = models.JSONField(default=list, blank=True)
    note = models.CharField(_("what to check"), max_length=200, blank=True, default="")
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    reason = models.TextField(_("department's reason"), blank=True, default="")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "department"],
                condition=models.Q(status="pending"),
                name="one_open_task_per_department",
            )
        ]


class Recovery(models.Model):
    """追回: what a revoked case must pay back, by when, and what came back.

    The ledger books it as a negative entry; the enterprise is flagged while any
    recovery of it exists, and its next automatic grants wait for a reviewer.
    """

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="recovery")
    amount = MoneyField(_("to recover"))
    reason = models.TextField(_("reason for clawback"))
    due_on = models.DateField(_("repay by"))
    recovered = MoneyField(_("recovered"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(_("recovered in full at"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="recovery_positive"),
            models.CheckConstraint(
                condition=models.Q(recovered__gte=0) & models.Q(recovered__lte=models.F("amount")),
                name="recovered_within_amount",
            ),
        ]


class Notice(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    text = models.TextField()
    link = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class AuditEvent(ChainedEvent):
    """Append-only: rows are never updated or deleted by the application.

    Numbered and hash-chained by ``lianzhang.audit`` (each event carries the hash of the
    previous one), so an edit or a deletion made behind the application's back (in the
    database directly) fails ``services.verify_audit``.
    """

    at = models.DateTimeField(auto_now_add=True)
    actor = models.CharField(max_length=150)
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64)
    from_state = models.CharField(max_length=24, blank=True, default="")
    to_state = models.CharField(max_length=24, blank=True, default="")
    reason = models.TextField(blank=True, default="")
    data = models.JSONField(default=dict, blank=True)

    chain_fields = (
        "actor",
        "action",
        "object_type",
        "object_id",
        "from_state",
        "to_state",
        "reason",
        "data",
    )

    class Meta:
        ordering = ["id"]
