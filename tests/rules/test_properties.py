"""Properties of the engine on random enterprises (hypothesis), over the whole library.

1. Bulk and single-enterprise evaluation give the same records: verdict, score range,
   award, and every criterion's passed / value / threshold / margin.
2. Making one known input unknown (a field, or a whole year of data) never turns a
   definite verdict into the other definite verdict, never moves a known score outside
   the new score range, and never changes a definite award into a different one.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lianzhang.core import frames
from lianzhang.core.contract import AWARD_KINDS, HONOUR_TITLES, Field, Kind, fields
from lianzhang.rules import Tables, evaluate, load_library

LIB = load_library()
AS_OF = dt.date(2026, 6, 1)
YEARS = (2021, 2022, 2023, 2024, 2025)
# Values on and next to the lines the library draws, so boundaries are hit often.
LINES = [10**6, 10**7, 15 * 10**6, 2 * 10**7, 5 * 10**7, 10**8, 2 * 10**8, 4 * 10**8]
MONEY = st.one_of(
    st.sampled_from(LINES).flatmap(
        lambda y: st.sampled_from([Decimal(y), Decimal(y) - Decimal("0.01"), Decimal(y) + 1])
    ),
    st.integers(0, 5 * 10**10).map(lambda fen: Decimal(fen) / 100),
)
PROPERTY = settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))


def value(f: Field) -> st.SearchStrategy[Any]:
    if f.kind is Kind.MONEY:
        strategy: st.SearchStrategy[Any] = MONEY
    elif f.kind is Kind.INT:
        strategy = st.integers(0, 600)
    elif f.kind is Kind.FRACTION:
        strategy = st.integers(0, 100).map(lambda p: Decimal(p) / 100)
    elif f.kind is Kind.DECIMAL:
        strategy = st.integers(0, 100).map(Decimal)
    elif f.kind is Kind.BOOL:
        strategy = st.booleans()
    elif f.kind is Kind.CHOICE:
        strategy = st.sampled_from(f.choices)
    elif f.kind is Kind.DATE:
        strategy = st.dates(dt.date(2015, 1, 1), dt.date(2026, 5, 31))
    elif f.kind is Kind.INDUSTRY:
        strategy = st.sampled_from(["3985", "3411", "0610", "4411", "6513", "5191"])
    else:
        strategy = st.sampled_from(["东区", "西区", "甲"])
    return st.one_of(st.none(), strategy) if f.kind is not Kind.INDUSTRY else strategy


def rows(draw: st.DrawFn, table: str, uscc: str, **fixed: Any) -> dict[str, Any]:
    skip = {"uscc", "year", "name", *fixed}
    out = {f.name: draw(value(f)) for f in fields(table) if f.name not in skip}
    return (
        {"uscc": uscc, "name": "企业", **fixed, **out}
        if table == "enterprises"
        else {
            "uscc": uscc,
            **fixed,
            **out,
        }
    )


@st.composite
def registry(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in ("e", "a", "h", "w")}
    for i in range(draw(st.integers(1, 4))):
        uscc = f"E{i}"
        out["e"].append(rows(draw, "enterprises", uscc))
        years = draw(st.lists(st.sampled_from(YEARS), min_size=1, max_size=5, unique=True))
        out["a"] += [rows(draw, "annual", uscc, year=y) for y in sorted(years)]
        for _ in range(draw(st.integers(0, 2))):
            granted = draw(st.dates(dt.date(2020, 1, 1), dt.date(2026, 5, 31)))
            until = draw(st.one_of(st.none(), st.just(granted + dt.timedelta(days=3 * 365))))
            out["h"].append(
                {
                    "uscc": uscc,
                    "title": draw(st.sampled_from(HONOUR_TITLES)),
                    "granted_on": granted,
                    "valid_until": until,
                }
            )
        for _ in range(draw(st.integers(0, 2))):
            out["w"].append(
                {
                    "uscc": uscc,
                    "year": draw(st.sampled_from(YEARS)),
                    "kind": draw(st.sampled_from(AWARD_KINDS)),
                    "rank": draw(st.integers(1, 600)),
                }
            )
    return out


def tables(data: dict[str, list[dict[str, Any]]], only: str | None = None) -> Tables:
    def pick(key: str) -> list[dict[str, Any]]:
        return [r for r in data[key] if only is None or r["uscc"] == only]

    return Tables(
        frames.from_rows("enterprises", pick("e")),
        frames.from_rows("annual", pick("a")),
        frames.from_rows("honours", pick("h")),
        frames.from_rows("awards", pick("w")),
    )


def records(t: Tables) -> list[dict[str, Any]]:
    return sorted(evaluate(LIB, t, AS_OF).records(), key=lambda r: (r["uscc"], r["policy"]))


@PROPERTY
@given(registry())
def test_bulk_and_single_agree(data: dict[str, list[dict[str, Any]]]) -> None:
    bulk = records(tables(data))
    single = [r for e in data["e"] for r in records(tables(data, e["uscc"]))]
    assert bulk == sorted(single, key=lambda r: (r["uscc"], r["policy"]))


def results(t: Tables) -> pl.DataFrame:
    return (
        evaluate(LIB, t, AS_OF)
        .results()
        .select("uscc", "policy", "verdict", "score", "score_min", "score_max", "award_fen")
    )


@PROPERTY
@given(registry(), st.data())
def test_an_unknown_never_flips_a_definite_verdict(
    data: dict[str, list[dict[str, Any]]], pick: st.DataObject
) -> None:
    table = pick.draw(st.sampled_from(["e", "a", "a-row"]))
    row = pick.draw(st.sampled_from(data[table[0]]))
    if table == "a-row":  # a whole year missing
        key = f"year {row['year']}"
        blanked = dict(data, a=[r for r in data["a"] if r is not row])
    else:
        known = sorted(k for k, v in row.items() if v is not None and k not in ("uscc", "year"))
        if not known:
            return
        key = pick.draw(st.sampled_from(known))
        changed = [dict(r, **{key: None}) if r is row else r for r in data[table]]
        blanked = dict(data, **{table: changed})
    joined = results(tables(data)).join(
        results(tables(blanked)), on=["uscc", "policy"], suffix="_after"
    )
    definite = ("eligible", "ineligible")
    flipped = joined.filter(
        pl.col("verdict").is_in(definite)
        & pl.col("verdict_after").is_in(definite)
        & (pl.col("verdict") != pl.col("verdict_after"))
    )
    assert flipped.height == 0, (key, flipped.to_dicts())
    outside = joined.filter(
        pl.col("score").is_not_null()
        & (
            (pl.col("score") < pl.col("score_min_after"))
            | (pl.col("score") > pl.col("score_max_after"))
        )
    )
    assert outside.height == 0, (key, outside.to_dicts())
    moved = joined.filter(
        pl.col("award_fen").is_not_null()
        & pl.col("award_fen_after").is_not_null()
        & (pl.col("award_fen") != pl.col("award_fen_after"))
    )
    assert moved.height == 0, (key, moved.to_dicts())
