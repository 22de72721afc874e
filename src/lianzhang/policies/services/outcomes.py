"""绩效评价: the panel of a policy-year from the registry, and the engine's estimate.

Reads only. The beneficiaries are the enterprises whose case of the policy for the year is
paid (``State.PAID``); the enterprises with money committed under the same policy in the
pre-, policy or post-year (``workflow.COMMITTED``) are never controls. The panel holds the
pre-year and the post-year of every enterprise with annual data: its district and GB/T
4754 code from the registry, the size class decided from that year's own figures. The
method is the engine's (``policies.outcomes``).
"""

from __future__ import annotations

from typing import Any

import polars as pl
from django.db import connection

from lianzhang.core import bounds
from lianzhang.enterprises.models import Annual, Enterprise

from .. import outcomes, workflow
from ..models import Case, Policy
from ..workflow import State

#: Annual columns read: the indicators and what the size class needs.
COLUMNS = ("revenue", "rd_expense", "employees", "tax_paid", "total_assets")


def panel(years: tuple[int, ...]) -> pl.DataFrame:
    """One row per enterprise and year (of ``years``) with annual data; money in fen."""
    quote = connection.ops.quote_name
    annual, firms = Annual._meta.db_table, Enterprise._meta.db_table
    values = ", ".join(f"a.{quote(c)}" for c in COLUMNS)
    wanted = ", ".join(str(int(y)) for y in years)
    sql = (
        f"SELECT a.{quote('uscc')} AS uscc, a.{quote('year')} AS year, "
        f"e.{quote('industry_code')} AS industry_code, e.{quote('district')} AS district, "
        f"{values} FROM {annual} a JOIN {firms} e ON e.{quote('uscc')} = a.{quote('uscc')} "
        f"WHERE a.{quote('year')} IN ({wanted})"
    )
    schema = {
        "uscc": pl.String,
        "year": pl.Int64,
        "industry_code": pl.String,
        "district": pl.String,
        **{c: pl.Int64 for c in COLUMNS},
    }
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    frame = frame.with_columns(  # an empty code or district is unknown
        pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c)
        for c in ("industry_code", "district")
    )
    return outcomes.with_size_class(frame)


def beneficiaries(policy: Policy, year: int) -> list[str]:
    """The enterprises paid under ``policy`` for budget ``year``."""
    paid = Case.objects.filter(policy=policy, year=year, state=State.PAID)
    return sorted(set(paid.values_list("enterprise_id", flat=True)))


def committed_nearby(policy: Policy, year: int) -> set[str]:
    """Enterprises with money committed under ``policy`` from ``year − 1`` to ``year + 1``."""
    near = Case.objects.filter(
        policy=policy, year__range=(year - 1, year + 1), state__in=workflow.COMMITTED
    )
    return set(near.values_list("enterprise_id", flat=True))


def evaluate_policy_year(policy: Policy, year: int) -> outcomes.Outcomes:
    """The outcome evaluation of ``policy`` for budget ``year`` (see ``policies.outcomes``)."""
    bounds.check_year(year)
    frame = panel((year - 1, year + 1))
    return outcomes.evaluate(
        frame, beneficiaries(policy, year), year, excluded=committed_nearby(policy, year)
    )


def outcome_json(policy: Policy, year: int) -> dict[str, Any]:
    """What the CLI prints: the estimate per indicator, with the method and its limits."""
    return outcomes.to_json(evaluate_policy_year(policy, year), policy.code, policy.title)
