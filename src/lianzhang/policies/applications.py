"""Writers for the 申报 path's content: pre-filled application, attachments, pre-review.

Part of the service layer (kept apart from ``services`` by topic): every write here goes
through ``services.transition`` or appends to the audit log in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from lianzhang.core.errors import NotFound, PermissionDenied, ValidationError
from lianzhang.enterprises.models import Annual

from . import services
from .models import Attachment, Case, Notice
from .workflow import State

#: Registry fields copied into a pre-filled application (latest year on record).
PREFILL_FIELDS = ("revenue", "main_revenue", "rd_expense", "employees", "rd_staff")
#: What the enterprise adds or corrects itself.
EDITABLE = ("contact", "phone", "statement", "bank_account")
EDITABLE_STATES = (State.DRAFT, State.CORRECTION)
MAX_ATTACHMENT = 20 * 1024 * 1024
ALLOWED_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png", ".xlsx", ".docx", ".zip", ".ofd")


def latest_figures(usccs: set[str]) -> dict[str, dict[str, Any]]:
    """Per enterprise: its latest year on record and the registry figures of that year."""
    out: dict[str, dict[str, Any]] = {}
    rows = Annual.objects.filter(enterprise_id__in=usccs).order_by("enterprise_id", "-year")
    for row in rows.values("enterprise_id", "year", *PREFILL_FIELDS):
        if row["enterprise_id"] in out:
            continue
        out[row["enterprise_id"]] = {
            "year": row["year"],
            # unknown stays unknown
            "figures": {n: None if row[n] is None else str(row[n]) for n in PREFILL_FIELDS},
        }
    return out


def prefill(case: Case, figures: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The application as the registry already knows it: nobody types this again."""
    e = case.enterprise
    if figures is None:
        figures = latest_figures({e.pk})
    latest = figures.get(e.pk, {"year": None, "figures": {}})
    return {
        "enterprise": {
            "uscc": e.pk,
            "name": e.name,
            "district": e.district,
            "industry_code": e.industry_code,
        },
        "year": latest["year"],
        "figures": latest["figures"],
        "criteria": case.match.criteria if case.match else [],
        "contact": "",
        "phone": "",
        "statement": "",
    }


def _own_case(case_id: int, user: Any) -> Case:
    case = Case.objects.select_for_update().select_related("policy", "enterprise").get(pk=case_id)
    services._check_actor(user, case, "enterprise")
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
        extra["bank_account"] = services.bank_account(account)
    application = dict(case.application or prefill(case))
    application.update(fields)
    Case.objects.filter(pk=case.pk).update(
        application=application, updated_at=timezone.now(), **extra
    )
    services.audit(user, "edit", case, reason="application", data={**fields, **extra})
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
    services.audit(user, "attach", case, reason=name[:200])
    return attachment


def prereview(case: Case) -> dict[str, Any]:
    """The rules' own verdict on the application today, with every criterion explained."""
    from .matching import evaluate_registry, explanations
    from .queries import reason

    today = timezone.localdate()
    try:
        ev = evaluate_registry(today, [case.policy], usccs=[case.enterprise_id])
    except NotFound:  # the file left the library (or was never in it): a person decides
        return {
            "verdict": "undetermined",
            "as_of": today.isoformat(),
            "reasons": ["政策文件不在当前政策库中或未生效，需人工审核"],
        }
    rows = ev.results().join(explanations(ev), on=["uscc", "policy"], how="left").to_dicts()
    if not rows:
        return {"verdict": "undetermined", "as_of": today.isoformat(), "reasons": []}
    row = rows[0]
    criteria = row["criteria"] or []
    return {
        "verdict": row["verdict"],
        "as_of": today.isoformat(),
        "award": None if row["award_fen"] is None else str(row["award_fen"] / 100),
        "reasons": [reason(c) for c in criteria],
        "failed": [reason(c) for c in criteria if c["passed"] is False],
        "missing": [reason(c) for c in criteria if c["passed"] is None],
    }


def submit(case_id: int, user: Any) -> Case:
    """Submit (or resubmit after correction); ``transition`` attaches the pre-review."""
    return services.transition(case_id, "submit", user)


