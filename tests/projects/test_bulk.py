"""The vectorised health agrees with the per-project pure functions."""

import datetime as dt
import random
from decimal import Decimal
from fractions import Fraction

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lianzhang.core.calendar import Calendar, default_calendar
from lianzhang.core.errors import ValidationError
from lianzhang.core.money import from_fen
from lianzhang.projects import bulk
from lianzhang.projects.health import DEFAULT_RULES, HealthRules, project_health, time_share
from lianzhang.projects.schedule import Project
from lianzhang.projects.templates import shipped

D = dt.date
LO, HI = D(2023, 1, 1), D(2026, 12, 31)

#: The package's calendar for 2023–2026 as explicit days: the same answers, looked up
#: instead of asked of chinesecalendar day by day (which costs ~0.1 ms a day).
FAST = Calendar(
    overrides={
        LO + dt.timedelta(days=k): default_calendar().is_workday(LO + dt.timedelta(days=k))
        for k in range((HI - LO).days + 1)
    }
)


def random_projects(rng: random.Random, n: int, as_of: dt.date) -> list[Project]:
    out = []
    for k in range(n):
        category = rng.choice(sorted(shipped()))
        t = shipped()[category]
        start = as_of - dt.timedelta(days=rng.randint(0, 700))
        start = max(start, LO)
        span = (as_of - start).days
        limits = {c: rng.randint(0, 40) for c in t.by_code if rng.random() < 0.3}
        finished = {
            c: start + dt.timedelta(days=rng.randint(0, span))
            for c in t.order[: rng.randint(0, len(t.order))]
            if rng.random() < 0.8
        }
        planned = rng.choice([None, 0] + [rng.randint(1, 10**12)] * 4)
        share = time_share(as_of, rng.choice(["month", "day"]))
        if planned and rng.random() < 0.3:  # on the time share, or just off it
            exact = Fraction(planned) * share
            completed = int(exact) + (rng.choice([-1, 0, 1]) if exact.denominator == 1 else 0)
            completed = max(completed, 0)
        else:
            completed = rng.choice([None, rng.randint(0, 10**12), rng.randint(0, planned or 1)])
        out.append(
            Project(
                f"P{k:04d}",
                category,
                start,
                limits=limits,
                finished=finished,
                year_planned=None if planned is None else from_fen(planned),
                year_completed=None if completed is None else from_fen(completed),
                open_blockers=rng.randint(0, 4),
            )
        )
    return out


def frames(projects: list[Project]) -> tuple[pl.DataFrame, pl.DataFrame]:
    def fen(v: Decimal | None) -> int | None:
        return None if v is None else int(v * 100)

    proj = pl.DataFrame(
        {
            "project": [p.code for p in projects],
            "category": [p.category for p in projects],
            "start": [p.start for p in projects],
            "year_planned": [fen(p.year_planned) for p in projects],
            "year_completed": [fen(p.year_completed) for p in projects],
            "open_blockers": [p.open_blockers for p in projects],
        },
        schema=bulk.PROJECT_SCHEMA,
    )
    rows = []
    for p in projects:
        for code in set(p.limits) | set(p.finished):
            rows.append((p.code, code, p.limits.get(code), p.finished.get(code)))
    nodes = pl.DataFrame(rows, schema=bulk.NODE_SCHEMA, orient="row")
    return proj, nodes


def compare(projects, as_of, rules=DEFAULT_RULES, calendar=FAST):
    proj, nodes = frames(projects)
    result = bulk.health_frame(proj, nodes, as_of, rules, calendar)
    got = {r["project"]: r for r in result.to_dicts()}
    assert len(got) == len(projects)
    for p in projects:
        h = project_health(p, as_of, rules, calendar)
        row = got[p.code]
        expected = dict(
            stage=h.stage,
            done_nodes=h.done_nodes,
            due_nodes=h.due_nodes,
            overdue_nodes=h.overdue_nodes,
            max_overdue_workdays=h.max_overdue_workdays,
            on_pace=h.pace.on_pace,
            grade=h.grade.value,
        )
        assert {k: row[k] for k in expected} == expected, p
        if h.pace.completion is None:
            assert row["completion"] is None
        else:
            assert row["completion"] == pytest.approx(float(h.pace.completion))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32),
    as_of=st.dates(D(2023, 6, 1), HI),
    basis=st.sampled_from(["month", "day"]),
    unknown_yellow=st.booleans(),
    red_nodes=st.integers(1, 10),
    red_days=st.integers(1, 400),
    red_blockers=st.integers(1, 5),
    red_gap=st.fractions(Fraction(1, 100), Fraction(1, 2), max_denominator=1000),
)
def test_bulk_agrees_with_the_pure_functions(
    seed, as_of, basis, unknown_yellow, red_nodes, red_days, red_blockers, red_gap
):
    rules = HealthRules(
        yellow_overdue_nodes=1,
        red_overdue_nodes=red_nodes,
        red_overdue_workdays=red_days,
        red_pace_gap=red_gap,
        yellow_blockers=1,
        red_blockers=red_blockers,
        unknown_pace_is_yellow=unknown_yellow,
        basis=basis,
    )
    compare(random_projects(random.Random(seed), 20, as_of), as_of, rules)


