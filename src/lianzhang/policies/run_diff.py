"""Match-run history: each run's manifest read for people, and the difference of two runs.

A run (``matching.run_match``) stores eligible, undetermined and near-miss ``Match`` rows
with their leaf criteria, and a manifest (policy digests and parameters, data snapshot,
as-of date, engine version). ``diff(a, b)`` compares two runs: per policy, who gained
eligibility, who lost it and whose award changed, and for each the criteria that flipped
(or, with no flip, whose value moved), with the values of both runs.

A run can hold hundreds of thousands of matches: both runs are read in bulk (one query
each, only the small columns), joined in Polars, and the stored criteria are fetched only
for the rows a page, an export or the API shows. A clear miss is not stored by a run, so
an enterprise that drops from eligible to a clear miss is listed with that note instead
of a flipped criterion (the manifest reproduces the run; the registry may have moved on).

``scope``: None for every enterprise, else a queryset of the enterprises the reader may
see (``accounts.access.match_runs_scope``); figures of one run as a whole are not scoped.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from lianzhang.core import exports
from lianzhang.core.errors import Conflict, ValidationError
from lianzhang.enterprises.models import Enterprise
from lianzhang.rules.explain import money_unit, shown

from .models import Match, MatchRun, Policy
from .run_history import policy_titles

#: The three kinds of change, in the order a page lists them.
CHANGES = ("gained", "lost", "award")
#: Matches whose criteria are fetched in one query (rows shown or exported).
CHUNK = 2000
#: Two criterion values closer than this (relative) are the same value (float noise).
SAME = 1e-9


def change_label(change: str) -> str:
    labels = {
        "gained": _("gained eligibility"),
        "lost": _("lost eligibility"),
        "award": _("award changed"),
    }
    return labels.get(change, change)


def verdict_label(verdict: str | None, needs_review: bool | None = False) -> str:
    """A stored verdict by its name in the reader's language; no row: not stored."""
    if verdict is None:
        return _("no stored result")
    try:
        text = str(Match.Verdict(verdict).label)
    except ValueError:
        text = verdict
    if verdict == Match.Verdict.ELIGIBLE and needs_review:
        text += " · " + _("needs review")
    return text


# --- the difference of two runs -------------------------------------------------------------

_LIGHT = pl.Schema(
    {
        "id": pl.Int64,
        "uscc": pl.String,
        "policy_id": pl.Int64,
        "verdict": pl.String,
        "award": pl.Int64,
        "review": pl.Boolean,
    }
)


def _light(run: MatchRun, scope: QuerySet[Enterprise] | None) -> pl.DataFrame:
    """A run's matches, small columns only (award in fen as stored), in one query."""
    matches = Match.objects.filter(run=run)
    if scope is not None:
        matches = matches.filter(enterprise__in=scope)
    sql, params = matches.values_list(
        "pk", "enterprise_id", "policy_id", "verdict", "award", "needs_review"
    ).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return pl.DataFrame(rows, schema=list(_LIGHT), orient="row", infer_schema_length=None).cast(
        _LIGHT, strict=False
    )


