"""Opening cases from a match run: one case per eligible enterprise, policy and year.

A one-off award (``Policy.once_per``: "对新认定的……给予一次性奖励") is keyed by what it
pays for instead of the year: the trigger key (``rules.triggers``, e.g. the 小巨人 grant
``little_giant@2025-07-01``), so the same grant found eligible in 2026, 2027 and 2028 opens
one case and is paid once. An eligible match without its trigger opens nothing. A match
whose verdict needs review (须人工审核) never takes the automatic path.

The entry to both delivery paths. A city's match run opens tens of thousands of cases at
once, so they are written in batches (each with its audit events in one transaction),
and a run that races another leaves the cases the other opened alone. The enterprise's
users are told (a notice, and an e-mail when they have one).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianzhang.accounts.models import Profile
from lianzhang.core.money import format_yuan
from lianzhang.enterprises.models import Enterprise
from lianzhang.rules.triggers import parse_once_per, trigger_keys

from .. import workflow
from ..matching import registry_tables
from ..models import Case, Match, MatchRun, Notice
from ..workflow import Mode, State
from .audit import audit_many
from .figures import latest_figures, prefill

BATCH = 2000


def open_cases(matches: Iterable[Match], year: int, user: Any = None) -> list[Case]:
    """A case for every eligible match not yet claimed this year (a one-off award: not yet
    claimed for its trigger, in any year); notifies the enterprise.

    Unverified policies and verdicts that need review never take the automatic path: they
    need an application.
    """
    chosen = [m for m in matches if m.verdict == Match.Verdict.ELIGIBLE and m.policy.active]
    created: list[Case] = []
    for i in range(0, len(chosen), BATCH):
        created += _open_batch(chosen[i : i + BATCH], year, user)
    _notify_enterprises(created)
    return created


@transaction.atomic
def _open_batch(matches: list[Match], year: int, user: Any) -> list[Case]:
    usccs = {m.enterprise_id for m in matches}
    taken = set(
        Case.objects.filter(year=year, enterprise_id__in=usccs, trigger_key="").values_list(
            "enterprise_id", "policy_id"
        )
    )
    triggers = _trigger_keys(matches)
    taken_triggers = set(
        Case.objects.filter(enterprise_id__in=usccs)
        .exclude(trigger_key="")
        .values_list("enterprise_id", "policy_id", "trigger_key")
    )
    fresh: dict[tuple[str, int], Match] = {}
    for m in matches:
        fresh.setdefault((m.enterprise_id, m.policy_id), m)
    now = timezone.now()
    cases = []
    for key, m in fresh.items():
        trigger = ""
        if m.policy.once_per:
            trigger = triggers.get(key) or ""
            if not trigger or (*key, trigger) in taken_triggers:
                continue  # no event to pay for, or this event's case exists (any year)
        elif key in taken:
            continue
        automatic = m.policy.automatic_grant_allowed and not m.needs_review
        mode = Mode.AUTOMATIC if automatic else Mode.APPLICATION
        cases.append(
            Case(
                enterprise_id=m.enterprise_id,
                policy=m.policy,
                year=year,
                trigger_key=trigger,
                state=workflow.first_state(mode),
                match=m,
                eligible_at=now,
                award_computed=m.award,
            )
        )
    drafts = [c for c in cases if c.state == State.DRAFT]  # 申报: the registry fills the form
    figures = latest_figures({c.enterprise_id for c in drafts})
    firms = Enterprise.objects.in_bulk({c.enterprise_id for c in drafts})
    for case in drafts:
        case.enterprise = firms[case.enterprise_id]
        case.application = prefill(case, figures)
    try:
        with transaction.atomic():
            Case.objects.bulk_create(cases)
    except IntegrityError:  # opened meanwhile by another run: leave those to it
        cases = [c for c in cases if _open_one(c)]
    audit_many(
        user,
        "open",
        [(c, c.state, {"match": c.match_id, "award": str(c.award_computed)}) for c in cases],
    )
    return cases


def _trigger_keys(matches: list[Match]) -> dict[tuple[str, int], str]:
    """(uscc, policy id) → the trigger key, for the matches of one-off policies."""
    once = [m for m in matches if m.policy.once_per]
    if not once:
        return {}
    as_of = dict(
        MatchRun.objects.filter(pk__in={m.run_id for m in once}).values_list("pk", "as_of")
    )
    tables = registry_tables({m.enterprise_id for m in once})
    out: dict[tuple[str, int], str] = {}
    groups: dict[tuple[str, int], list[Match]] = {}
    for m in once:
        groups.setdefault((m.policy.once_per, m.run_id), []).append(m)
    for (once_per, run_id), group in groups.items():
        keys = trigger_keys(parse_once_per(once_per), tables, as_of[run_id])
        found = dict(keys.filter(pl.col("trigger_key").is_not_null()).iter_rows())
        for m in group:
            if m.enterprise_id in found:
                out[(m.enterprise_id, m.policy_id)] = str(found[m.enterprise_id])
    return out


def trigger_for(policy: Any, uscc: str, as_of: Any) -> str:
    """The trigger key of one enterprise's claim on a one-off policy ("" when none)."""
    once_per = parse_once_per(policy.once_per)
    if once_per is None:
        return ""
    keys = trigger_keys(once_per, registry_tables([uscc]), as_of)
    found = keys.filter(pl.col("trigger_key").is_not_null())["trigger_key"].to_list()
    return str(found[0]) if found else ""


def _open_one(case: Case) -> bool:
    try:
        with transaction.atomic():
            case.save(force_insert=True)
    except IntegrityError:
        return False
    return True


def _notify_enterprises(cases: list[Case]) -> None:
    """An in-app notice for each user of the enterprise, and an e-mail when they have one."""
    users: dict[str, list[Any]] = {}
    profiles = Profile.objects.filter(enterprise_id__in={c.enterprise_id for c in cases})
    for profile in profiles.select_related("user"):
        users.setdefault(str(profile.enterprise_id), []).append(profile.user)
    notices = []
    for case in cases:
        award = f"，预计 {format_yuan(case.award_computed)}" if case.award_computed else ""
        action = (
            "请确认享受意向和收款账户" if case.state == State.ELIGIBLE else "请核对预填的申报材料"
        )
        text = f"您符合「{case.policy.title}」{award}：{action}。"
        for user in users.get(case.enterprise_id, []):
            notices.append(Notice(user=user, text=text, link=f"/policies/cases/{case.pk}/"))
            if user.email:
                send_mail("政策找企业：新的匹配政策", text, None, [user.email], fail_silently=True)
    Notice.objects.bulk_create(notices, batch_size=1000)


def notify_enterprise(case: Case, text: str) -> None:
    """Tell the enterprise's users about a decision on ``case`` (in-app, and by e-mail when
    they have one): a joint-review refusal, a clawback."""
    notices = []
    for profile in Profile.objects.filter(enterprise_id=case.enterprise_id).select_related("user"):
        notices.append(Notice(user=profile.user, text=text, link=f"/policies/cases/{case.pk}/"))
        if profile.user.email:
            send_mail(
                "政策兑现：事项有新决定", text, None, [profile.user.email], fail_silently=True
            )
    Notice.objects.bulk_create(notices)
