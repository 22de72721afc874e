"""``evaluate``: run the library's plans for all enterprises as of a date; read the results.

``evaluate`` compiles each chosen policy (``engine.compile_policy``, cached per policy,
date and overrides), and ``run_query`` runs all their stages in one lazy Polars query
over the joined input frame (``inputs.input_frame``). An :class:`Evaluation` is that
wide frame plus what is needed to read it: verdicts, criteria, scores and run records.

>>> import datetime as dt
>>> from lianzhang.core import frames
>>> from decimal import Decimal
>>> lib = load_library()
>>> ent = frames.from_rows("enterprises", [{"uscc": "X1", "name": "甲", "industry_code": "3985"}])
>>> ann = frames.from_rows("annual", [{"uscc": "X1", "year": 2024,
...                                    "main_revenue": Decimal("20000000")}])
>>> ev = evaluate(lib, Tables(ent, ann), dt.date(2025, 3, 1), ["cn.nbs.above-scale-industrial"])
>>> ev.results().select("policy", "verdict").row(0)
('cn.nbs.above-scale-industrial', 'eligible')
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl

from .engine import Compiled, compile_policy
from .inputs import Tables, input_frame, size_class
from .plan import STAGES, Needs
from .policy import Library, Policy, load_library
from .review import needs_review
from .values import MILLI

__all__ = ["Evaluation", "Tables", "evaluate", "load_library", "run_query"]


@dataclass
class Evaluation:
    """The wide result frame plus what is needed to read it (see ``engine``)."""

    as_of: dt.date
    compiled: list[Compiled]
    frame: pl.DataFrame
    run: dict[str, Any]

    def policy(self, pid: str) -> Compiled:
        for c in self.compiled:
            if c.policy.id == pid or c.policy.family == pid:
                return c
        raise KeyError(pid)

    def verdict(self, c: Compiled) -> pl.Expr:
        ok = pl.col(c.col("ok"))
        return (
            pl.when(ok)
            .then(pl.lit("eligible"))
            .when(~ok)
            .then(pl.lit("ineligible"))
            .otherwise(pl.lit("undetermined"))
        )

    def results(self) -> pl.DataFrame:
        """One row per enterprise and policy: verdict, score, award (fen), needs_review, auto_grant.

        ``needs_review`` is true when the verdict rests on a ``manual`` or ``unverified``
        clause (``review``): such a verdict is never auto-granted nor counted as entitled.
        """
        parts = []
        for c in self.compiled:
            p = c.policy
            score_lo = score_hi = pl.lit(None, dtype=pl.Int64)
            if p.scores:
                score_lo, score_hi = (pl.col(c.col("s", p.scores[0].id, x)) for x in ("lo", "hi"))
            award = pl.col(c.col("award")) if p.award else pl.lit(None, dtype=pl.Int64)
            verdict = self.verdict(c)
            review = needs_review(c)
            parts.append(
                self.frame.select(
                    "uscc",
                    "name",
                    "district",
                    "industry_code",
                    "size",
                    pl.lit(p.id).alias("policy"),
                    pl.lit(p.title).alias("title"),
                    verdict.alias("verdict"),
                    pl.when(score_lo == score_hi).then(score_lo / MILLI).alias("score"),
                    (score_lo / MILLI).alias("score_min"),
                    (score_hi / MILLI).alias("score_max"),
                    award.cast(pl.Int64).alias("award_fen"),
                    review.alias("needs_review"),
                    ((verdict == "eligible") & pl.lit(p.auto_grant) & ~review).alias("auto_grant"),
                )
            )
        if not parts:
            return pl.DataFrame()
        return pl.concat(parts, how="vertical_relaxed")

    def criteria(self, pid: str | None = None) -> pl.DataFrame:
        """One row per enterprise and criterion: passed, value, threshold, signed margin.

        For ``x >= y * 3%`` (money against a share of money) ``ratio`` is x / y and
        ``ratio_threshold`` the share, so a reader sees 2.60% against 3% beside the money gap.

        The margin is positive when the line is met with room to spare and negative when
        short (``-123400`` yuan of R&D).
        """
        parts = []
        for c in self.compiled:
            if pid is not None and pid not in (c.policy.id, c.policy.family):
                continue
            for info in c.criteria:
                name = c.col("c", info.id)
                value = pl.col(name + "|v") if info.op else pl.lit(None, dtype=pl.Float64)
                if info.threshold_column:
                    threshold = pl.col(name + "|t")
                else:
                    threshold = pl.lit(info.threshold, dtype=pl.Float64)
                margin = pl.lit(None, dtype=pl.Float64)
                if info.op in (">=", ">"):
                    margin = value - threshold
                elif info.op in ("<=", "<"):
                    margin = threshold - value
                ratio = pl.col(name + "|r") if info.ratio is not None else pl.lit(None)
                parts.append(
                    self.frame.select(
                        "uscc",
                        pl.lit(c.policy.id).alias("policy"),
                        pl.lit(info.id).alias("id"),
                        pl.lit(info.kind == "leaf").alias("is_leaf"),
                        pl.lit(info.label).alias("label"),
                        pl.lit(info.clause).alias("clause"),
                        pl.lit(info.depth, dtype=pl.Int32).alias("depth"),
                        pl.col(name).alias("passed"),
                        value.alias("value"),
                        threshold.alias("threshold"),
                        margin.alias("margin"),
                        pl.lit(info.unit).alias("unit"),
                        pl.lit(info.measure).alias("measure"),
                        ratio.alias("ratio"),
                        pl.lit(info.ratio, dtype=pl.Float64).alias("ratio_threshold"),
                    )
                )
        return pl.concat(parts, how="vertical_relaxed") if parts else pl.DataFrame()

    def records(self, uscc: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """JSON-ready results with their criteria and score breakdown (the CLI contract)."""
        frame = self.frame if uscc is None else self.frame.filter(pl.col("uscc").is_in(list(uscc)))
        sub = Evaluation(self.as_of, self.compiled, frame, self.run)
        results = sub.results().to_dicts()
        criteria: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for row in sub.criteria().to_dicts():
            unit = row.pop("unit")
            for key in ("value", "threshold", "margin"):
                row[key] = _shown(row[key], unit)
            row["ratio"] = _shown(row["ratio"], "ratio")
            row["unit"] = unit
            criteria.setdefault((row.pop("uscc"), row.pop("policy")), []).append(row)
        items = {(c.policy.id, i.table, i.id): i for c in self.compiled for i in c.items}
        out = []
        for row in results:
            c = self.policy(row["policy"])
            fen = row["award_fen"]  # exact; "award" is the same in yuan for JSON readers
            row["award"] = None if fen is None else fen / 100
            row["criteria"] = criteria.get((row["uscc"], row["policy"]), [])
            one = frame.filter(pl.col("uscc") == row["uscc"]).row(0, named=True)
            row["scores"] = [
                {
                    "table": i.table,
                    "item": i.id,
                    "label": i.label,
                    "group": i.group,
                    "points": _points(one[c.col("s", i.table, i.id)]),
                    "max": i.max_points,
                }
                for (pid, _, _), i in items.items()
                if pid == c.policy.id
            ]
            out.append(row)
        return out


def _shown(value: float | None, unit: str) -> float | None:
    """Rounded half up on the value as written (0.285 → 0.29), like the engine's exact
    quotients: Python's ``round`` works on the binary float (0.285 → 0.28), so a value the
    engine computed in floats would read differently from the same value computed exactly."""
    if value is None or math.isnan(value) or math.isinf(value):
        return None
    step = Decimal("0.01") if unit == "yuan" else Decimal("0.000001")
    return float(Decimal(repr(value)).quantize(step, ROUND_HALF_UP))


def _points(milli: int | None) -> float | None:
    return None if milli is None else milli / MILLI


_COMPILED: OrderedDict[tuple[object, ...], tuple[Policy, Compiled, Needs]] = OrderedDict()
_COMPILED_MAX = 512
_COMPILED_LOCK = threading.Lock()


def _compiled(
    policy: Policy, as_of: dt.date, overrides: Mapping[str, object] | None
) -> tuple[Compiled, Needs]:
    """A policy object compiled once per date and overrides (expressions are immutable).

    One enterprise on a web page spends most of its time compiling, so pages reuse it.
    Keyed by the object itself (held in the cache, so its id stays unique): a policy
    changed with ``dataclasses.replace`` is another object and compiles afresh.
    """
    params = tuple(sorted((k, str(v)) for k, v in (overrides or {}).items()))
    key = (id(policy), as_of, params)
    with _COMPILED_LOCK:
        found = _COMPILED.get(key)
        if found is not None and found[0] is policy:
            _COMPILED.move_to_end(key)
            return found[1], found[2]
    needs = Needs()
    compiled = compile_policy(policy, as_of, needs, overrides)
    with _COMPILED_LOCK:
        _COMPILED[key] = (policy, compiled, needs)
        if len(_COMPILED) > _COMPILED_MAX:
            _COMPILED.popitem(last=False)
    return compiled, needs


def evaluate(
    library: Library,
    tables: Tables,
    as_of: dt.date,
    policies: Iterable[str] | None = None,
    overrides: Mapping[str, Mapping[str, object]] | None = None,
) -> Evaluation:
    """Evaluate policies (ids or family ids; default: all in force) for every enterprise.

    ``overrides`` maps a policy id to parameter values that replace the dated ones
    (what-if). The run record names each policy version (file digest), its parameters
    and the as-of date, so a result can be reproduced.
    """
    chosen = library.select(policies, as_of)
    needs = Needs()
    compiled = []
    for p in chosen:
        one, wanted = _compiled(
            p, as_of, (overrides or {}).get(p.id) or (overrides or {}).get(p.family)
        )
        compiled.append(one)
        needs.enterprise |= wanted.enterprise
        needs.annual |= wanted.annual
        needs.titles |= wanted.titles
        needs.grants |= wanted.grants
        needs.awards |= wanted.awards
    frame = run_query(tables, compiled, as_of, needs)
    from lianzhang import __version__

    run = {
        "engine": f"lianzhang.rules {__version__}",
        "as_of": as_of.isoformat(),
        "policies": [
            {
                "id": c.policy.id,
                "family": c.policy.family,
                "digest": c.policy.digest,
                "in_force": c.policy.in_force(as_of),
                "confidence": c.policy.confidence,
                "parameters": c.parameters,
                "overridden": sorted((overrides or {}).get(c.policy.id) or {})
                or sorted((overrides or {}).get(c.policy.family) or {}),
            }
            for c in compiled
        ],
    }
    return Evaluation(as_of, compiled, frame, run)


def run_query(
    tables: Tables, compiled: list[Compiled], as_of: dt.date, needs: Needs
) -> pl.DataFrame:
    """All stages of all policies in one lazy query; inputs dropped, results kept.

    One engine for every size: the in-memory engine answers one enterprise sooner, but its
    float sums can differ from the streaming engine's in the last digit (a ratio of
    39999999999.00001 against 39999999999.0), and a page must explain exactly what a run
    stored (tests/rules/test_properties.py::test_bulk_and_single_agree).
    """
    result = _query(tables, compiled, as_of, needs, dedup=False).collect()
    if result.height != tables.enterprises.height:  # a duplicated (uscc, year) row
        result = _query(tables, compiled, as_of, needs, dedup=True).collect()
    return result


def _query(
    tables: Tables, compiled: list[Compiled], as_of: dt.date, needs: Needs, dedup: bool
) -> pl.LazyFrame:
    frame = input_frame(tables, as_of, needs, dedup).with_columns(size_class(as_of))
    for stage in range(STAGES):
        exprs = [e for c in compiled for e in c.stages[stage]]
        if exprs:
            frame = frame.with_columns(exprs)
    keep = ["uscc", "name", "district", "industry_code", "size"]
    results = [e.meta.output_name() for c in compiled for stage in c.stages for e in stage]
    return frame.select(keep + results)
