"""Policy sandbox: the cost of a policy or a parameter change before it is issued.

Runs the rules engine on the live registry twice — as the policy stands (with the
platform's approved parameters) and as proposed — and compares: counts, lists and money,
by district and by industry (GB/T 4754 门类). A draft policy file (not yet in the
library) can be tried too: then "before" is nobody.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from lianzhang.core import gbt4754
from lianzhang.core.errors import ValidationError
from lianzhang.rules.evaluation import evaluate
from lianzhang.rules.policy import Library, load_policy

from .matching import evaluate_registry, library, overrides, registry_tables
from .models import Budget, Policy

LIST_LIMIT = 500


@dataclass
class Outcome:
    policy: str
    title: str
    as_of: dt.date
    before: dict[str, Any]  # eligible, undetermined, award (yuan)
    after: dict[str, Any]
    gained: int
    lost: int
    budget: Decimal | None
    by_district: list[dict[str, Any]]
    by_industry: list[dict[str, Any]]
    changed: list[dict[str, Any]]  # enterprises whose verdict or award changes

    @property
    def award_change(self) -> Decimal:
        return Decimal(self.after["award"]) - Decimal(self.before["award"])


def _section(code: str | None) -> str:
    found = gbt4754.table().get(code or "")
    return f"{found.section} {gbt4754.name(found.section)}" if found else "—"


def _frame(results: pl.DataFrame, tag: str) -> pl.DataFrame:
    return results.select(
        "uscc",
        "name",
        "district",
        "industry_code",
        pl.col("verdict").alias(f"verdict_{tag}"),
        pl.col("award_fen").alias(f"award_{tag}"),
    )


def _totals(df: pl.DataFrame, tag: str) -> dict[str, Any]:
    verdict, award = pl.col(f"verdict_{tag}"), pl.col(f"award_{tag}")
    row = df.select(
        (verdict == "eligible").sum().alias("eligible"),
        (verdict == "undetermined").sum().alias("undetermined"),
        award.filter(verdict == "eligible").fill_null(0).sum().alias("fen"),
    ).row(0, named=True)
    return {
        "eligible": int(row["eligible"] or 0),
        "undetermined": int(row["undetermined"] or 0),
        "award": Decimal(int(row["fen"] or 0)) / 100,
    }


def _group(df: pl.DataFrame, key: str) -> list[dict[str, Any]]:
    was, now = pl.col("verdict_before") == "eligible", pl.col("verdict_after") == "eligible"
    grouped = (
        df.group_by(key)
        .agg(
            was.sum().alias("before"),
            now.sum().alias("after"),
            pl.col("award_before").filter(was).fill_null(0).sum().alias("fen_before"),
            pl.col("award_after").filter(now).fill_null(0).sum().alias("fen_after"),
        )
        .filter((pl.col("before") > 0) | (pl.col("after") > 0))
        .sort("after", "before", descending=True)
    )
    return [
        {
            "group": r[key] or "—",
            "before": r["before"],
            "after": r["after"],
            "award_before": Decimal(int(r["fen_before"] or 0)) / 100,
            "award_after": Decimal(int(r["fen_after"] or 0)) / 100,
        }
        for r in grouped.to_dicts()
    ]


def compare(before: pl.DataFrame, after: pl.DataFrame) -> pl.DataFrame:
    joined = _frame(after, "after").join(
        _frame(before, "before").select("uscc", "verdict_before", "award_before"),
        on="uscc",
        how="left",
    )
    return joined.with_columns(
        pl.col("verdict_before").fill_null("ineligible"),
        pl.col("industry_code").map_elements(_section, return_dtype=pl.String).alias("industry"),
    )


def outcome(
    df: pl.DataFrame, policy: str, title: str, as_of: dt.date, budget: Decimal | None
) -> Outcome:
    was, now = pl.col("verdict_before") == "eligible", pl.col("verdict_after") == "eligible"
    delta = pl.col("award_after").fill_null(0) * now.cast(pl.Int64) - pl.col(
        "award_before"
    ).fill_null(0) * was.cast(pl.Int64)
    changed = (
        df.with_columns(delta.alias("delta_fen"))
        .filter((pl.col("verdict_before") != pl.col("verdict_after")) | (pl.col("delta_fen") != 0))
        .sort("delta_fen", descending=True)
    )
    return Outcome(
        policy=policy,
        title=title,
        as_of=as_of,
        before=_totals(df, "before"),
        after=_totals(df, "after"),
        gained=int(df.filter(~was & now).height),
        lost=int(df.filter(was & ~now).height),
        budget=budget,
        by_district=_group(df, "district"),
        by_industry=_group(df, "industry"),
        changed=[
            {**r, "delta": Decimal(int(r["delta_fen"])) / 100}
            for r in changed.head(LIST_LIMIT).to_dicts()
        ],
    )


def parameter_whatif(policy: Policy, values: dict[str, str], as_of: dt.date) -> Outcome:
    """The policy as it stands on ``as_of`` against the same policy with ``values``."""
    if not values:
        raise ValidationError("请至少修改一个参数", "change at least one parameter")
    before = evaluate_registry(as_of, [policy]).results()
    after = evaluate_registry(as_of, [policy], extra={policy.code: dict(values)}).results()
    if before.is_empty():
        raise ValidationError(
            f"{policy.title} 在 {as_of} 不在有效期内", f"{policy.code} is not in force on {as_of}"
        )
    budget = Budget.objects.filter(policy=policy, year=as_of.year).first()
    df = compare(before, after)
    return outcome(df, policy.code, policy.title, as_of, budget.amount if budget else None)


def draft_whatif(text: str, as_of: dt.date) -> Outcome:
    """A policy file not yet issued: who would qualify and what it would cost."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "draft.yaml"
        path.write_text(text, "utf-8")
        draft = load_policy(path)  # PolicyError names the line and what to write
        if not draft.in_force(as_of):
            raise ValidationError(
                f"草案在 {as_of} 尚未生效（生效期 {draft.effective_from} 起）",
                f"the draft is not in force on {as_of}",
            )
        after = evaluate(Library({draft.id: draft}), registry_tables(), as_of, [draft.id])
    results = after.results()
    none = results.select(
        "uscc",
        "name",
        "district",
        "industry_code",
        pl.lit("ineligible").alias("verdict"),
        pl.lit(None, dtype=pl.Int64).alias("award_fen"),
    )
    budget = None if draft.budget_fen is None else Decimal(draft.budget_fen) / 100
    return outcome(compare(none, results), draft.id, draft.title, as_of, budget)