def object_to(case_id: int, user: Any, reason: str) -> Case:
    """The enterprise objects to a rejection; the bureau then takes the final decision."""
    if not reason.strip():
        raise ValidationError("提出异议须说明理由", "an objection needs a reason")
    return services.transition(case_id, "object", user, reason=reason)


def final_decision(case_id: int, user: Any, uphold: bool, reason: str) -> Case:
    if not reason.strip():
        raise ValidationError("复核决定须说明理由", "a final decision needs a reason")
    return services.transition(
        case_id,
        "uphold" if uphold else "dismiss",
        user,
        reason=reason,
        changes={"decision_reason": reason},
    )


def mark_read(user: Any, notice_ids: list[int] | None = None) -> int:
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("请先登录", "log in first")
    notices = Notice.objects.filter(user=user, read_at__isnull=True)
    if notice_ids is not None:
        notices = notices.filter(pk__in=notice_ids)
    return notices.update(read_at=timezone.now())


def _without_manual(c: Any) -> Any:
    """The criteria tree with the reviewer's checks taken as passed, or None if unsure.

    A manual check inside ``all`` is simply dropped; inside ``any`` or ``not`` its effect
    is not a plain pass, so no award is computed and the reviewer's decision stands alone.
    """
    import dataclasses

    if c.kind == "leaf":
        return None if c.manual else c
    kept = []
    for child in c.children:
        if child.kind == "leaf" and child.manual:
            if c.kind != "all":
                return None
            continue
        sub = _without_manual(child)
        if sub is None:
            return None
        kept.append(sub)
    if not kept:
        return None
    return dataclasses.replace(c, children=tuple(kept))


def confirmed_award(case: Case) -> Any:
    """The formula award once the reviewer has confirmed the manual checks (Decimal|None)."""
    import dataclasses
    from decimal import Decimal

    from lianzhang.rules.evaluation import evaluate
    from lianzhang.rules.policy import Library

    from .matching import library, overrides, registry_tables

    found = library().policies.get(case.policy.code)
    if found is None or found.award is None:
        return None
    criteria = _without_manual(found.criteria)
    if criteria is None:
        return None
    policy = dataclasses.replace(found, criteria=criteria)
    today = timezone.localdate()
    ev = evaluate(
        Library({policy.id: policy}),
        registry_tables([case.enterprise_id]),
        today,
        [policy.id],
        overrides(today, [case.policy]),
    )
    rows = ev.results().to_dicts()
    if not rows or rows[0]["verdict"] != "eligible" or rows[0]["award_fen"] is None:
        return None
    return Decimal(rows[0]["award_fen"]) / 100


def start_application(user: Any, uscc: str, policy: Any) -> Case:
    """申报 on the enterprise's own initiative, from "my policies": a pre-filled draft.

    Allowed when the rules find the enterprise eligible or undetermined (typically: only
    the reviewer's manual checks remain); a clear miss cannot apply.
    """
    from django.db import IntegrityError

    from .models import Match
    from .queries import my_policies
    from .workflow import Mode

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
    with transaction.atomic():
        probe = Case(enterprise_id=uscc, policy=policy, year=today.year, state=State.DRAFT)
        services._check_actor(user, probe, "enterprise")
        try:
            with transaction.atomic():
                fields: dict[str, Any] = {
                    "enterprise_id": uscc,
                    "policy": policy,
                    "year": today.year,
                    "state": State.DRAFT,
                    "match": match,
                    "eligible_at": timezone.now(),
                    "award_computed": found[0].award,
                }
                case = Case.objects.create(**fields)
        except IntegrityError:
            raise ValidationError(
                "本年度已有该政策的事项", "there is already a case for this policy this year"
            ) from None
        application = prefill(case)
        application["criteria"] = found[0].criteria
        Case.objects.filter(pk=case.pk).update(application=application)
        services.audit(
            user, "start", case, to_state=State.DRAFT, data={"verdict": found[0].verdict}
        )
    case.refresh_from_db()
    return case
