"""Match runs (cases opened) and payment runs publish the chain's head once they commit."""

import pytest

from lianzhang.audit import chain
from lianzhang.audit.models import Checkpoint
from lianzhang.policies import services
from lianzhang.policies.models import AuditEvent, Case
from tests.policies import conftest as delivery
from tests.policies.conftest import make_matches, make_policy

pytestmark = pytest.mark.django_db
city, people = delivery.city, delivery.people  # the delivery suite's fixtures


def test_opening_cases_and_a_payment_run_checkpoint_the_chain(
    people, city, django_capture_on_commit_callbacks
):
    policy = make_policy("city.audit-pay", "automatic")
    with django_capture_on_commit_callbacks(execute=True):
        cases = services.open_cases(make_matches(policy, list(city[:2]), ["10", "20"]), 2026)
    opened = Checkpoint.objects.get()
    assert opened.seq == AuditEvent.objects.count() == 2
    for case in cases:
        Case.objects.filter(pk=case.pk).update(state="confirmed", bank_account="62220202")
        services.approve(case.pk, people["analyst"])
    services.allocate(policy, 2026, people["analyst"])
    run = services.create_payment_run(policy, 2026, people["analyst"])
    with django_capture_on_commit_callbacks(execute=True):
        assert services.execute_payment_run(run, people["analyst"]) == 2
    newest = Checkpoint.objects.order_by("-id").first()
    assert newest.seq == AuditEvent.objects.count() > opened.seq
    report = chain.verify(AuditEvent)
    assert report.ok and report.checkpoint == newest and not report.warnings
