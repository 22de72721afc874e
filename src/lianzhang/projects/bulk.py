"""Health for many projects at once: the rules of ``schedule`` and ``health``, vectorised.

Inputs, Polars frames:

``projects``  project (Utf8, unique), category (Utf8: a template), start (Date),
              year_planned, year_completed (Int64 fen, null = unknown), open_blockers
              (Int64, optional: 0 when the column is absent)
``nodes``     project, node (Utf8), limit (Int64 working days, null = the template's
              default), finished (Date, null = not finished). A node without a row keeps
              its default limit and is unfinished.

``health_frame`` returns one row per project: project, stage, done_nodes, due_nodes,
overdue_nodes, max_overdue_workdays, completion (Float64, for display), on_pace (Boolean,
exact), grade. It agrees with ``health.project_health`` on every column (the tests compare
them on random projects).

How: the working days from the earliest start to the calendar's last known day become a
table (``Workdays``: cumulative counts and the list of working days), so ``add_workdays``
and ``workdays_between`` are array look-ups. Projects of one category share a template,
so each category is a projects × nodes matrix swept once in topological order (numpy);
pace and grade are Polars expressions over exact integers (Int128).

>>> from lianzhang.core.calendar import Calendar
>>> table = Workdays.build(Calendar(), dt.date(2025, 9, 26))
>>> days = table.add(np.array([ordinal(dt.date(2025, 9, 30))]), np.array([1]))
>>> EPOCH + dt.timedelta(days=int(days[0]))  # the first working day after 国庆
datetime.date(2025, 10, 9)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl

from lianzhang.core.calendar import Calendar, CalendarError, default_calendar
from lianzhang.core.errors import ValidationError

from .health import DEFAULT_RULES, HealthRules, time_share
from .stages import BY_CODE as STAGES
from .stages import STAGES as STAGE_LIST
from .templates import Template, template

EPOCH = dt.date(1970, 1, 1)
#: "unknown date" in the matrices: larger than any day, so a max over it stays unknown
NULL = np.int64(1 << 40)
PROJECT_SCHEMA = {
    "project": pl.Utf8,
    "category": pl.Utf8,
    "start": pl.Date,
    "year_planned": pl.Int64,
    "year_completed": pl.Int64,
    "open_blockers": pl.Int64,
}
NODE_SCHEMA = {"project": pl.Utf8, "node": pl.Utf8, "limit": pl.Int64, "finished": pl.Date}
#: the longest span a table covers (the holiday data stops long before)
MAX_DAYS = 100 * 366


def ordinal(day: dt.date) -> int:
    return (day - EPOCH).days


@dataclass(frozen=True)
class Workdays:
    """The calendar from ``lo`` to its last known day, as arrays of day ordinals."""

    lo: int
    #: cum[i]: working days in [lo, lo + i]
    cum: np.ndarray
    work: np.ndarray
    #: the working days, in order
    days: np.ndarray

    @classmethod
    def build(cls, calendar: Calendar, lo: dt.date) -> Workdays:
        flags = [calendar.is_workday(lo)]  # an unknown first day is an error
        day = lo
        for _ in range(MAX_DAYS):
            day += dt.timedelta(days=1)
            try:
                flags.append(calendar.is_workday(day))
            except CalendarError:
                break
        work = np.array(flags, dtype=np.int64)
        start = ordinal(lo)
        days = np.flatnonzero(work).astype(np.int64) + start
        return cls(start, np.cumsum(work), work, days)

    @property
    def hi(self) -> int:
        return self.lo + len(self.cum) - 1

    def add(self, day: np.ndarray, n: np.ndarray) -> np.ndarray:
        """``add_workdays`` element-wise; NULL in, or past the last known day, gives NULL."""
        known = day < NULL
        off = np.where(known, day - self.lo, 0)
        c = self.cum[off]
        idx = np.where(n >= 1, c + n - 1, c - self.work[off])
        ok = known & (idx < len(self.days))
        return np.where(ok, self.days[np.clip(idx, 0, len(self.days) - 1)], NULL)

    def count(self, day: np.ndarray) -> np.ndarray:
        """Working days in [lo, day] (day known and within the table)."""
        out: np.ndarray = self.cum[np.clip(day - self.lo, 0, len(self.cum) - 1)]
        return out


def _frame(
    frame: pl.DataFrame, schema: Mapping[str, pl.DataType | type[pl.DataType]], name: str
) -> pl.DataFrame:
    if name == "projects" and "open_blockers" not in frame.columns:
        frame = frame.with_columns(pl.lit(0, pl.Int64).alias("open_blockers"))
    missing = [c for c in schema if c not in frame.columns]
    if missing:
        raise ValidationError(
            f"{name} 表缺少列：{', '.join(missing)}", f"{name} lacks columns: {', '.join(missing)}"
        )
    try:
        return frame.select([pl.col(c).cast(t, strict=True) for c, t in schema.items()])
    except pl.exceptions.PolarsError as exc:
        raise ValidationError(
            f"{name} 表的列类型不对：{exc}", f"{name} has a column of the wrong type: {exc}"
        ) from None


def _check(projects: pl.DataFrame, nodes: pl.DataFrame, as_of: dt.date) -> None:
    def fail(zh: str, en: str, frame: pl.DataFrame) -> ValidationError:
        sample = ", ".join(str(v) for v in frame.head(5).to_series().to_list())
        return ValidationError(f"{zh}：{sample}", f"{en}: {sample}")

    if (bad := projects.filter(pl.col("project").is_duplicated())).height:
        raise fail("项目编码重复", "duplicate project codes", bad)
    if (bad := projects.filter(pl.col("start").is_null() | pl.col("category").is_null())).height:
        raise fail("项目缺少开始日期或类别", "projects lack a start date or category", bad)
    money = (pl.col("year_planned") < 0) | (pl.col("year_completed") < 0)
    blockers = pl.col("open_blockers").is_null() | (pl.col("open_blockers") < 0)
    if (bad := projects.filter(money | blockers)).height:
        raise fail("投资额或堵点数为负或缺失", "negative investment or blockers", bad)
    bad_limit, bad_finish = nodes.select(
        (pl.col("limit") < 0).any(), (pl.col("finished") > as_of).any()
    ).row(0)
    if bad_limit:
        raise fail("节点时限为负", "negative node limits", nodes.filter(pl.col("limit") < 0))
    if bad_finish:
        raise fail(
            f"节点完成日期晚于评估日 {as_of}",
            f"nodes finished after {as_of}",
            nodes.filter(pl.col("finished") > as_of),
        )


def _sweep(
    t: Template, group: pl.DataFrame, nodes: pl.DataFrame, as_of: int, table: Workdays
) -> pl.DataFrame:
    """Node counts and the stage of one category's projects."""
    order = list(t.order)
    col = {code: k for k, code in enumerate(order)}
    p, n = group.height, len(order)
    rows = group.select("project").with_row_index("row")
    cells = nodes.join(rows, on="project", how="inner")
    unknown = cells.filter(~pl.col("node").is_in(order))
    if unknown.height:
        raise ValidationError(
            f"模板 {t.category} 没有节点：{', '.join(unknown['node'].unique().to_list()[:5])}",
            f"template {t.category} has no nodes: {', '.join(unknown['node'].unique()[:5])}",
        )
    r = cells["row"].to_numpy().astype(np.int64)
    c = cells["node"].replace_strict(col, return_dtype=pl.Int64).to_numpy()
    if len(r) and np.bincount(r * n + c).max() > 1:
        twice = cells.filter(pl.struct("project", "node").is_duplicated())["project"]
        raise ValidationError(
            f"同一项目的节点重复：{', '.join(twice.unique().head(5).to_list())}",
            f"duplicate nodes of a project: {', '.join(twice.unique().head(5).to_list())}",
        )
    limit = np.tile(np.array([t.by_code[x].days for x in order], dtype=np.int64), (p, 1))
    given = cells["limit"].to_numpy(allow_copy=True)
    has = ~cells["limit"].is_null().to_numpy()
    limit[r[has], c[has]] = given[has].astype(np.int64)
    fin = np.full((p, n), NULL, dtype=np.int64)
    done_at = cells["finished"].cast(pl.Int32).to_numpy(allow_copy=True)
    has = ~cells["finished"].is_null().to_numpy()
    fin[r[has], c[has]] = done_at[has].astype(np.int64)
    done = fin < NULL
    start = group["start"].cast(pl.Int32).to_numpy().astype(np.int64)
    deadline = np.empty((p, n), dtype=np.int64)
    ready = np.ones((p, n), dtype=bool)
    for j, code in enumerate(order):
        preds = [col[a] for a in t.by_code[code].after]
        if preds:
            finish = np.where(done[:, preds], fin[:, preds], deadline[:, preds])
            s = finish.max(axis=1)
            ready[:, j] = done[:, preds].all(axis=1)
        else:
            s = start
        deadline[:, j] = table.add(s, limit[:, j])
    workable = ~done & ready & (deadline < NULL)
    lost = np.where(workable, table.count(np.full(p, as_of))[:, None] - table.count(deadline), 0)
    overdue = workable & (lost >= 1)
    due = workable & (deadline <= as_of) & (lost == 0)
    orders = np.array([STAGES[t.by_code[x].stage].order for x in order])
    first_open = np.where(done, len(STAGE_LIST), orders[None, :]).min(axis=1)
    first_open = np.where(first_open == len(STAGE_LIST), orders.max(), first_open)
    return pl.DataFrame(
        {
            "project": group["project"],
            "stage": [STAGE_LIST[k].code for k in first_open.tolist()],
            "done_nodes": done.sum(axis=1).astype(np.int64),
            "due_nodes": due.sum(axis=1).astype(np.int64),
            "overdue_nodes": overdue.sum(axis=1).astype(np.int64),
            "max_overdue_workdays": np.where(overdue, lost, 0).max(axis=1).astype(np.int64),
            "node_rows": np.bincount(r, minlength=p).astype(np.int64),
        }
    )


