"""The plan a policy compiles to, independent of the backend that runs it (no Polars).

Compiling a policy as of a date yields a :class:`Plan`: five stages of column
expressions (score items, score totals, criteria, the criteria tree and the award),
what an explanation needs to read them (:class:`CriterionInfo`, :class:`ItemInfo`), and
the input columns it reads (:class:`Needs`, named by :func:`annual_column`,
:func:`title_column` and :func:`award_column`). The expressions are whatever the
backend compiles to (``pl.Expr`` for Polars), so a second backend reuses the plan's
shape, the column names and the input contract unchanged.

>>> annual_column("revenue", 1), title_column("high_tech"), award_column("sci", 3, 3)
('revenue@1', 'holds:high_tech', 'award:sci:3:3')
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import Generic, TypeVar

from lianzhang.core.contract import Kind, fields

from .policy import Policy

#: The stages of a plan, run in order: score items, score totals, criteria, the
#: criteria tree (the verdict) and the award.
STAGES = 5
VERDICTS = ("eligible", "ineligible", "undetermined")

E = TypeVar("E")


@dataclass
class Needs:
    """Columns a compiled library reads, gathered while compiling."""

    enterprise: set[str] = field(default_factory=set)
    annual: set[tuple[str, int]] = field(default_factory=set)  # (field, years back ≥ 1)
    titles: set[str] = field(default_factory=set)
    grants: set[tuple[str, int]] = field(default_factory=set)  # (title, within years)
    awards: set[tuple[str, int, int]] = field(default_factory=set)  # (kind, years, top)


@cache
def field_kinds() -> dict[str, tuple[str, Kind]]:
    """Every field a policy may name → (table, kind)."""
    out: dict[str, tuple[str, Kind]] = {}
    for table in ("annual", "enterprises"):
        for f in fields(table):
            if f.name not in ("uscc", "year"):
                out[f.name] = (table, f.kind)
    return out


def annual_column(name: str, back: int) -> str:
    """The input column of a yearly field ``back`` years before the as-of year."""
    return f"{name}@{back}"


def title_column(title: str) -> str:
    """The input flag: the enterprise holds ``title`` on the as-of date."""
    return f"holds:{title}"


def grant_column(title: str, years: int) -> str:
    """The input flag: ``title`` was granted within the ``years`` years up to the as-of date."""
    return f"granted:{title}:{years}"


def award_column(kind: str, years: int, top: int) -> str:
    """The input flag: an award of ``kind`` in the last ``years`` years, ranked within top."""
    return f"award:{kind}:{years}:{top}"


@dataclass(frozen=True)
class CriterionInfo:
    """What the explanation of one criterion needs besides its columns."""

    id: str
    label: str
    clause: str
    kind: str
    depth: int
    op: str | None = None  # the comparison, when the criterion is one
    unit: str = ""
    threshold: float | None = None  # when the same for every enterprise
    threshold_column: bool = False
    manual: bool = False
    ratio: float | None = None  # ``x op y * ratio``: the ratio line, x / y is in column |r
    #: what a count or quantity is counted in (人, 天, 亩, 件 …); "/亩" for money per 亩
    measure: str = ""


@dataclass(frozen=True)
class ItemInfo:
    """One score item, for explanations."""

    table: str
    id: str
    label: str
    group: str
    max_points: float


@dataclass
class Plan(Generic[E]):
    """One policy compiled as of a date: its stages of backend expressions."""

    policy: Policy
    as_of: dt.date
    parameters: dict[str, str]
    stages: list[list[E]] = field(default_factory=lambda: [[] for _ in range(STAGES)])
    criteria: list[CriterionInfo] = field(default_factory=list)
    items: list[ItemInfo] = field(default_factory=list)

    def col(self, *parts: str) -> str:
        """The name of a result column of this policy (``id|c|criterion`` …)."""
        return "|".join((self.policy.id, *parts))
