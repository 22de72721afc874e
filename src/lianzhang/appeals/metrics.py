"""Appeal metrics per unit and period, counted from the raw event log (no Django).

Each row is one event as stored: appeal, assignment, unit (department code), kind, time and
its data (``response_due``/``resolution_due`` as ISO strings on dispatch, extension and
reopening; ``rating`` on call-backs; ``subject`` on filing). Rates are exact ``Fraction``s,
``None`` when nothing was there to count.

- 按时响应率 on_time_response: dispatched assignments whose first answer (accepted or
  refused) came by their response deadline.
- 办结率 completion: of the dispatched assignments neither refused nor handed up by an
  escalation (work taken from the unit is not its to finish), those completed.
- 按时办结率 on_time_completion: of the completed, those first completed by the resolution
  deadline in force then (after extensions).
- 满意率 satisfaction: call-backs of the unit's completed appeals rated 满意 or 基本满意.
- 重办率 reopen: of the completed, those reopened after a 不满意 call-back.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any


@dataclass(frozen=True)
class Row:
    appeal: int
    assignment: int | None
    unit: str
    kind: str
    at: dt.datetime
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class UnitMetrics:
    unit: str
    dispatched: int = 0
    responded_on_time: int = 0
    refused: int = 0
    handed_up: int = 0
    completed: int = 0
    completed_on_time: int = 0
    reopened: int = 0
    callbacks: int = 0
    satisfied: int = 0
    themes: Counter[str] = field(default_factory=Counter)

    @staticmethod
    def _rate(part: int, whole: int) -> Fraction | None:
        return Fraction(part, whole) if whole else None

    @property
    def on_time_response(self) -> Fraction | None:
        return self._rate(self.responded_on_time, self.dispatched)

    @property
    def completion(self) -> Fraction | None:
        return self._rate(self.completed, self.dispatched - self.refused - self.handed_up)

    @property
    def on_time_completion(self) -> Fraction | None:
        return self._rate(self.completed_on_time, self.completed)

    @property
    def satisfaction(self) -> Fraction | None:
        return self._rate(self.satisfied, self.callbacks)

    @property
    def reopen(self) -> Fraction | None:
        return self._rate(self.reopened, self.completed)

    def top_themes(self, n: int = 5) -> list[tuple[str, int]]:
        return sorted(self.themes.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def _due(text: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if isinstance(text, str) else None


def compute(rows: Iterable[Row], start: dt.datetime, end: dt.datetime) -> dict[str, UnitMetrics]:
    """Metrics of the assignments dispatched in ``[start, end)``, per unit."""
    by_assignment: dict[int, list[Row]] = defaultdict(list)
    by_appeal: dict[int, list[Row]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r.at):
        by_appeal[row.appeal].append(row)
        if row.assignment is not None:
            by_assignment[row.assignment].append(row)
    subjects = {
        appeal: str(r.data.get("subject", ""))
        for appeal, events in by_appeal.items()
        for r in events
        if r.kind == "filed"
    }
    out: dict[str, UnitMetrics] = {}
    for events in by_assignment.values():
        first = next((r for r in events if r.kind == "dispatched"), None)
        if first is None or not start <= first.at < end:
            continue
        unit = out.setdefault(first.unit, UnitMetrics(first.unit))
        unit.dispatched += 1
        unit.themes[subjects.get(first.appeal, "")] += 1
        answer = next((r for r in events if r.kind in ("accepted", "refused")), None)
        response_due = _due(first.data.get("response_due"))
        if answer is not None and response_due is not None and answer.at <= response_due:
            unit.responded_on_time += 1
        refused = any(r.kind == "refused" for r in events)
        unit.refused += refused
        due = _due(first.data.get("resolution_due"))
        done = None
        for r in events:
            if r.kind in ("extended", "reopened") and done is None:
                due = _due(r.data.get("resolution_due")) or due
            if r.kind == "done" and done is None:
                done = r
        if done is None:
            # handed up before it was ever done: the unit is not measured on it
            unit.handed_up += not refused and any(r.kind == "handed_up" for r in events)
            continue
        unit.completed += 1
        if due is not None and done.at <= due:
            unit.completed_on_time += 1
        if any(r.kind == "reopened" for r in events):
            unit.reopened += 1
        for r in by_appeal[first.appeal]:
            if r.kind == "callback" and r.at >= done.at:
                unit.callbacks += 1
                unit.satisfied += r.data.get("rating") in ("satisfied", "mostly")
    return out


def percent(rate: Fraction | None) -> str:
    """``Fraction(2, 3)`` → ``"66.7%"`` (for display only; rounding half up)."""
    if rate is None:
        return "—"
    tenths = (rate * 1000 + Fraction(1, 2)).__floor__()
    return f"{tenths // 10}.{tenths % 10}%"


#: What the dashboard's trend counts per month: appeals filed, closed and flagged overdue.
TREND_KINDS = ("filed", "closed", "overdue")


def monthly(rows: Iterable[Row], start: dt.datetime, end: dt.datetime) -> dict[str, Counter[str]]:
    """Events of ``TREND_KINDS`` in ``[start, end)`` per month (``YYYY-MM``), by kind.

    >>> t = dt.datetime(2025, 3, 4)
    >>> rows = [Row(1, None, "", "filed", t), Row(2, None, "", "filed", t)]
    >>> monthly(rows, dt.datetime(2025, 1, 1), dt.datetime(2026, 1, 1))["filed"]["2025-03"]
    2
    """
    out: dict[str, Counter[str]] = {kind: Counter() for kind in TREND_KINDS}
    for row in rows:
        if row.kind in out and start <= row.at < end:
            out[row.kind][f"{row.at:%Y-%m}"] += 1
    return out


def months(start: dt.date, end: dt.date) -> list[str]:
    """``YYYY-MM`` of every month that ``[start, end)`` touches.

    >>> months(dt.date(2024, 11, 15), dt.date(2025, 2, 1))
    ['2024-11', '2024-12', '2025-01']
    """
    out, year, month = [], start.year, start.month
    while dt.date(year, month, 1) < end:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
