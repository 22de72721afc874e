"""Intake: filing from every channel, duplicate detection and merging, 12345 import."""

from __future__ import annotations

import csv
import datetime as dt
import re
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from django.db import transaction

from lianzhang.accounts import access
from lianzhang.core.errors import Conflict, PermissionDenied, ValidationError
from lianzhang.enterprises.models import Enterprise

from ..models import Appeal, AppealStatus, Attachment, Category, Channel, EventKind
from ._common import deadline, need_reason, now_or, profile_for, record

#: Same enterprise, near-identical text within this many days: a duplicate.
DUPLICATE_DAYS = 30
DUPLICATE_RATIO = 0.9

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def similarity(a: str, b: str) -> float:
    """How alike two appeal texts are, ignoring spaces and punctuation (0 to 1)."""
    x, y = _NOISE.sub("", a), _NOISE.sub("", b)
    if not x or not y:
        return 0.0
    return SequenceMatcher(None, x, y, autojunk=False).ratio()


def find_duplicate(uscc: str, text: str, at: dt.datetime) -> Appeal | None:
    since = at - dt.timedelta(days=DUPLICATE_DAYS)
    recent = Appeal.objects.filter(
        enterprise_id=uscc, received_at__gte=since, received_at__lte=at
    ).exclude(status=AppealStatus.MERGED)
    for other in recent.order_by("received_at", "id"):
        if similarity(other.text, text) >= DUPLICATE_RATIO:
            return other
    return None


def _choice(value: str, choices: Any, zh: str, en: str) -> str:
    if value not in choices.values:
        raise ValidationError(f"{zh}无效：{value!r}", f"unknown {en}: {value!r}")
    return value


@transaction.atomic
def file_appeal(
    user: Any,
    *,
    uscc: str,
    channel: str,
    category: str,
    subject: str,
    title: str,
    text: str,
    chain_code: str = "",
    district: str = "",
    external_id: str = "",
    now: dt.datetime | None = None,
    merge_duplicates: bool = True,
) -> Appeal:
    """File an appeal; a near-identical one of the same enterprise is merged into the first."""
    at = now_or(now)
    if not access.may_file_appeal(user, uscc):
        raise PermissionDenied(
            f"无权为企业 {uscc} 提交诉求", f"you may not file appeals for enterprise {uscc}"
        )
    enterprise = Enterprise.objects.filter(pk=uscc).first()
    if enterprise is None:
        raise ValidationError(f"没有企业 {uscc}", f"no enterprise {uscc}")
    _choice(channel, Channel, "渠道", "channel")
    _choice(category, Category, "类别", "category")
    title, text, subject = title.strip(), text.strip(), subject.strip()
    if not title or not text or not subject:
        raise ValidationError("标题、内容与事项不能为空", "title, text and subject are required")
    district = district or enterprise.district
    profile = profile_for(category, district)
    appeal = Appeal.objects.create(
        enterprise=enterprise,
        channel=channel,
        category=category,
        subject=subject,
        title=title[:200],
        text=text,
        chain_code=chain_code,
        district=district,
        external_id=external_id,
        received_at=at,
        resolution_due=deadline(at, profile.resolution, profile.resolution_unit),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    record(appeal, EventKind.FILED, at, actor=user, subject=subject, channel=channel)
    original = find_duplicate(uscc, text, at) if merge_duplicates else None
    if original is not None and original.pk != appeal.pk:
        merge(user, appeal, original, "系统识别为重复诉求 / detected as a duplicate", now=at)
    return appeal


#: What an appeal may carry: documents and pictures, at most 10 MiB each, 10 per appeal.
ATTACHMENT_TYPES = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".txt")
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENTS_PER_APPEAL = 10


