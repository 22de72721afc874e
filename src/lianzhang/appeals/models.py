"""Enterprise appeals (诉求): intake, routing to handlers in parallel, SLA, call-back.

An appeal is dispatched to one or more departments; each ``Assignment`` has its own status.
Every state change is an ``Event`` (who, when, why): the metrics are counted from events.
Writes go through ``services``; scoped reads through ``Appeal.objects.visible_to(user)``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from lianzhang.audit.models import ChainedEvent


class Channel(models.TextChoices):
    WEB = "web", _("Filed online by the enterprise")
    DIRECTOR = "director", _("Bureau director's office hours")
    CHAIN_LEADER = "chain_leader", _("Chain leader's reception")
    VISIT = "visit", _("Enterprise visit")
    PHONE = "phone", _("Telephone")
    WECHAT = "wechat", _("WeChat group")
    HOTLINE = "hotline", _("12345 hotline import")


class Category(models.TextChoices):
    CONSULT = "consult", _("Consultation")
    HELP = "help", _("Request for help")
    SUGGESTION = "suggestion", _("Suggestion")
    COMPLAINT = "complaint", _("Complaint")


class Level(models.TextChoices):
    DISTRICT = "district", _("District level")
    CITY = "city", _("City level")
    LEADER = "leader", _("City leaders")


class AppealStatus(models.TextChoices):
    OPEN = "open", _("In progress")
    CLOSED = "closed", _("Closed with an answer")
    ESCALATED = "escalated", _("Escalated, awaiting dispatch")
    MERGED = "merged", _("Merged into another appeal")


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting response")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Not for this unit")
    DONE = "done", _("Completed")
    OVERDUE = "overdue", _("Overdue")
    HANDED_UP = "handed_up", _("Handed up by escalation")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    MOSTLY = "mostly", _("Mostly satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class Unit(models.TextChoices):
    WORKDAYS = "workdays", _("working days")
    HOURS = "hours", _("working hours")


class Department(models.Model):
    """A unit that handles appeals: a district office, a city bureau, the city leaders."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("unit name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    district = models.CharField(_("district"), max_length=40, blank=True, default="")

    class Meta:
        ordering = ["level", "district", "code"]

    def __str__(self) -> str:
        return self.name


class Handler(models.Model):
    """A user who handles the appeals assigned to a department."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appeal_handler"
    )
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="handlers")

    def __str__(self) -> str:
        return f"{self.user} @ {self.department}"


class Route(models.Model):
    """Routing table: subject (and district, blank = any) at a level → a department."""

    subject = models.CharField(_("subject"), max_length=40)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    district = models.CharField(_("district"), max_length=40, blank=True, default="")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="routes")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "level", "district", "department"], name="route_unique"
            )
        ]


class SlaProfile(models.Model):
    """Deadlines as data: per category and district (blank = any); the most specific wins."""

    name = models.CharField(_("profile name"), max_length=100)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, blank=True, default=""
    )
    district = models.CharField(_("district"), max_length=40, blank=True, default="")
    response = models.PositiveIntegerField(_("response time"))
    response_unit = models.CharField(max_length=10, choices=Unit.choices, default="workdays")
    resolution = models.PositiveIntegerField(_("resolution time"))
    resolution_unit = models.CharField(max_length=10, choices=Unit.choices, default="workdays")
    max_extension = models.PositiveIntegerField(_("longest extension (working days)"), default=0)
    remind_before = models.PositiveIntegerField(
        _("reminder before expiry (working days)"), default=1
    )
    notify_after = models.PositiveIntegerField(
        _("public notice after expiry (working days)"), default=5
    )
    callback_percent = models.PositiveSmallIntegerField(
        _("share of closed appeals called back (%)"),
        default=100,
        validators=[MaxValueValidator(100)],
    )

    def __str__(self) -> str:
        return self.name


class AppealQuerySet(models.QuerySet["Appeal"]):
    def visible_to(self, user: Any) -> models.QuerySet[Appeal]:
        from lianzhang.accounts import access

        found: models.QuerySet[Appeal] = access.appeals_for(user, self)
        return found


class Appeal(models.Model):
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="appeals"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    subject = models.CharField(_("subject"), max_length=40)
    title = models.CharField(_("appeal title"), max_length=200)
    text = models.TextField(_("appeal text"))
    chain_code = models.CharField(_("chain"), max_length=40, blank=True, default="")
    district = models.CharField(_("district"), max_length=40)
    level = models.CharField(max_length=10, choices=Level.choices, default="district")
    status = models.CharField(
        _("status"), max_length=20, choices=AppealStatus.choices, default="open"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    external_id = models.CharField(max_length=60, blank=True, default="")
    received_at = models.DateTimeField(_("received at"))
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    overdue = models.BooleanField(_("overdue"), default=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    callback_due = models.DateField(null=True, blank=True)
    rating = models.CharField(
        _("rating"), max_length=20, choices=Rating.choices, blank=True, default=""
    )
    reopen_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AppealQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["enterprise", "received_at"])]

    def __str__(self) -> str:
        return self.title


class Assignment(models.Model):
    """One department's share of an appeal, with its own status and deadlines."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="assignments")
    status = models.CharField(
        _("status"), max_length=20, choices=AssignmentStatus.choices, default="pending"
    )
    reason = models.TextField(_("reason"), blank=True, default="")
    assigned_at = models.DateTimeField()
    response_due = models.DateTimeField(_("response due"))
    resolution_due = models.DateTimeField(_("resolution due"))
    extension_days = models.PositiveIntegerField(default=0)
    answer = models.TextField(_("answer"), blank=True, default="")
    evidence = models.TextField(_("evidence"), blank=True, default="")
    reminded_at = models.DateTimeField(null=True, blank=True)
    chased_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["appeal", "id"]

    def __str__(self) -> str:
        return f"{self.appeal_id} → {self.department}"

    @property
    def is_open(self) -> bool:
        return self.status in (
            AssignmentStatus.PENDING,
            AssignmentStatus.ACCEPTED,
            AssignmentStatus.OVERDUE,
        )


class Attachment(models.Model):
    """A file filed with an appeal or added while it is handled (evidence, a reply letter)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="appeals/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.name


class EventKind(models.TextChoices):
    FILED = "filed", _("filed")
    MERGED = "merged", _("merged as a duplicate")
    DISPATCHED = "dispatched", _("dispatched")
    ACCEPTED = "accepted", _("accepted by the unit")
    REFUSED = "refused", _("refused: not for this unit")
    EXTENDED = "extended", _("deadline extended")
    DONE = "done", _("completed by the unit")
    CLOSED = "closed", _("appeal closed")
    ESCALATED = "escalated", _("escalated")
    CALLBACK = "callback", _("call-back")
    REOPENED = "reopened", _("reopened for redoing")
    REMINDED = "reminded", _("reminder before expiry")
    CHASED = "chased", _("chased at expiry")
    NOTIFIED = "notified", _("publicly notified")
    OVERDUE = "overdue", _("flagged overdue")
    ATTACHED = "attached", _("file attached")
    HANDED_UP = "handed_up", _("handed up to the higher level")


class Event(ChainedEvent):
    """Every state change: the appeal (and assignment), who, when, why.

    Numbered and hash-chained by ``lianzhang.audit`` (written by ``services.record`` only).
    """

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True, default="")
    at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)

    chain_fields = ("appeal_id", "assignment_id", "kind", "actor_id", "reason", "at", "data")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["kind", "at"])]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"
