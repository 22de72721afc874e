"""Match runs in the background: queued from a page or the CLI, run by a worker, with
progress, cancellable, safe to retry.

The queue is django-tasks with its database backend (``django_tasks_db``): no server
beyond the database, on SQLite as on PostgreSQL. ``lianzhang worker`` runs the worker;
``lianzhang serve`` and ``lianzhang demo`` start one in a thread, so the README's one
command keeps "立即匹配" working. The run itself is ``matching.execute``, the code the
synchronous ``run_match`` runs, so both give the same matches.

A run's state lives on ``MatchRun`` (status, stage, done/total, error), written as it
advances and read by the page. Pages and queries read finished runs only, so a run that
is cancelled or fails half-way is never shown: its stored matches are removed. Running a
task twice (a retry, a duplicate delivery) does nothing to a finished run.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from lianzhang.accounts import access
from lianzhang.core.errors import Conflict, NotFound, PermissionDenied

from . import matching
from .models import Match, MatchRun
from .services import audit, open_cases

Status = MatchRun.Status

#: The stages of a run, for its page.
STAGES = {
    "evaluating": _("evaluating the library"),
    "storing": _("storing the results"),
    "opening": _("opening cases and notifying the enterprises"),
}


class Cancelled(Exception):
    """Raised at a progress report once someone asked to stop the run."""


def _bureau(user: Any) -> None:
    if not access.is_bureau(user):
        raise PermissionDenied("只有局内人员可以运行匹配", "only bureau staff run matches")


def queue_match(as_of: Any, user: Any, *, open_cases: bool = False) -> MatchRun:
    """A queued run of ``as_of``; a worker evaluates it once the transaction commits."""
    _bureau(user)
    run = matching.new_run(as_of, user)
    run.open_cases = open_cases
    run.save(update_fields=["open_cases"])
    transaction.on_commit(lambda: run_in_background.enqueue(run.pk))
    return run


def _run(run_id: int) -> MatchRun:
    run = MatchRun.objects.filter(pk=run_id).first()
    if run is None:
        raise NotFound(f"没有匹配记录 {run_id}", f"no match run {run_id}")
    return run


def _report(run: MatchRun) -> matching.Progress:
    def progress(stage: str, done: int, total: int) -> None:
        MatchRun.objects.filter(pk=run.pk).update(stage=stage, done=done, total=total)
        if MatchRun.objects.filter(pk=run.pk, cancel_requested=True).exists():
            raise Cancelled

    return progress


def perform(run_id: int) -> str:
    """Evaluate a queued run (what the worker calls); returns the status it ends in."""
    run = _run(run_id)
    if run.status in (Status.FINISHED, Status.CANCELLED):
        return str(run.status)  # delivered twice, or cancelled while queued
    Match.objects.filter(run=run).delete()  # a retried run starts clean
    MatchRun.objects.filter(pk=run.pk).update(status=Status.RUNNING, error="", done=0, total=0)
    progress = _report(run)
    try:
        matching.execute(run, progress)
        if run.open_cases:
            eligible = run.matches.filter(verdict="eligible").select_related("policy")
            progress("opening", 0, run.eligible)
            opened = open_cases(eligible, run.as_of.year, run.started_by)
            progress("opening", len(opened), len(opened))
    except Cancelled:
        Match.objects.filter(run=run).delete()
        MatchRun.objects.filter(pk=run.pk).update(status=Status.CANCELLED, finished_at=None)
        return str(Status.CANCELLED)
    except Exception as exc:
        Match.objects.filter(run=run).delete()
        MatchRun.objects.filter(pk=run.pk).update(
            status=Status.FAILED, finished_at=None, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise  # the task's own result records the traceback
    return str(Status.FINISHED)


@task()
def run_in_background(run_id: int) -> str:
    return perform(run_id)


def cancel(run_id: int, user: Any) -> MatchRun:
    """Ask a queued or running run to stop (a queued one stops at once), audited."""
    _bureau(user)
    with transaction.atomic():
        run = MatchRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:
            raise NotFound(f"没有匹配记录 {run_id}", f"no match run {run_id}")
        if run.status not in (Status.QUEUED, Status.RUNNING):
            raise Conflict("该匹配已结束，不能取消", "this run has ended: nothing to cancel")
        run.cancel_requested = True
        if run.status == Status.QUEUED:
            run.status = Status.CANCELLED
        run.save(update_fields=["cancel_requested", "status"])
        audit(user, "cancel_match", run, to_state=str(run.status))
    return run


def retry(run_id: int, user: Any) -> MatchRun:
    """Queue a failed or cancelled run again (the same run, its as-of date), audited."""
    _bureau(user)
    with transaction.atomic():
        run = MatchRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:
            raise NotFound(f"没有匹配记录 {run_id}", f"no match run {run_id}")
        if run.status not in (Status.FAILED, Status.CANCELLED):
            raise Conflict(
                "只有失败或已取消的匹配可以重试", "only a failed or cancelled run can be retried"
            )
        run.status, run.cancel_requested, run.error = Status.QUEUED, False, ""
        run.save(update_fields=["status", "cancel_requested", "error"])
        audit(user, "retry_match", run, to_state=str(run.status))
        transaction.on_commit(lambda: run_in_background.enqueue(run.pk))
    return run


def work(*, batch: bool, interval: float = 1.0) -> None:
    """Run the queue's worker in this thread: until the queue is empty (``batch``), or
    until the process ends."""
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["default"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=f"lianzhang-{'batch' if batch else 'thread'}",
        excluded_queue_names=[],
    ).run()
