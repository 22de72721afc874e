"""Random sequences of actions: every appeal ends closed, escalated or flagged overdue after a
sweep; no transition that needs a reason happens without one; the metrics equal a recount
of the raw events."""

import datetime as dt
from collections import Counter

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lianzhang.appeals import services
from lianzhang.appeals.models import Appeal, AppealStatus, Assignment, Event
from lianzhang.core.errors import LianzhangError
from tests.conftest import HIGH_TECH, ROBOT

from .conftest import at

ACTIONS = [
    "dispatch",
    "accept",
    "refuse",
    "complete",
    "extend",
    "escalate",
    "callback",
    "redo",
    "sweep",
]
NEEDS_REASON = {"refused", "extended", "escalated", "reopened", "done", "merged"}

step = st.tuples(
    st.sampled_from(ACTIONS),
    st.integers(0, 3),  # which appeal
    st.integers(0, 2),  # which assignment
    st.booleans(),  # give a reason?
    st.integers(0, 72),  # hours to move the clock on
)


def _run(users, units, actions):
    clock = at(2025, 1, 20, 9)
    admin = users["admin"]
    appeals = [
        services.file_appeal(
            users["admin"],
            uscc=uscc,
            channel=ch,
            category=cat,
            subject="用地",
            title=f"诉求{n}",
            text=f"第{n}条：{cat} 用地问题 {uscc}",
            now=clock,
        )
        for n, (uscc, ch, cat) in enumerate(
            [
                (HIGH_TECH, "web", "help"),
                (ROBOT, "phone", "complaint"),
                (HIGH_TECH, "visit", "consult"),
                (ROBOT, "hotline", "suggestion"),
            ]
        )
    ]
    for name, i, j, reason, hours in actions:
        clock += dt.timedelta(hours=hours)
        appeal = Appeal.objects.get(pk=appeals[i].pk)
        assignments = list(appeal.assignments.all())
        a = assignments[j % len(assignments)] if assignments else None
        why = "理由" if reason else ""
        try:
            if name == "dispatch":
                services.dispatch(admin, appeal, now=clock)
            elif name == "sweep":
                services.sweep(clock)
            elif name == "escalate":
                services.escalate(admin, appeal, why, now=clock)
            elif name in ("callback", "redo"):
                rating = "unsatisfied" if name == "redo" else "satisfied"
                services.callback(
                    admin, appeal, rating, why, handler_cause=name == "redo", now=clock
                )
            elif a is not None:
                if name == "accept":
                    services.accept(admin, a, now=clock)
                elif name == "refuse":
                    services.refuse(admin, a, why, now=clock)
                elif name == "complete":
                    services.complete(admin, a, why, now=clock)
                elif name == "extend":
                    services.extend(admin, a, 1, why, now=clock)
        except LianzhangError:
            pass
    return clock


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=st.lists(step, max_size=25))
def test_random_sequences(users, units, actions):
    with transaction.atomic():
        _run(users, units, actions)
        services.sweep(at(2026, 6, 1, 9))
        for appeal in Appeal.objects.all():
            assert (
                appeal.status in (AppealStatus.CLOSED, AppealStatus.ESCALATED, AppealStatus.MERGED)
                or appeal.overdue
            ), appeal.status
        for e in Event.objects.filter(kind__in=NEEDS_REASON):
            assert e.reason.strip(), e.kind
        for a in Assignment.objects.filter(status="refused"):
            assert a.reason.strip()
        for appeal in Appeal.objects.filter(level__in=("city", "leader")):
            assert appeal.events.filter(kind="escalated").exists()
        _metrics_equal_recount(users)
        transaction.set_rollback(True)


def _metrics_equal_recount(users):
    metrics = services.unit_metrics(users["admin"], at(2025, 1, 1), at(2027, 1, 1))
    dispatched = Counter(
        Event.objects.filter(kind="dispatched").values_list(
            "assignment__department__code", flat=True
        )
    )
    assert {u: m.dispatched for u, m in metrics.items()} == dict(dispatched)
    for unit, m in metrics.items():
        events = Event.objects.filter(assignment__department__code=unit)
        done = set(events.filter(kind="done").values_list("assignment", flat=True))
        refused = set(events.filter(kind="refused").values_list("assignment", flat=True))
        reopened = set(events.filter(kind="reopened").values_list("assignment", flat=True))
        handed = set(events.filter(kind="handed_up").values_list("assignment", flat=True))
        handed -= refused | done
        assert m.completed == len(done) and m.refused == len(refused)
        assert m.handed_up == len(handed)
        assert m.reopened == len(reopened & done)
        if m.completion is not None:
            whole = m.dispatched - len(refused) - len(handed)
            assert m.completion == type(m.completion)(len(done), whole) <= 1
        assert m.on_time_response is None or 0 <= m.on_time_response <= 1
        assert m.on_time_completion is None or 0 <= m.on_time_completion <= 1
