"""三未 lists and 集中开工 batches."""

import datetime as dt
from decimal import Decimal

from lianzhang.projects.lists import not_started, ready_to_start, select_batch, three_unfinished
from lianzhang.projects.schedule import Project, plan

D = dt.date
START = D(2025, 1, 2)
AS_OF = D(2025, 9, 30)


def before(code, finish, category="livelihood"):
    """Every ancestor of ``code`` (and ``code`` itself) finished on ``finish``."""
    t = Project("x", category, START).template
    return {c: finish for c in t.ancestors[code] | {code}}


def test_three_unfinished_lists():
    approved = Project("A", "livelihood", START, finished=before("feasibility", D(2025, 3, 3)))
    started = Project("B", "livelihood", START, finished=before("groundbreaking", D(2025, 9, 1)))
    building = Project(
        "C",
        "livelihood",
        START,
        finished={**before("groundbreaking", D(2025, 6, 2)), "first_works": D(2025, 7, 1)},
    )
    fresh = Project("D", "livelihood", START)
    lists = three_unfinished([fresh, building, started, approved], AS_OF)
    assert [e.project for e in lists["approved_not_started"]] == ["A"]
    assert [e.project for e in lists["started_not_building"]] == ["B"]
    assert [e.project for e in lists["building_not_completed"]] == ["C"]
    a = lists["approved_not_started"][0]
    assert a.since == D(2025, 3, 3) and a.workdays > 100
    assert a.next_deadline is not None
    b = lists["started_not_building"][0]
    # first_works: 20 working days after 09-01 is Sunday 09-28 (调休), so two lost on 09-30
    assert (b.next_deadline, b.overdue, b.overdue_workdays) == (D(2025, 9, 28), True, 2)
    late = three_unfinished([building, started], AS_OF, only_overdue=True)
    assert [e.project for e in late["started_not_building"]] == ["B"]
    assert late["building_not_completed"] == []


def test_batch_selects_projects_whose_start_conditions_are_met():
    ready = before("construction_permit", D(2025, 1, 20))
    ready_a = Project("A", "livelihood", START, finished=ready, district="高新区",
                      total_investment=Decimal("150000000.00"))  # fmt: skip
    ready_b = Project("B", "industrial", START, finished=before("construction_permit", D(2025, 1, 21), "industrial") | before("site_preparation", D(2025, 1, 21), "industrial"),  # noqa: E501
                      district="武侯区", total_investment=Decimal("2000000000.50"))  # fmt: skip
    ready_c = Project("C", "livelihood", START, finished=ready, district="高新区")
    on_day = Project("E", "livelihood", START, district="高新区",
                     finished={**ready, "groundbreaking": D(2025, 2, 6)})  # fmt: skip
    too_late = Project(
        "L", "livelihood", START, finished=before("construction_permit", D(2025, 2, 7))
    )
    started = Project("S", "livelihood", START, finished=before("groundbreaking", D(2025, 1, 20)))
    missing = dict(ready)
    del missing["tender"]
    not_ready = Project("N", "livelihood", START, finished=missing)
    everyone = [ready_a, ready_b, ready_c, on_day, too_late, started, not_ready]
    batch = select_batch(everyone, D(2025, 2, 6))
    assert batch.projects == ["A", "B", "C", "E"]
    assert batch.total.count == 4 and batch.total.unknown == 2
    assert batch.total.investment == Decimal("2150000000.50")
    assert batch.by_district["高新区"].count == 3
    assert batch.by_district["高新区"].investment == Decimal("150000000.00")
    assert batch.by_category["industrial"].investment == Decimal("2000000000.50")
    # after the event: E started, A, B and C did not (yet)
    assert not_started(batch, everyone, D(2025, 2, 7)) == ["A", "B", "C"]


def test_forecast_counts_planned_finishes():
    p = Project("F", "livelihood", START)
    permit = {n.code: n for n in plan(p)}["construction_permit"]
    assert permit.deadline is not None
    assert not ready_to_start(p, permit.deadline)
    assert ready_to_start(p, permit.deadline, forecast=True)
    assert not ready_to_start(p, permit.deadline - dt.timedelta(days=1), forecast=True)
