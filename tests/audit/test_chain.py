"""The shared audit trail: deleting the tail, a middle event or a checkpoint is detected."""

import importlib
import json
import threading

import pytest
from click.testing import CliRunner
from django.db import connection

from lianzhang.audit import chain
from lianzhang.audit.models import Checkpoint
from lianzhang.cli.main import cli
from lianzhang.policies.models import AuditEvent

pytestmark = pytest.mark.django_db
#: The module (the package re-exports its function ``audit`` under the same name).
policy_audit = importlib.import_module("lianzhang.policies.services.audit")


class Thing:
    def __init__(self, pk):
        self.pk = pk


def fill(n, start=0):
    for i in range(start, start + n):
        policy_audit.audit(None, "open", Thing(i), to_state="eligible", data={"i": i})


def delete(where, *params, table="policies_auditevent"):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {where}", params)


def verify_cli(*extra):
    result = CliRunner().invoke(cli, ["delivery", "verify-audit", *extra])
    return result.exit_code, result.output


def test_a_clean_chain_after_a_checkpoint_verifies():
    fill(60)
    row = policy_audit.checkpoint()
    assert row.seq == 60 and row.hash == AuditEvent.objects.get(seq=60).hash
    fill(3, start=60)  # after the checkpoint: protected by the next one only
    report = policy_audit.verify_audit()
    assert report.ok and report.events == 63 and report.checkpoint == row
    assert policy_audit.verify_audit_chain() == []
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, 64))
    code, out = verify_cli()
    assert code == 0 and "完整" in out and "#60" in out


def test_no_checkpoint_yet_is_a_warning_not_a_failure():
    fill(2)
    report = policy_audit.verify_audit()
    assert report.ok and report.warnings and "no checkpoint" in report.warnings[0]


def test_deleting_the_newest_fifty_events_is_detected():
    fill(80)
    policy_audit.checkpoint()
    delete("seq > %s", 30)
    assert policy_audit.verify_audit_chain() == []  # the shorter chain is still linked…
    report = policy_audit.verify_audit()
    assert not report.ok  # …but no longer holds the published head
    assert any("the newest events were deleted" in p for p in report.problems)
    code, out = verify_cli()
    assert code == 1 and "末尾事件被删除" in out


def test_deleting_the_tail_then_appending_again_is_detected():
    fill(80)
    policy_audit.checkpoint()
    delete("seq > %s", 30)
    fill(60, start=100)  # numbers 31.. again, linked to the shortened head
    report = policy_audit.verify_audit()
    assert not report.ok and any("differs from its checkpoint" in p for p in report.problems)
    with pytest.raises(chain.BrokenChain):  # and a new checkpoint does not launder it
        policy_audit.checkpoint()


def test_deleting_a_middle_event_is_a_gap():
    fill(10)
    policy_audit.checkpoint()
    delete("seq = %s", 4)
    report = policy_audit.verify_audit()
    assert report.gaps == [(4, 4)] and not report.ok
    assert any("events 4 missing" in p for p in report.problems)


def test_editing_a_middle_event_breaks_its_hash():
    fill(10)
    policy_audit.checkpoint()
    event = AuditEvent.objects.get(seq=5)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE policies_auditevent SET reason = 'x' WHERE id = %s", [event.pk])
    report = policy_audit.verify_audit()
    assert report.broken == [event.pk] and not report.ok


def test_deleting_the_checkpoint_row_is_detected():
    fill(5)
    policy_audit.checkpoint()
    delete("1 = 1", table="audit_checkpoint")
    report = policy_audit.verify_audit()
    assert not report.ok and any("checkpoint rows deleted" in p for p in report.problems)


def test_deleting_the_newest_of_several_checkpoint_rows_is_detected():
    fill(5)
    policy_audit.checkpoint()
    fill(5, start=5)
    newest = policy_audit.checkpoint()
    delete("id = %s", newest.pk, table="audit_checkpoint")
    report = policy_audit.verify_audit()
    assert not report.ok and any("disagree" in p for p in report.problems)


def test_deleting_or_truncating_the_checkpoint_file_is_detected():
    fill(5)
    policy_audit.checkpoint()
    fill(5, start=5)
    policy_audit.checkpoint()
    path = chain.checkpoint_file(chain.stream_of(AuditEvent))
    lines = path.read_text("utf-8").splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [5, 10]
    path.write_text(lines[0] + "\n", "utf-8")  # truncated: the newest line gone
    assert any("disagree" in p for p in policy_audit.verify_audit().problems)
    path.write_text("", "utf-8")
    assert any("file missing or empty" in p for p in policy_audit.verify_audit().problems)
    path.unlink()
    assert any("file missing or empty" in p for p in policy_audit.verify_audit().problems)
    assert verify_cli()[0] == 1


def test_the_cli_writes_checkpoints_only_for_an_intact_trail():
    fill(4)
    code, out = verify_cli("--checkpoint")
    assert code == 0 and "#4" in out
    assert Checkpoint.objects.get().seq == 4
    code, out = verify_cli("--checkpoint")  # unchanged head: no second checkpoint
    assert code == 0 and Checkpoint.objects.count() == 1
    delete("seq = %s", 2)
    code, out = verify_cli("--checkpoint")
    assert code == 1 and Checkpoint.objects.count() == 1


def test_checkpoints_are_append_only():
    fill(1)
    row = policy_audit.checkpoint()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        Checkpoint.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(reason="x")


def test_every_app_keeps_its_trail_on_the_chain():
    from lianzhang.appeals.models import Event as AppealEvent
    from lianzhang.innovation.models import Event as InnovationEvent

    assert set(chain.streams()) == {AuditEvent, AppealEvent, InnovationEvent}


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork():
    fill(1)
    barrier = threading.Barrier(4)
    errors = []

    def work(n):
        try:
            barrier.wait()
            fill(5, start=100 + 10 * n)
        except Exception as exc:  # pragma: no cover - the failure is the point
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    report = policy_audit.verify_audit()
    assert report.ok and report.events == 21 and report.broken == [] and report.gaps == []
