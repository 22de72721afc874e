"""The scheduler's sweep: reminders before expiry, 催办 at expiry, 通报 after a delay.

``sweep(now)`` is idempotent: each step is stamped on the assignment (``reminded_at``,
``chased_at``, ``notified_at``) or the appeal (``overdue``) and never repeated, so a cron
job may call ``lianzhang appeals sweep`` as often as it likes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from ..models import Appeal, AppealStatus, Assignment, AssignmentStatus, EventKind
from ._common import calendar, local, now_or, profile_for, record

OPEN = (AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED, AssignmentStatus.OVERDUE)


@dataclass
class SweepReport:
    reminded: int = 0
    chased: int = 0
    notified: int = 0
    overdue: int = 0

    def summary(self) -> str:
        return (
            f"提醒 {self.reminded}，催办 {self.chased}，通报 {self.notified}，"
            f"超期 {self.overdue} / "
            f"reminded {self.reminded}, chased {self.chased}, notified {self.notified}, "
            f"overdue {self.overdue}"
        )


@transaction.atomic
def sweep(now: dt.datetime | None = None) -> SweepReport:
    at = now_or(now)
    c, today = calendar(), local(now_or(now)).date()
    report = SweepReport()
    live = Assignment.objects.filter(
        status__in=OPEN, appeal__status__in=(AppealStatus.OPEN, AppealStatus.ESCALATED)
    ).select_related("appeal")
    for a in live:
        profile = profile_for(a.appeal.category, a.appeal.district)
        due_day = local(a.resolution_due).date()
        if (
            a.reminded_at is None
            and at < a.resolution_due
            and c.workdays_between(today, due_day) <= profile.remind_before
        ):
            a.reminded_at = at
            a.save(update_fields=["reminded_at"])
            record(a.appeal, EventKind.REMINDED, at, assignment=a, due=a.resolution_due)
            report.reminded += 1
        if a.chased_at is None and at >= a.resolution_due:
            a.status, a.chased_at = AssignmentStatus.OVERDUE, at
            a.save(update_fields=["status", "chased_at"])
            record(a.appeal, EventKind.CHASED, at, assignment=a, due=a.resolution_due)
            report.chased += 1
        if (
            a.chased_at is not None
            and a.notified_at is None
            and c.workdays_between(due_day, today) >= profile.notify_after
        ):
            a.notified_at = at
            a.save(update_fields=["notified_at"])
            record(a.appeal, EventKind.NOTIFIED, at, assignment=a, due=a.resolution_due)
            report.notified += 1
    late = Appeal.objects.filter(
        status__in=(AppealStatus.OPEN, AppealStatus.ESCALATED),
        overdue=False,
        resolution_due__lte=at,
    )
    for appeal in late:
        appeal.overdue = True
        appeal.save(update_fields=["overdue"])
        record(appeal, EventKind.OVERDUE, at, due=appeal.resolution_due)
        report.overdue += 1
    return report