def health_frame(
    projects: pl.DataFrame,
    nodes: pl.DataFrame,
    as_of: dt.date,
    rules: HealthRules = DEFAULT_RULES,
    calendar: Calendar | None = None,
) -> pl.DataFrame:
    """Every project's health on ``as_of`` (see the module)."""
    cal = calendar or default_calendar()
    projects = _frame(projects, PROJECT_SCHEMA, "projects")
    nodes = _frame(nodes, NODE_SCHEMA, "nodes")
    _check(projects, nodes, as_of)
    cal.is_workday(as_of)  # refuses an as-of date the calendar does not know
    if projects.height == 0:
        if nodes.height:
            raise ValidationError("节点所属项目不存在", "nodes of unknown projects")
        return _grade(projects.with_columns(_empty_counts()), as_of, rules)
    starts = projects["start"]
    first, latest = min(_day(starts.min()), as_of), _day(starts.max())
    table = Workdays.build(cal, first)
    if ordinal(latest) > table.hi:
        raise CalendarError(
            f"项目开始日期 {latest} 超出节假日数据范围", f"start {latest} is past the calendar"
        )
    parts = []
    for (category,), group in projects.group_by("category", maintain_order=True):
        t = template(str(category))
        parts.append(_sweep(t, group, nodes, ordinal(as_of), table))
    counts = pl.concat(parts)
    if int(counts["node_rows"].sum()) != nodes.height:
        orphans = nodes.join(projects, on="project", how="anti")["project"].head(5)
        raise ValidationError(
            f"节点所属项目不存在：{', '.join(orphans.to_list())}",
            f"nodes of unknown projects: {', '.join(orphans.to_list())}",
        )
    return _grade(projects.join(counts, on="project", how="left"), as_of, rules)


