"""The writers of 梯度培育: yearly targets and the listing pipeline (bureau staff only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from lianzhang.accounts import access
from lianzhang.core import bounds, cells
from lianzhang.core.errors import PermissionDenied, ValidationError
from lianzhang.enterprises.models import Enterprise

from . import ladder
from .models import ListingCandidate, Target


def _bureau(user: Any) -> None:
    if not access.may_set_targets(user):
        raise PermissionDenied("只有局内人员可以设置", "only bureau staff may set this")


def set_target(user: Any, year: int, district: str, tier: str, count: int) -> Target:
    """Set (or change) a district's target for a tier in a year."""
    _bureau(user)
    bounds.check_year(year)
    cells.check_district(district, cells.districts())
    ladder.tier(tier)
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 1_000_000:
        raise ValidationError(
            f"目标数须为 0 至 1000000 的整数：{count}",
            f"the target must be a whole number from 0 to 1,000,000: {count}",
        )
    with transaction.atomic():
        target, _created = Target.objects.update_or_create(
            year=year, district=district, tier=tier, defaults={"count": count}
        )
    return target


def set_listing_stage(
    user: Any, uscc: str, stage: str, since: dt.date, board: str = "", note: str = ""
) -> ListingCandidate:
    """Put an enterprise on the listing pipeline, or move it to another stage."""
    _bureau(user)
    stages = [code for code, _zh, _en in ladder.LISTING_STAGES]
    if stage not in stages:
        raise ValidationError(
            f"未知上市阶段：{stage}（可选：{'、'.join(stages)}）",
            f"unknown listing stage: {stage} (one of {', '.join(stages)})",
        )
    bounds.check_date(since)
    enterprise = Enterprise.objects.filter(pk=uscc).first()
    if enterprise is None:
        raise ValidationError(f"企业不存在：{uscc}", f"no such enterprise: {uscc}")
    row, _created = ListingCandidate.objects.update_or_create(
        enterprise=enterprise,
        defaults={
            "stage": stage,
            "since": since,
            "board": bounds.check_text(board, 40, "板块", "board"),
            "note": bounds.check_text(note, 500, "备注", "note"),
        },
    )
    return row