def test_bulk_agrees_at_the_holiday_lines():
    p = Project("P", "livelihood", D(2025, 9, 26), limits={"proposal": 3})
    for day in (D(2025, 9, 30), D(2025, 10, 8), D(2025, 10, 9), D(2025, 10, 12)):
        compare([p], day, calendar=default_calendar())


@settings(max_examples=60, deadline=None)
@given(day=st.dates(D(2024, 1, 1), D(2026, 6, 30)), n=st.integers(0, 60))
def test_workday_table_matches_the_calendar(day, n):
    cal = FAST
    table = bulk.Workdays.build(cal, D(2024, 1, 1))
    got = table.add(pl.Series([bulk.ordinal(day)]).to_numpy(), pl.Series([n]).to_numpy())[0]
    assert got == bulk.ordinal(cal.add_workdays(day, n))


def test_past_the_calendar_is_unknown_in_both():
    far = [Project("P", "industrial", D(2026, 6, 1))]
    compare(far, D(2026, 6, 2), calendar=default_calendar())
    compare(far, D(2026, 6, 2))


def test_empty_and_bad_frames():
    proj, nodes = frames([])
    assert bulk.health_frame(proj, nodes, D(2025, 6, 30)).height == 0
    ok, _ = frames([Project("P", "livelihood", D(2025, 1, 2))])
    cases = [
        (ok.drop("start"), nodes, "lacks columns"),
        (pl.concat([ok, ok]), nodes, "duplicate project"),
        (ok.with_columns(year_planned=pl.lit(-1)), nodes, "negative investment"),
        (ok.with_columns(category=pl.lit("nope")), nodes, "no node template"),
        (ok.with_columns(open_blockers=pl.lit(None, pl.Int64)), nodes, "blockers"),
        (ok.with_columns(open_blockers=pl.lit(-1)), nodes, "blockers"),
        (
            ok,
            pl.DataFrame([("Q", "proposal", 1, None)], bulk.NODE_SCHEMA, orient="row"),
            "unknown projects",
        ),
        (
            ok,
            pl.DataFrame([("P", "nope", 1, None)], bulk.NODE_SCHEMA, orient="row"),
            "has no nodes",
        ),
        (
            ok,
            pl.DataFrame([("P", "proposal", -1, None)], bulk.NODE_SCHEMA, orient="row"),
            "negative node",
        ),
        (
            ok,
            pl.DataFrame([("P", "proposal", 1, D(2025, 7, 1))], bulk.NODE_SCHEMA, orient="row"),
            "after",
        ),
        (
            ok,
            pl.DataFrame([("P", "proposal", 1, None)] * 2, bulk.NODE_SCHEMA, orient="row"),
            "duplicate nodes",
        ),
    ]
    for proj_frame, node_frame, message in cases:
        with pytest.raises(ValidationError, match=message):
            bulk.health_frame(proj_frame, node_frame, D(2025, 6, 30))


def test_a_local_calendar_override_is_used():
    # declare 2025-09-30 a holiday: the node due that day is due on 10-09 instead
    cal = Calendar(overrides={D(2025, 9, 30): False})
    p = Project("P", "livelihood", D(2025, 9, 26), limits={"proposal": 3})
    proj, nodes = frames([p])
    row = bulk.health_frame(proj, nodes, D(2025, 10, 9), calendar=cal).row(0, named=True)
    assert (row["due_nodes"], row["overdue_nodes"]) == (1, 0)
    assert project_health(p, D(2025, 10, 9), calendar=cal).due_nodes == 1