def _day(value: object) -> dt.date:
    assert isinstance(value, dt.date)
    return value


def _empty_counts() -> list[pl.Expr]:
    return [pl.lit(None, pl.Utf8).alias("stage")] + [
        pl.lit(0, pl.Int64).alias(c)
        for c in ("done_nodes", "due_nodes", "overdue_nodes", "max_overdue_workdays")
    ]


def _grade(frame: pl.DataFrame, as_of: dt.date, rules: HealthRules) -> pl.DataFrame:
    share = time_share(as_of, rules.basis)
    red_gap = rules.red_pace_gap
    done = pl.col("year_completed").cast(pl.Int128)
    plan = pl.col("year_planned").cast(pl.Int128)
    known = done.is_not_null() & plan.is_not_null() & (plan > 0)
    # completion ≥ share  ⇔  done · den ≥ num · plan (exact integers)
    on_pace = done * share.denominator >= plan * share.numerator
    # completion − share ≤ −t  ⇔  done · den · tq ≤ (num · tq − tp · den) · plan
    tq, tp = red_gap.denominator, red_gap.numerator
    if tq > 10**6:
        raise ValidationError(
            f"红灯投资差距的分母过大：{red_gap}（请用如 1/10 的简单分数）",
            f"the red pace gap's denominator is too large: {red_gap} (use e.g. 1/10)",
        )
    far_behind = done * (share.denominator * tq) <= plan * (
        share.numerator * tq - tp * share.denominator
    )
    red = (
        (pl.col("overdue_nodes") >= rules.red_overdue_nodes)
        | (pl.col("max_overdue_workdays") >= rules.red_overdue_workdays)
        | (known & far_behind)
        | (pl.col("open_blockers") >= rules.red_blockers)
    )
    yellow = (
        (pl.col("overdue_nodes") >= rules.yellow_overdue_nodes)
        | (known & ~on_pace)
        | (pl.col("open_blockers") >= rules.yellow_blockers)
        | (pl.lit(rules.unknown_pace_is_yellow) & ~known)
    )
    return frame.select(
        "project",
        "stage",
        "done_nodes",
        "due_nodes",
        "overdue_nodes",
        "max_overdue_workdays",
        pl.when(known).then(pl.col("year_completed") / pl.col("year_planned")).alias("completion"),
        pl.when(known).then(on_pace).alias("on_pace"),
        pl.when(red)
        .then(pl.lit("red"))
        .when(yellow)
        .then(pl.lit("yellow"))
        .otherwise(pl.lit("green"))
        .alias("grade"),
    )