def parameters_of(policy: Policy, as_of: dt.date) -> list[dict[str, Any]]:
    """The policy's parameters with the value in force on ``as_of`` (file or approved change)."""
    found = library().policies.get(policy.code)
    if found is None:
        return []
    approved = overrides(as_of, [policy]).get(policy.code, {})
    return [
        {
            "name": name,
            "label": p.label,
            "file_value": p.at(as_of),
            "value": approved.get(name, p.at(as_of)),
            "changed": name in approved,
            "values": [(d, v) for d, v in p.values],
        }
        for name, p in found.parameters.items()
    ]


def check_parameter(policy: Policy, name: str, value: str, as_of: dt.date) -> None:
    """Refuse a proposed value the engine cannot use, before anyone reviews it."""
    known = {p["name"] for p in parameters_of(policy, as_of)}
    if name not in known:
        raise ValidationError(
            f"{policy.code} 没有参数 {name}（可用：{'、'.join(sorted(known)) or '无'}）",
            f"{policy.code} has no parameter {name} (known: {', '.join(sorted(known))})",
        )
    try:
        evaluate_registry(as_of, [policy], usccs=[], extra={policy.code: {name: value}})
    except ValidationError:
        raise
    except Exception as exc:  # the engine's own message says what is wrong with the value
        zh = getattr(exc, "zh", str(exc))
        raise ValidationError(
            f"参数值 {value!r} 无法使用：{zh}", f"parameter value {value!r} is not usable: {exc}"
        ) from None
