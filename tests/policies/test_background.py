"""Match runs in the background (issue 13): a page queues the run and answers at once, the
real database-backed worker evaluates it with progress, and its matches are identical to a
synchronous run; a run can be cancelled and retried, and a second delivery does nothing."""

import datetime as dt

import pytest
from click.testing import CliRunner
from django.db import transaction
from django.test import Client

from lianzhang.accounts.services import create_user
from lianzhang.cli.main import cli
from lianzhang.core.errors import Conflict, PermissionDenied
from lianzhang.enterprises.models import Annual
from lianzhang.policies import background, matching
from lianzhang.policies.models import Case, Match, MatchRun

from .conftest import USCCS

# the worker takes its own transactions, as in production: no test-wide transaction
pytestmark = pytest.mark.django_db(transaction=True)
AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def library(city):
    for uscc, revenue in zip(USCCS, ["3e7", "1.9e7", None, "2.5e7", "1", "5e7"], strict=True):
        Annual.objects.create(enterprise_id=uscc, year=2025, revenue=revenue, main_revenue=revenue)
    matching.sync_library(year=2026)
    return create_user("boss", "pw-123456", "admin")


def _matches(run):
    return sorted(
        Match.objects.filter(run=run).values_list(
            "enterprise_id", "policy__code", "verdict", "award", "near_miss", "needs_review"
        )
    )


def test_a_queued_run_gives_the_synchronous_runs_matches(library):
    synchronous = matching.run_match(AS_OF, library)
    queued = background.queue_match(AS_OF, library)
    assert queued.status == "queued" and not Match.objects.filter(run=queued).exists()
    background.work(batch=True, interval=0)
    queued.refresh_from_db()
    assert queued.status == "finished" and queued.finished_at is not None
    assert queued.stage == "storing" and queued.done == queued.total > 0
    assert _matches(queued) == _matches(synchronous) != []
    assert (queued.eligible, queued.enterprises) == (synchronous.eligible, synchronous.enterprises)
    # delivered again (a retry of the task): the finished run is left as it is
    assert background.perform(queued.pk) == "finished"
    assert _matches(queued) == _matches(synchronous)


def test_the_page_queues_and_shows_progress_and_the_worker_opens_the_cases(library):
    client = Client()
    client.force_login(library)
    answer = client.post("/policies/dashboard/match/")
    run = MatchRun.objects.get(status="queued")
    assert answer.status_code == 302 and answer["Location"] == f"/policies/runs/{run.pk}/"
    assert not Case.objects.exists()  # the request ran no match
    page = client.get(f"/policies/runs/{run.pk}/").content.decode()
    assert 'id="run-progress"' in page and "hx-trigger" in page and "排队中" in page
    background.work(batch=True, interval=0)
    run.refresh_from_db()
    assert run.status == "finished" and run.open_cases
    eligible = Match.objects.filter(run=run, verdict="eligible", needs_review=False)
    assert Case.objects.count() >= 1 and eligible.exists()
    card = client.get(f"/policies/runs/{run.pk}/progress/").content.decode()
    assert 'data-status="finished"' in card and "hx-trigger" not in card  # polling stops


def test_cancel_while_queued_and_retry(library):
    run = background.queue_match(AS_OF, library)
    background.cancel(run.pk, library)
    run.refresh_from_db()
    assert run.status == "cancelled"
    background.work(batch=True, interval=0)  # the queued task finds it cancelled
    assert not Match.objects.filter(run=run).exists()
    with pytest.raises(Conflict):
        background.cancel(run.pk, library)
    background.retry(run.pk, library)
    background.work(batch=True, interval=0)
    run.refresh_from_db()
    assert run.status == "finished" and Match.objects.filter(run=run).exists()
    with pytest.raises(Conflict, match="失败或已取消"):
        background.retry(run.pk, library)


def test_a_cancel_during_the_run_removes_what_it_stored(library, monkeypatch):
    run = background.queue_match(AS_OF, library)
    monkeypatch.setattr(matching, "STORE_CHUNK", 1)  # a progress report per stored match
    stored = []
    report = background._report(run)

    def cancel_once_storing(stage, done, total):
        if stage == "storing" and done == 1:
            stored.append(Match.objects.filter(run=run).count())
            MatchRun.objects.filter(pk=run.pk).update(cancel_requested=True)
        report(stage, done, total)

    monkeypatch.setattr(background, "_report", lambda r: cancel_once_storing)
    assert background.perform(run.pk) == "cancelled"
    run.refresh_from_db()
    assert stored == [1] and run.status == "cancelled" and run.finished_at is None
    assert not Match.objects.filter(run=run).exists()


def test_a_failed_run_keeps_its_error_and_shows_nothing(library, monkeypatch):
    run = background.queue_match(AS_OF, library)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(matching, "evaluate_registry", broken)
    with pytest.raises(RuntimeError):
        background.perform(run.pk)
    run.refresh_from_db()
    assert run.status == "failed" and "disk full" in run.error and run.finished_at is None
    monkeypatch.undo()
    background.retry(run.pk, library)
    background.work(batch=True, interval=0)
    run.refresh_from_db()
    assert run.status == "finished" and run.error == ""


def test_only_the_bureau_queues_cancels_or_retries(library):
    firm = create_user("firm", "pw-123456", "enterprise", uscc=USCCS[0])
    with pytest.raises(PermissionDenied):
        background.queue_match(AS_OF, firm)
    run = background.queue_match(AS_OF, library)
    with pytest.raises(PermissionDenied):
        background.cancel(run.pk, firm)
    client = Client()
    client.force_login(firm)
    assert client.post(f"/policies/runs/{run.pk}/cancel/").status_code in (302, 403)
    run.refresh_from_db()
    assert run.status == "queued"


def test_the_cli_queues_and_the_worker_command_runs_it(library):
    runner = CliRunner()
    queued = runner.invoke(cli, ["delivery", "match", "--as-of", "2026-06-30", "--background"])
    assert queued.exit_code == 0, queued.output
    run = MatchRun.objects.get(status="queued")
    assert f"#{run.pk}" in queued.output
    worked = runner.invoke(cli, ["worker", "--batch"])
    assert worked.exit_code == 0, worked.output
    run.refresh_from_db()
    assert run.status == "finished"


def test_queueing_inside_a_transaction_waits_for_its_commit(library):
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        run = background.queue_match(AS_OF, library)
        assert not DBTaskResult.objects.exists()  # a worker could not see the run yet
    assert DBTaskResult.objects.count() == 1
    background.work(batch=True, interval=0)
    run.refresh_from_db()
    assert run.status == "finished"
