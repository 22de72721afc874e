"""The 梯度培育 part of the demo city: this year's targets per district (a little above what
each district holds, so some are met and some not) and a listing pipeline of the largest
firms. Through ``services``; idempotent: it does nothing when targets exist."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from lianzhang.accounts import access
from lianzhang.enterprises.models import Annual, Enterprise

from . import ladder, queries, services
from .models import Target

TIERS_WITH_TARGETS = (
    "above_scale",
    "innovative_sme",
    "specialized_sme",
    "little_giant",
    "high_tech",
)


def load_demo(echo: Callable[[str], None] = print) -> str:
    if Target.objects.exists():
        return "梯度培育演示数据已存在，跳过 / cultivation demo already loaded"
    actor = access.first_admin() or access.innovation_actor()
    today = timezone.localdate()
    scope = Enterprise.objects.all()
    counts = {d["district"]: d["counts"] for d in queries.by_district(scope, today)}
    index = {t.code: i for i, t in enumerate(ladder.TIERS)}
    n = 0
    with transaction.atomic():
        for k, (district, row) in enumerate(sorted(counts.items())):
            if not district:
                continue
            for tier in TIERS_WITH_TARGETS:
                held = row[index[tier]]
                # every third district is set a target it has already met
                goal = held if k % 3 == 0 else held + 1 + held // 5
                services.set_target(actor, today.year, district, tier, goal)
                n += 1
        newest = Annual.objects.aggregate(y=Max("year"))["y"]
        largest: list[str] = (
            list(
                Annual.objects.filter(year=newest, revenue__isnull=False)
                .order_by("-revenue", "enterprise_id")
                .values_list("enterprise_id", flat=True)[:12]
            )
            if newest
            else []
        )
        stages = [code for code, _zh, _en in ladder.LISTING_STAGES]
        for i, uscc in enumerate(largest):
            services.set_listing_stage(
                actor,
                uscc,
                stages[i % (len(stages) - 1)],
                today - dt.timedelta(days=30 * (i + 1)),
                board=("科创板", "创业板", "北交所", "主板")[i % 4],
            )
    return f"梯度培育：{n} 项年度目标，{len(largest)} 家上市后备 / cultivation targets, pipeline"
