"""The same chain for innovation's audit and the appeals event log, and the migration."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from lianzhang.audit import chain
from lianzhang.audit.migrating import number
from lianzhang.innovation.models import Event
from tests.innovation import conftest as innovation

pytestmark = pytest.mark.django_db
people = innovation.people  # the innovation suite's fixture

FIELDS = ("kind", "object_id", "action", "from_state", "to_state", "by_id", "reason")


def add(n):
    for i in range(n):
        chain.append(Event, kind="demand", object_id=i, action="publish", to_state="published")


def test_innovation_events_are_chained_and_their_tail_is_protected():
    add(60)
    chain.checkpoint(Event)
    assert chain.verify(Event).ok
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM innovation_event WHERE seq > 10")
    report = chain.verify(Event)
    assert not report.ok and "innovation.event" in report.problems[0]


def test_the_innovation_service_writes_the_chain(people):
    from tests.innovation.test_services import post

    post(people["firm"])
    post(people["firm"])
    assert list(Event.objects.values_list("seq", flat=True)) == [1, 2]
    assert chain.verify(Event).ok


def test_appeals_events_are_chained_with_their_times():
    from lianzhang.appeals.models import Event as AppealEvent

    assert "at" in AppealEvent.chain_fields
    moment = dt.datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    event = AppealEvent(prev_hash=chain.GENESIS, kind="filed", at=moment, data={"x": 1})
    event.appeal_id = 1
    again = AppealEvent(prev_hash=chain.GENESIS, kind="filed", at=moment.astimezone(dt.UTC))
    again.appeal_id, again.data = 1, {"x": 1}
    assert event.digest() == again.digest()  # the same moment in another zone


def test_the_migration_numbers_and_hashes_existing_rows():
    state = MigrationLoader(connection).project_state(("innovation", "0002_event_chain")).apps
    old = state.get_model("innovation", "Event")
    for i in range(5):
        old.objects.create(kind="demand", object_id=i, action="post", seq=100 - i)
    number(state, "innovation", "Event", FIELDS)
    assert list(Event.objects.order_by("id").values_list("seq", flat=True)) == [1, 2, 3, 4, 5]
    assert chain.verify(Event).ok
