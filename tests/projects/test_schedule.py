"""Node deadlines in working days and node status at the holiday lines."""

import datetime as dt

import pytest

from lianzhang.core.calendar import Calendar
from lianzhang.core.errors import ValidationError
from lianzhang.projects.schedule import Project, Status, current_stage, node_statuses, plan

D = dt.date


def first(project, as_of):
    return node_statuses(project, as_of)[0]


def test_a_node_due_today_is_not_overdue():
    # 5 working days after Monday 2025-09-01: Monday 09-08
    p = Project("P", "livelihood", D(2025, 9, 1), limits={"proposal": 5})
    assert first(p, D(2025, 9, 5)).status is Status.OPEN
    assert first(p, D(2025, 9, 5)).workdays_left == 1
    today = first(p, D(2025, 9, 8))
    assert (today.deadline, today.status, today.overdue_workdays) == (D(2025, 9, 8), Status.DUE, 0)
    assert today.workdays_left == 0
    after = first(p, D(2025, 9, 9))
    assert (after.status, after.overdue_workdays) == (Status.OVERDUE, 1)


def test_overdue_by_one_working_day_across_national_day():
    # Friday 09-26 + 3 working days: Sunday 09-28 (调休, worked), 09-29, 09-30.
    p = Project("P", "livelihood", D(2025, 9, 26), limits={"proposal": 3})
    assert first(p, D(2025, 9, 30)).deadline == D(2025, 9, 30)
    # 10-01..10-08 off: no working day lost during the holiday
    assert first(p, D(2025, 10, 1)).status is Status.DUE
    assert first(p, D(2025, 10, 8)).status is Status.DUE
    node = first(p, D(2025, 10, 9))
    assert (node.status, node.overdue_workdays) == (Status.OVERDUE, 1)
    # Saturday 10-11 is worked (调休): 10-09, 10-10, 10-11
    assert first(p, D(2025, 10, 12)).overdue_workdays == 3


def test_overdue_by_one_working_day_across_spring_festival():
    # Friday 2025-01-24 + 2: Sunday 01-26 (worked), Monday 01-27; 01-28..02-04 off
    p = Project("P", "livelihood", D(2025, 1, 24), limits={"proposal": 2})
    assert first(p, D(2025, 1, 27)).deadline == D(2025, 1, 27)
    assert first(p, D(2025, 2, 4)).status is Status.DUE
    node = first(p, D(2025, 2, 5))
    assert (node.status, node.overdue_workdays) == (Status.OVERDUE, 1)


def test_a_zero_limit_is_the_start_day_or_the_next_working_day():
    p = Project("P", "livelihood", D(2025, 10, 1), limits={"proposal": 0})
    assert first(p, D(2025, 10, 9)).deadline == D(2025, 10, 9)


def test_parallel_nodes_start_together_and_a_join_waits_for_the_last():
    # livelihood: proposal → feasibility (20) and land_preapproval (20) in parallel;
    # preliminary_design after both
    p = Project(
        "P", "livelihood", D(2025, 3, 3), limits={"feasibility": 10, "land_preapproval": 30}
    )
    nodes = {n.code: n for n in plan(p)}
    assert (
        nodes["feasibility"].start == nodes["land_preapproval"].start == nodes["proposal"].deadline
    )
    assert nodes["land_preapproval"].deadline > nodes["feasibility"].deadline
    assert nodes["preliminary_design"].start == nodes["land_preapproval"].deadline


def test_serial_nodes_start_from_the_actual_finish_when_known():
    cal = Calendar()
    planned = {n.code: n for n in plan(Project("P", "livelihood", D(2025, 3, 3)))}
    early = D(2025, 3, 10)
    late = D(2025, 4, 15)
    for finish in (early, late):
        p = Project("P", "livelihood", D(2025, 3, 3), finished={"proposal": finish})
        nodes = {n.code: n for n in plan(p)}
        assert nodes["feasibility"].start == finish
        assert nodes["feasibility"].deadline == cal.add_workdays(finish, 20)
    assert planned["feasibility"].start == planned["proposal"].deadline


def test_waiting_done_and_late_statuses():
    p = Project(
        "P",
        "livelihood",
        D(2025, 3, 3),
        limits={"proposal": 5},
        finished={"proposal": D(2025, 3, 12)},
    )
    nodes = {n.code: n for n in node_statuses(p, D(2025, 3, 12))}
    # deadline 03-10; finished 03-12: two working days late
    assert (nodes["proposal"].status, nodes["proposal"].late) == (Status.DONE, True)
    assert nodes["proposal"].overdue_workdays == 2
    assert nodes["feasibility"].status is Status.OPEN
    assert nodes["preliminary_design"].status is Status.WAITING
    assert current_stage(p, D(2025, 3, 12)) == "planning"


def test_dates_past_the_holiday_data_are_unknown_not_guessed():
    p = Project("P", "industrial", D(2026, 6, 1))
    nodes = node_statuses(p, D(2026, 6, 2))
    assert nodes[0].status is Status.OPEN
    assert nodes[-1].deadline is None and nodes[-1].start is None
    assert nodes[-1].status is Status.WAITING


def test_bad_input_is_refused_in_both_languages():
    with pytest.raises(ValidationError, match="非负"):
        plan(Project("P", "livelihood", D(2025, 3, 3), limits={"proposal": -1}))
    with pytest.raises(ValidationError, match="not in template"):
        plan(Project("P", "livelihood", D(2025, 3, 3), limits={"nope": 3}))
    with pytest.raises(ValidationError, match="unknown nodes"):
        plan(Project("P", "livelihood", D(2025, 3, 3), finished={"nope": D(2025, 3, 4)}))
    with pytest.raises(ValidationError, match="after the as-of date"):
        node_statuses(
            Project("P", "livelihood", D(2025, 3, 3), finished={"proposal": D(2025, 3, 9)}),
            D(2025, 3, 8),
        )
    with pytest.raises(ValidationError, match="no node template"):
        plan(Project("P", "nope", D(2025, 3, 3)))
    with pytest.raises(ValidationError, match="outside the known holiday years"):
        plan(Project("P", "livelihood", D(2030, 3, 3)))
