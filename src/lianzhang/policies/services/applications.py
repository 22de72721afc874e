"""The enterprise's side of a 申报 case: starting an application, completing the pre-filled
form, attachments, submitting, objecting to a rejection, and reading its notices.

Only the enterprise's own users write here (``access.check_case_actor``); every write
is audited in the same transaction, and every state change goes through the state
machine in ``transitions``.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianzhang.accounts import access
from lianzhang.core.errors import PermissionDenied, ValidationError

from ..models import Attachment, Case, Match, Notice
from ..queries import my_policies
from ..workflow import Mode, State
from .audit import audit
from .cases import trigger_for
from .figures import prefill
from .transitions import _short, _transition, bank_account

#: What the enterprise adds or corrects itself.
EDITABLE = ("contact", "phone", "statement", "bank_account", "payee_name", "bank_name")
EDITABLE_STATES = (State.DRAFT, State.CORRECTION)
MAX_ATTACHMENT = 20 * 1024 * 1024
ALLOWED_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png", ".xlsx", ".docx", ".zip", ".ofd")


def _own_case(case_id: int, user: Any) -> Case:
    case = Case.objects.select_for_update().select_related("policy", "enterprise").get(pk=case_id)
    access.check_case_actor(user, case, "enterprise")
    return case


def start_application(user: Any, uscc: str, policy: Any) -> Case:
    """申报 on the enterprise's own initiative, from "my policies": a pre-filled draft.

    Allowed when the rules find the enterprise eligible or undetermined (typically: only
    the reviewer's manual checks remain); a clear miss cannot apply.
    """
    today = timezone.localdate()
    if policy.automatic_grant_allowed or policy.mode != Mode.APPLICATION:
        raise ValidationError(
            "该政策免申即享，无需申报：符合条件时平台会通知您确认",
            "this policy needs no application: you will be asked to confirm when eligible",
        )
    found = [m for m in my_policies(uscc, today) if m.policy.pk == policy.pk]
    if not found or found[0].category not in ("eligible", "undetermined"):
        raise ValidationError(
            "按现有数据不符合该政策的条件，暂不能申报",
            "by the data on record the enterprise does not meet the criteria",
        )
    match = (
        Match.objects.filter(enterprise_id=uscc, policy=policy).order_by("-run__started_at").first()
    )
    trigger = trigger_for(policy, uscc, today)
    if policy.once_per and not trigger:
        raise ValidationError(
            "一次性奖励须有触发事件（如认定、纳统），现有数据中没有",
            "a one-off award needs its trigger (a grant, an inclusion); none is on record",
        )
    with transaction.atomic():
        probe = Case(enterprise_id=uscc, policy=policy, year=today.year, state=State.DRAFT)
        access.check_case_actor(user, probe, "enterprise")
        try:
            with transaction.atomic():
                fields: dict[str, Any] = {
                    "enterprise_id": uscc,
                    "policy": policy,
                    "year": today.year,
                    "trigger_key": trigger,
                    "state": State.DRAFT,
                    "match": match,
                    "eligible_at": timezone.now(),
                    "award_computed": found[0].award,
                }
                case = Case.objects.create(**fields)
        except IntegrityError:
            raise ValidationError(
                "本年度（或同一触发事件）已有该政策的事项",
                "there is already a case for this policy this year (or for this trigger)",
            ) from None
        application = prefill(case)
        application["criteria"] = found[0].criteria
        Case.objects.filter(pk=case.pk).update(application=application)
        audit(user, "start", case, to_state=State.DRAFT, data={"verdict": found[0].verdict})
    case.refresh_from_db()
    return case


@transaction.atomic
def save_application(case_id: int, user: Any, fields: dict[str, str]) -> Case:
    """The enterprise fills in what the registry cannot know (contact, statement)."""
    case = _own_case(case_id, user)
    if case.state not in EDITABLE_STATES:
        raise ValidationError(
            "只有草稿或退回补正的申报可以修改", "only a draft or a returned application can change"
        )
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"不能修改字段 {sorted(unknown)}", f"cannot edit {sorted(unknown)}")
    fields = {k: v.strip() for k, v in fields.items()}
    account = fields.pop("bank_account", None)
    extra: dict[str, Any] = {}
    if account:  # the account to be paid into, checked as on the automatic path
        extra["bank_account"] = bank_account(account)
    for name, limit, zh, en in (
        ("payee_name", 200, "收款人名称", "payee name"),
        ("bank_name", 100, "开户行", "bank"),
    ):
        if name in fields:
            extra[name] = _short(fields.pop(name), limit, zh, en)
    application = dict(case.application or prefill(case))
    application.update(fields)
    Case.objects.filter(pk=case.pk).update(
        application=application, updated_at=timezone.now(), **extra
    )
    audit(user, "edit", case, reason="application", data={**fields, **extra})
    case.refresh_from_db()
    return case


@transaction.atomic
def add_attachment(case_id: int, user: Any, upload: UploadedFile) -> Attachment:
    case = _own_case(case_id, user)
    if case.state not in EDITABLE_STATES:
        raise ValidationError(
            "只有草稿或退回补正的申报可以上传附件", "attachments only on a draft or returned case"
        )
    name = upload.name or "attachment"
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        raise ValidationError(
            f"不支持的附件类型：{name}（可用 {'、'.join(ALLOWED_SUFFIXES)}）",
            f"unsupported attachment type: {name} (use {', '.join(ALLOWED_SUFFIXES)})",
        )
    if (upload.size or 0) > MAX_ATTACHMENT:
        raise ValidationError("附件不能超过 20 MB", "an attachment must not exceed 20 MB")
    attachment = Attachment.objects.create(case=case, name=name[:200], file=upload)
    audit(user, "attach", case, reason=name[:200])
    return attachment


def submit(
    case_id: int, user: Any, reason: str = "", *, expected_version: int | None = None
) -> Case:
    """Submit (or resubmit after correction, saying what changed); the state machine
    attaches the pre-review."""
    return _transition(case_id, "submit", user, reason=reason, expected_version=expected_version)


def object_to(case_id: int, user: Any, reason: str, *, expected_version: int | None = None) -> Case:
    """The enterprise objects to a rejection; the bureau then takes the final decision."""
    if not reason.strip():
        raise ValidationError("提出异议须说明理由", "an objection needs a reason")
    return _transition(case_id, "object", user, reason=reason, expected_version=expected_version)


def mark_read(user: Any, notice_ids: list[int] | None = None) -> int:
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("请先登录", "log in first")
    notices = Notice.objects.filter(user=user, read_at__isnull=True)
    if notice_ids is not None:
        notices = notices.filter(pk__in=notice_ids)
    return notices.update(read_at=timezone.now())