@dataclass
class Diff:
    """Run ``a`` (before) against run ``b`` (after): one row per change."""

    a: MatchRun
    b: MatchRun
    #: policy, uscc, change, verdict/award/review/id of each run (null: no stored row)
    frame: pl.DataFrame
    #: per policy: eligible in each run, award totals (fen), changes by kind
    by_policy: list[dict[str, Any]]
    titles: dict[str, str] = field(default_factory=dict)
    in_a: set[str] = field(default_factory=set)
    in_b: set[str] = field(default_factory=set)

    def select(self, policy: str = "", change: str = "") -> pl.DataFrame:
        found = self.frame
        if policy:
            found = found.filter(pl.col("policy") == policy)
        if change:
            found = found.filter(pl.col("change") == change)
        return found

    def rows(
        self, policy: str = "", change: str = "", offset: int = 0, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """The changes (filtered, a page of them), each with its enterprise and reasons."""
        chosen = self.select(policy, change).slice(offset, limit)
        out: list[dict[str, Any]] = []
        for start in range(0, chosen.height, CHUNK):
            out.extend(self._explained(chosen.slice(start, CHUNK).to_dicts()))
        return out

    def _explained(self, rows: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        ids = [r[k] for r in rows for k in ("id_a", "id_b") if r[k] is not None]
        criteria = dict(Match.objects.filter(pk__in=ids).values_list("pk", "criteria"))
        names = {
            u: (n, d)
            for u, n, d in Enterprise.objects.filter(pk__in={r["uscc"] for r in rows}).values_list(
                "uscc", "name", "district"
            )
        }
        for r in rows:
            name, district = names.get(r["uscc"], ("", ""))
            yield {
                "policy": r["policy"],
                "title": self.titles.get(r["policy"], r["policy"]),
                "uscc": r["uscc"],
                "name": name,
                "district": district,
                "change": r["change"],
                "change_label": change_label(r["change"]),
                "verdict_a": r["verdict_a"],
                "verdict_b": r["verdict_b"],
                "verdict_a_label": verdict_label(r["verdict_a"], r["review_a"]),
                "verdict_b_label": verdict_label(r["verdict_b"], r["review_b"]),
                "award_a": _yuan(r["award_a"]),
                "award_b": _yuan(r["award_b"]),
                "reasons": self._reasons(
                    r,
                    criteria.get(r["id_a"]) if r["id_a"] is not None else None,
                    criteria.get(r["id_b"]) if r["id_b"] is not None else None,
                ),
            }

    def _reasons(
        self, r: dict[str, Any], before: list[Any] | None, after: list[Any] | None
    ) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for run, rows, present in ((self.a, before, self.in_a), (self.b, after, self.in_b)):
            if rows is None:
                if r["policy"] not in present:
                    text = _("The policy was not part of run #%(run)s.") % {"run": run.pk}
                else:
                    text = _(
                        "Run #%(run)s stored no result: a clear miss (more than one criterion "
                        "failed, or one by more than 20%% of its line)."
                    ) % {"run": run.pk}
                out.append(_note(text))
        if before is not None and after is not None:
            out.extend(criteria_changes(before, after))
        if r["change"] == "award" or (
            r["award_a"] is not None and r["award_b"] is not None and r["award_a"] != r["award_b"]
        ):
            text = _("Award: %(before)s → %(after)s") % {
                "before": _money_text(r["award_a"]),
                "after": _money_text(r["award_b"]),
            }
            out.append({**_note(text), "criterion": "award"})
        return out

    def to_json(self, rows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """The CLI's and the API's shape: both runs, per policy figures, and the changes."""
        listed = self.rows() if rows is None else rows
        return {
            "a": _run_json(self.a),
            "b": _run_json(self.b),
            "policies": [
                {
                    **p,
                    "award_a": _text(_yuan(p["award_a"])),
                    "award_b": _text(_yuan(p["award_b"])),
                }
                for p in self.by_policy
            ],
            "total": self.frame.height,
            "changes": [
                {
                    "policy": r["policy"],
                    "title": r["title"],
                    "uscc": r["uscc"],
                    "name": r["name"],
                    "district": r["district"],
                    "change": r["change"],
                    "verdict_a": r["verdict_a"],
                    "verdict_b": r["verdict_b"],
                    "award_a": _text(r["award_a"]),
                    "award_b": _text(r["award_b"]),
                    "reasons": r["reasons"],
                }
                for r in listed
            ],
        }


def _run_json(run: MatchRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "as_of": run.as_of.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)


def _yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else Decimal(int(fen)) / 100


def _money_text(fen: int | None) -> str:
    return _("none") if fen is None else shown(float(fen) / 100, "yuan", money_unit([fen / 100]))


def _note(text: str) -> dict[str, Any]:
    return {
        "criterion": "",
        "label": "",
        "passed_a": None,
        "passed_b": None,
        "value_a": None,
        "value_b": None,
        "threshold_a": None,
        "threshold_b": None,
        "text": text,
    }


def _state(passed: bool | None) -> str:
    if passed is None:
        return _("undetermined")
    return _("met") if passed else _("not met")


def _same(x: Any, y: Any) -> bool:
    if x is None or y is None:
        return x is y
    try:
        fx, fy = float(x), float(y)
    except (TypeError, ValueError):
        return bool(x == y)
    return abs(fx - fy) <= SAME * max(abs(fx), abs(fy), 1.0)


def criteria_changes(before: list[Any], after: list[Any]) -> list[dict[str, Any]]:
    """The criteria that flipped between two stored results, with both values; with no
    flip, the criteria whose value or line moved (why an award or a verdict changed).

    For example 营业收入: 2000 万元 (met) → 1900 万元 (not met), line 2000 万元 (in
    the reader's language).
    """
    old = {c.get("id"): c for c in before if isinstance(c, dict)}
    new = {c.get("id"): c for c in after if isinstance(c, dict)}
    order = [k for k in new] + [k for k in old if k not in new]
    flipped, moved = [], []
    for key in order:
        a, b = old.get(key) or {}, new.get(key) or {}
        if a.get("passed") != b.get("passed"):
            flipped.append(_item(key, a, b))
        elif not (
            _same(a.get("value"), b.get("value")) and _same(a.get("threshold"), b.get("threshold"))
        ):
            moved.append(_item(key, a, b))
    return flipped or moved


def _item(key: Any, a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    unit = str(b.get("unit") or a.get("unit") or "")
    measure = str(b.get("measure") or a.get("measure") or "")
    numbers = [a.get("threshold"), b.get("threshold"), a.get("value"), b.get("value")]
    money = money_unit([float(v) for v in numbers if v is not None]) if unit == "yuan" else None

    def show(v: Any) -> str:
        return shown(None if v is None else float(v), unit, money, measure)

    label = str(b.get("label") or a.get("label") or key)
    text = _("%(label)s: %(before)s (%(was)s) → %(after)s (%(now)s)") % {
        "label": label,
        "before": show(a.get("value")) if a else _("not stored"),
        "was": _state(a.get("passed")) if a else "—",
        "after": show(b.get("value")) if b else _("not stored"),
        "now": _state(b.get("passed")) if b else "—",
    }
    ta, tb = a.get("threshold"), b.get("threshold")
    if ta is not None and tb is not None and not _same(ta, tb):
        text += _(", line %(before)s → %(after)s") % {"before": show(ta), "after": show(tb)}
    elif tb is not None or ta is not None:
        text += _(", line %(line)s") % {"line": show(tb if tb is not None else ta)}
    return {
        "criterion": str(key),
        "label": label,
        "passed_a": a.get("passed"),
        "passed_b": b.get("passed"),
        "value_a": a.get("value"),
        "value_b": b.get("value"),
        "threshold_a": ta,
        "threshold_b": tb,
        "text": text,
    }


def diff(a: MatchRun, b: MatchRun, scope: QuerySet[Enterprise] | None = None) -> Diff:
    """Who gained or lost eligibility between run ``a`` and run ``b``, and whose award
    changed, per policy (within ``scope``)."""
    for run in (a, b):
        if run.finished_at is None:
            raise Conflict(
                f"匹配 #{run.pk} 尚未完成，无法比较", f"match run #{run.pk} has not finished"
            )
    if a.pk == b.pk:
        raise ValidationError("请选择两次不同的匹配", "choose two different match runs")
    codes = dict(Policy.objects.values_list("pk", "code"))
    titles = policy_titles()
    in_a = {str(p.get("id")) for p in (a.manifest or {}).get("policies") or []}
    in_b = {str(p.get("id")) for p in (b.manifest or {}).get("policies") or []}

    def side(run: MatchRun, tag: str) -> pl.DataFrame:
        return _light(run, scope).rename(
            {k: f"{k}_{tag}" for k in ("id", "verdict", "award", "review")}
        )

    joined = side(a, "a").join(side(b, "b"), on=["uscc", "policy_id"], how="full", coalesce=True)
    eligible_a = (pl.col("verdict_a") == Match.Verdict.ELIGIBLE).fill_null(False)
    eligible_b = (pl.col("verdict_b") == Match.Verdict.ELIGIBLE).fill_null(False)
    joined = joined.with_columns(
        pl.col("policy_id")
        .replace_strict(codes, default="", return_dtype=pl.String)
        .alias("policy"),
        pl.when(eligible_b & ~eligible_a)
        .then(pl.lit("gained"))
        .when(eligible_a & ~eligible_b)
        .then(pl.lit("lost"))
        .when(eligible_a & eligible_b & pl.col("award_a").ne_missing(pl.col("award_b")))
        .then(pl.lit("award"))
        .alias("change"),
        eligible_a.alias("eligible_a"),
        eligible_b.alias("eligible_b"),
    )
    rank = {c: i for i, c in enumerate(CHANGES)}
    changes = (
        joined.filter(pl.col("change").is_not_null())
        .with_columns(pl.col("change").replace_strict(rank, return_dtype=pl.Int8).alias("_rank"))
        .sort("policy", "_rank", "uscc")
        .select(
            "policy",
            "uscc",
            "change",
            "verdict_a",
            "verdict_b",
            "award_a",
            "award_b",
            "review_a",
            "review_b",
            "id_a",
            "id_b",
        )
    )
    per = joined.group_by("policy").agg(
        pl.col("eligible_a").sum().alias("eligible_a"),
        pl.col("eligible_b").sum().alias("eligible_b"),
        pl.col("award_a").filter(pl.col("eligible_a")).sum().alias("award_a"),
        pl.col("award_b").filter(pl.col("eligible_b")).sum().alias("award_b"),
        *[(pl.col("change") == c).sum().alias(c) for c in CHANGES],
    )
    figures = {r["policy"]: r for r in per.to_dicts()}
    by_policy = []
    for code in sorted(in_a | in_b | set(figures)):
        row = figures.get(code) or {}
        by_policy.append(
            {
                "policy": code,
                "title": titles.get(code, code),
                "in_a": code in in_a,
                "in_b": code in in_b,
                "eligible_a": int(row.get("eligible_a") or 0),
                "eligible_b": int(row.get("eligible_b") or 0),
                "award_a": int(row.get("award_a") or 0),
                "award_b": int(row.get("award_b") or 0),
                **{c: int(row.get(c) or 0) for c in CHANGES},
            }
        )
    return Diff(a, b, changes, by_policy, titles, in_a, in_b)


# --- the workbook ---------------------------------------------------------------------------

SUMMARY_HEADS = [
    "政策编号 / policy",
    "政策 / title",
    "前次符合 / eligible before",
    "本次符合 / eligible after",
    "新增符合 / gained",
    "不再符合 / lost",
    "金额变化 / award changed",
    "前次金额（元）/ award before (yuan)",
    "本次金额（元）/ award after (yuan)",
]
CHANGE_HEADS = [
    "政策编号 / policy",
    "政策 / title",
    "统一社会信用代码 / USCC",
    "企业 / enterprise",
    "区县 / district",
    "变化 / change",
    "前次结果 / verdict before",
    "本次结果 / verdict after",
    "前次金额（元）/ award before (yuan)",
    "本次金额（元）/ award after (yuan)",
    "原因 / why",
]


def write_workbook(found: Diff, target: str | Path | io.BytesIO, policy: str = "") -> int:
    """The diff as one .xlsx workbook (summary by policy, then every change with its
    reasons); returns the number of changes written. Text cells stay text."""
    import xlsxwriter

    if isinstance(target, (str, Path)) and Path(target).suffix.lower() != ".xlsx":
        raise ValidationError("请导出为 .xlsx 文件", "export to an .xlsx file")
    out = target if isinstance(target, io.BytesIO) else str(target)
    book = xlsxwriter.Workbook(out, {**exports.XLSX_TEXT, "in_memory": True})
    n = 0
    try:
        head = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
        money = book.add_format({"num_format": "#,##0.00"})
        summary = book.add_worksheet("汇总 summary")
        summary.write_row(0, 0, SUMMARY_HEADS, head)
        summary.write(
            0,
            len(SUMMARY_HEADS) + 1,
            f"匹配 #{found.a.pk}（{found.a.as_of}）→ #{found.b.pk}（{found.b.as_of}）",
        )
        shown_policies = [p for p in found.by_policy if not policy or p["policy"] == policy]
        for r, p in enumerate(shown_policies, start=1):
            summary.write_string(r, 0, p["policy"])
            summary.write_string(r, 1, p["title"])
            for c, key in enumerate(("eligible_a", "eligible_b", *CHANGES), start=2):
                summary.write_number(r, c, p[key])
            summary.write_number(r, 7, p["award_a"] / 100, money)
            summary.write_number(r, 8, p["award_b"] / 100, money)
        summary.freeze_panes(1, 2)
        summary.set_column(0, 0, 34)
        summary.set_column(1, 1, 40)
        summary.set_column(2, 8, 16)
        sheet = book.add_worksheet("变化 changes")
        sheet.write_row(0, 0, CHANGE_HEADS, head)
        for r, row in enumerate(found.rows(policy=policy), start=1):
            texts = [
                row["policy"],
                row["title"],
                row["uscc"],
                row["name"],
                row["district"],
                row["change_label"],
                row["verdict_a_label"],
                row["verdict_b_label"],
            ]
            for c, text in enumerate(texts):
                sheet.write_string(r, c, str(text))
            for c, amount in ((8, row["award_a"]), (9, row["award_b"])):
                if amount is None:
                    sheet.write_blank(r, c, None)
                else:
                    sheet.write_number(r, c, float(amount), money)
            sheet.write_string(r, 10, "；".join(x["text"] for x in row["reasons"]))
            n = r
        sheet.freeze_panes(1, 4)
        sheet.set_column(0, 1, 30)
        sheet.set_column(2, 4, 22)
        sheet.set_column(5, 9, 16)
        sheet.set_column(10, 10, 90)
    finally:
        book.close()
    return n
