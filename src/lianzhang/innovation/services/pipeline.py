"""成果转化: a result's stages (筛选 → 概念验证 → 中试熟化 → 孵化, or out by licence/sale
or drop) and the pipeline board: counts, conversion rates by chain and source, stalled results.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from lianzhang.core.errors import ValidationError

from ..models import Capability, StageEntry
from .common import _date, _event, _require_bureau

ORDER = ("screening", "poc", "pilot", "incubation")
TERMINAL = ("licensed", "dropped")


def current_stage(result: Capability) -> StageEntry | None:
    return result.stages.order_by("-entered_on", "-id").first()


@transaction.atomic
def advance(
    user: Any,
    result: Capability,
    stage: str,
    *,
    on: Any,
    owner: str = "",
    outcome: str = "",
) -> StageEntry:
    """Move a result on: 筛选 → 概念验证 → 中试熟化 → 孵化, or out by licence/sale or drop.

    Stages are never skipped or repeated; ``outcome`` closes the stage being left (and is
    the terms when the result leaves by licence, sale or drop).
    """
    _require_bureau(user)
    if result.kind != "result":
        raise ValidationError("只有成果可以进入转化流程", "only results enter the pipeline")
    on = _date(on, "进入日期", "date", required=True)
    Capability.objects.select_for_update().filter(pk=result.pk).first()
    now = current_stage(result)
    here = now.stage if now else None
    if here in TERMINAL:
        raise ValidationError(f"成果已{here}，流程结束", f"the result is already {here}")
    allowed = {ORDER[0]} if here is None else set(TERMINAL)
    if here in ORDER and ORDER.index(here) + 1 < len(ORDER):
        allowed.add(ORDER[ORDER.index(here) + 1])
    if stage not in allowed:
        raise ValidationError(
            f"成果不能从 {here or '未入库'} 进入 {stage}（可选：{sorted(allowed)}）",
            f"a result cannot move from {here} to {stage}; allowed: {sorted(allowed)}",
        )
    if now is not None:
        if on < now.entered_on:
            raise ValidationError(
                f"日期 {on} 早于上一阶段（{now.entered_on}）",
                f"date {on} precedes the previous stage ({now.entered_on})",
            )
        if outcome:
            now.outcome = outcome
            now.save(update_fields=["outcome"])
    entry = StageEntry.objects.create(
        result=result,
        stage=stage,
        entered_on=on,
        owner=owner,
        outcome=outcome if stage in TERMINAL else "",
    )
    _event("result", result, "advance", user, here or "", stage, outcome)
    return entry


Counts = dict[str, int]


@dataclass(frozen=True)
class Board:
    counts: Counts  # results currently in each stage
    reached: Counts  # results that ever reached each stage
    conversion: dict[str, Decimal | None]  # reached(next) / reached(stage); None when 0
    by_chain: dict[str, Counts]  # results now in each stage, per chain
    by_source: dict[str, Counts]  # ... per kind of provider (university, institute, ...)
    conversion_by_chain: dict[str, dict[str, Decimal | None]]
    conversion_by_source: dict[str, dict[str, Decimal | None]]
    stalled: list[tuple[Capability, StageEntry, int]]
    columns: dict[str, list[tuple[Capability, StageEntry, int]]]  # the board itself


STAGES = (*ORDER, *TERMINAL)


def _rate(top: int, bottom: int) -> Decimal | None:
    """A fraction to four places; unknown (None), not zero, when nothing entered."""
    return (Decimal(top) / bottom).quantize(Decimal("0.0001")) if bottom else None


def conversion_rates(reached: Counts) -> dict[str, Decimal | None]:
    """Stage-to-stage rates, and from screening to leaving by incubation or licence/sale."""
    out = {f"{a}→{b}": _rate(reached[b], reached[a]) for a, b in itertools.pairwise(ORDER)}
    transferred = reached["incubation"] + reached["licensed"]
    out["screening→transferred"] = _rate(transferred, reached["screening"])
    return out


def board(*, today: dt.date | None = None, stall_days: int = 180) -> Board:
    """Counts by stage, chain and source; conversion rates; results stuck too long."""
    today = today or dt.date.today()
    if stall_days < 1:
        raise ValidationError("停滞天数须为正整数", "stall days must be a positive number")
    entries: dict[int, list[StageEntry]] = {}
    for e in StageEntry.objects.select_related("result__provider").order_by("entered_on", "id"):
        entries.setdefault(e.result_id, []).append(e)
    counts, reached = dict.fromkeys(STAGES, 0), dict.fromkeys(STAGES, 0)
    by: dict[str, dict[str, Counts]] = {"chain": {}, "source": {}}
    reached_by: dict[str, dict[str, Counts]] = {"chain": {}, "source": {}}
    columns: dict[str, list[tuple[Capability, StageEntry, int]]] = {s: [] for s in STAGES}
    stalled = []
    for rows in entries.values():
        last = rows[-1]
        result = last.result
        age = (today - last.entered_on).days
        counts[last.stage] += 1
        columns[last.stage].append((result, last, age))
        ever = {e.stage for e in rows}
        for s in ever:
            reached[s] += 1
        for axis, group in (("chain", result.chain_code or "—"), ("source", result.provider.kind)):
            by[axis].setdefault(group, dict.fromkeys(STAGES, 0))[last.stage] += 1
            into = reached_by[axis].setdefault(group, dict.fromkeys(STAGES, 0))
            for s in ever:
                into[s] += 1
        if last.stage in ORDER and age > stall_days:
            stalled.append((result, last, age))
    stalled.sort(key=lambda r: -r[2])
    return Board(
        counts,
        reached,
        conversion_rates(reached),
        by["chain"],
        by["source"],
        {g: conversion_rates(r) for g, r in sorted(reached_by["chain"].items())},
        {g: conversion_rates(r) for g, r in sorted(reached_by["source"].items())},
        stalled,
        columns,
    )
