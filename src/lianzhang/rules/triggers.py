"""What a one-off award pays for: the trigger key of each enterprise (``once_per``).

A policy that says "对新认定的……给予一次性奖励" pays once per *grant*, not once per
budget year: evaluated in 2026, 2027 and 2028 for the same 小巨人 title it is one claim.
The policy declares its trigger and the key names the event, so the delivery module opens
at most one case per (enterprise, policy, key):

- ``once_per: {title_grant: little_giant}`` → ``little_giant@2025-07-01``, the latest grant
  of the title on or before the as-of date (a new grant after the title lapsed is a new
  key: a new award);
- ``once_per: {date: above_scale_included_on}`` → ``above_scale_included_on@2025-11-30``,
  the enterprise's date field (首次纳统);
- no ``once_per``: ``None`` (the caller keys the case by its budget year).

An enterprise without the event has no key (null): nothing to pay for.

>>> import datetime as dt
>>> from lianzhang.core import frames
>>> from lianzhang.rules.engine import Tables
>>> from lianzhang.rules.policy import load_library
>>> p = load_library().policies["local.example.little-giant-award"]
>>> t = Tables(
...     frames.from_rows("enterprises", [{"uscc": "A", "name": "甲"}]),
...     frames.from_rows("annual", []),
...     frames.from_rows("honours", [
...         {"uscc": "A", "title": "little_giant", "granted_on": dt.date(2025, 7, 1)},
...         {"uscc": "A", "title": "little_giant", "granted_on": dt.date(2028, 7, 1)}]),
...     frames.from_rows("awards", []),
... )
>>> trigger_keys(p.once_per, t, dt.date(2027, 6, 1)).to_dicts()
[{'uscc': 'A', 'trigger_key': 'little_giant@2025-07-01'}]
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from .inputs import Tables


def parse_once_per(text: str) -> tuple[str, str] | None:
    """The stored form ``title_grant:little_giant`` back to (kind, name); "" is None.

    >>> parse_once_per("title_grant:little_giant"), parse_once_per("")
    (('title_grant', 'little_giant'), None)
    """
    kind, sep, name = text.partition(":")
    return (kind, name) if sep and kind in ("title_grant", "date") and name else None


def trigger_keys(once_per: tuple[str, str] | None, tables: Tables, as_of: dt.date) -> pl.DataFrame:
    """One row per enterprise: ``uscc`` and ``trigger_key`` (String; null without the event).

    ``once_per`` is ``Policy.once_per`` (None: no trigger, every key null).
    """
    firms = tables.enterprises.select(pl.col("uscc").cast(pl.String))
    if once_per is None:
        return firms.with_columns(trigger_key=pl.lit(None, dtype=pl.String))
    kind, name = once_per
    if kind == "title_grant":
        honours = tables.honours
        if honours is None:
            return firms.with_columns(trigger_key=pl.lit(None, dtype=pl.String))
        grants = (
            honours.filter((pl.col("title") == name) & (pl.col("granted_on") <= pl.lit(as_of)))
            .group_by(pl.col("uscc").cast(pl.String))
            .agg(pl.col("granted_on").max().alias("day"))
        )
        found = firms.join(grants, on="uscc", how="left")
    else:
        found = firms.join(
            tables.enterprises.select(pl.col("uscc").cast(pl.String), pl.col(name).alias("day")),
            on="uscc",
            how="left",
        )
    return found.select(
        "uscc", (pl.lit(f"{name}@") + pl.col("day").cast(pl.String)).alias("trigger_key")
    )