@transaction.atomic
def attach(user: Any, appeal: Appeal, upload: Any, *, now: dt.datetime | None = None) -> Attachment:
    """Store a file with the appeal (``upload`` is Django's ``UploadedFile``)."""
    at = now_or(now)
    if not access.may_attach(user, appeal):
        raise PermissionDenied("无权为该诉求添加附件", "you may not add files to this appeal")
    name = Path(str(upload.name)).name[:200]
    if Path(name).suffix.lower() not in ATTACHMENT_TYPES:
        raise ValidationError(
            f"附件类型不支持：{name}（可用 {'、'.join(ATTACHMENT_TYPES)}）",
            f"unsupported attachment type: {name} (use {', '.join(ATTACHMENT_TYPES)})",
        )
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError(f"附件超过 10 MB：{name}", f"attachment over 10 MB: {name}")
    if appeal.attachments.count() >= ATTACHMENTS_PER_APPEAL:
        raise ValidationError(
            f"每件诉求最多 {ATTACHMENTS_PER_APPEAL} 个附件",
            f"at most {ATTACHMENTS_PER_APPEAL} attachments per appeal",
        )
    attachment = Attachment(
        appeal=appeal,
        name=name,
        size=upload.size,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        at=at,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    record(appeal, EventKind.ATTACHED, at, actor=user, name=name, size=upload.size)
    return attachment


@transaction.atomic
def merge(
    user: Any, duplicate: Appeal, into: Appeal, reason: str, *, now: dt.datetime | None = None
) -> Appeal:
    """Merge ``duplicate`` into ``into`` (same enterprise); the reason is required."""
    at = now_or(now)
    reason = need_reason(reason, "合并", "merging")
    if duplicate.pk == into.pk or duplicate.enterprise_id != into.enterprise_id:
        raise Conflict("只能合并同一企业的两条诉求", "only two appeals of one enterprise merge")
    if duplicate.status == AppealStatus.MERGED:
        raise Conflict("该诉求已被合并", "this appeal is already merged")
    duplicate.status, duplicate.merged_into = AppealStatus.MERGED, into
    duplicate.save(update_fields=["status", "merged_into"])
    record(duplicate, EventKind.MERGED, at, actor=user, reason=reason, into=into.pk)
    return into


#: Columns of a 12345 export (Chinese headers as the hotline writes them, or English).
HOTLINE_COLUMNS = {
    "工单编号": "external_id",
    "统一社会信用代码": "uscc",
    "诉求类别": "category",
    "事项": "subject",
    "标题": "title",
    "诉求内容": "text",
    "受理时间": "received_at",
}
_CATEGORY_NAMES = {"咨询": "consult", "求助": "help", "建议": "suggestion", "投诉": "complaint"}


def import_hotline(user: Any, path: str | Path) -> tuple[int, int, list[str]]:
    """Import a 12345 CSV: (created, skipped as already imported, errors by line)."""
    access.require_bureau(user)
    created, skipped, errors = 0, 0, []
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        for n, raw in enumerate(csv.DictReader(handle), start=2):
            row = {
                HOTLINE_COLUMNS.get(k.strip(), k.strip()): (v or "").strip()
                for k, v in raw.items()
                if k
            }
            ext = row.get("external_id", "")
            if ext and Appeal.objects.filter(channel=Channel.HOTLINE, external_id=ext).exists():
                skipped += 1
                continue
            try:
                at = (
                    dt.datetime.fromisoformat(row["received_at"])
                    if row.get("received_at")
                    else None
                )
                from django.utils import timezone

                if at is not None and timezone.is_naive(at):
                    at = timezone.make_aware(at)
                file_appeal(
                    user,
                    uscc=row.get("uscc", ""),
                    channel=Channel.HOTLINE,
                    category=_CATEGORY_NAMES.get(row.get("category", ""), row.get("category", "")),
                    subject=row.get("subject", ""),
                    title=row.get("title", "") or row.get("text", "")[:40],
                    text=row.get("text", ""),
                    external_id=ext,
                    now=at,
                )
                created += 1
            except (ValueError, KeyError) as exc:
                errors.append(f"第 {n} 行 / line {n}: {exc}")
            except ValidationError as exc:
                errors.append(f"第 {n} 行 / line {n}: {exc}")
    return created, skipped, errors
