"""Real concurrent sessions (threads with their own database connections)."""

import threading

import pytest
from django.db import connection

from lianzhang.core.errors import Conflict
from lianzhang.policies import services
from lianzhang.policies.models import AuditEvent, Case

from .conftest import make_matches, make_policy

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def checkpoint_dir(settings, tmp_path):
    """The audit checkpoint files outlive the (flushed) test database: one directory each."""
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "audit"


def race(*calls):
    """Run the calls at the same moment; return each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:  # the loser's error is the point of the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_decisions_on_the_same_application_cannot_both_win(city, people):
    policy = make_policy("city.race", "application")
    [case] = services.open_cases(make_matches(policy, [city[0]], ["100"]), 2026)
    services.submit(case.pk, people["firm"])
    services.assign(case.pk, people["admin"], people["reviewer"])
    services.declare(case.pk, people["reviewer"], conflict=False)
    version = Case.objects.get(pk=case.pk).version
    results = race(
        lambda: services.decide(case.pk, people["reviewer"], "approve", "达标", version),
        lambda: services.decide(case.pk, people["reviewer"], "reject", "不达标", version),
    )
    winners = [r for r in results if isinstance(r, Case)]
    losers = [r for r in results if isinstance(r, Conflict | services.InvalidTransition)]
    assert len(winners) == 1 and len(losers) == 1, results
    final = Case.objects.get(pk=case.pk)
    assert final.state == winners[0].state
    decisions = AuditEvent.objects.filter(action__in=["approve", "reject"])
    assert decisions.count() == 1
    assert services.verify_audit_chain() == []


def test_two_payment_runs_at_once_order_each_case_once(city, people):
    policy = make_policy("city.race-pay", "automatic")
    cases = services.open_cases(make_matches(policy, list(city[:4]), ["10"] * 4), 2026)
    for case in cases:
        Case.objects.filter(pk=case.pk).update(state="confirmed", bank_account="62220202")
        services.approve(case.pk, people["analyst"])
    services.allocate(policy, 2026, people["analyst"])
    runs = [services.create_payment_run(policy, 2026, people["analyst"]) for _ in range(2)]
    results = race(*[lambda r=r: services.execute_payment_run(r, people["analyst"]) for r in runs])
    assert sum(results) == 4, results
    assert services.reconcile(policy, 2026).problems == []
    assert services.verify_audit_chain() == []


def test_two_match_pushes_at_once_open_each_case_once(city, people):
    policy = make_policy("city.push", "automatic")
    matches = make_matches(policy, list(city), ["100"] * len(city))
    for m in matches:  # as a run hands them over
        m.policy = policy
    results = race(
        lambda: services.open_cases(matches, 2026), lambda: services.open_cases(matches, 2026)
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(len(r) for r in results) == len(city) == Case.objects.count()
    assert AuditEvent.objects.filter(action="open").count() == len(city)
    assert services.verify_audit_chain() == []
