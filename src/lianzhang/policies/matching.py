"""Match runs: evaluate the active policy library over the registry with the rules engine.

The registry is read straight into the columnar contract form (money stays integer fen,
as stored), the whole library is evaluated in one pass, and each run keeps a manifest
(policy versions by file digest, parameter values, data snapshot time, as-of date) so any
past decision can be reproduced.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import polars as pl
import yaml
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from lianzhang.core import bounds, contract, frames
from lianzhang.core.contract import Kind
from lianzhang.enterprises.models import MODELS, Annual, Enterprise
from lianzhang.rules.engine import Tables
from lianzhang.rules.evaluation import Evaluation, evaluate
from lianzhang.rules.policy import LIBRARY, Library, load_library, policy_files
from lianzhang.storage.bulk import upsert

from .models import Budget, Match, MatchRun, ParameterChange, Policy

#: A near miss fails exactly one criterion, by at most this share of its threshold.
NEAR_MISS_SHARE = 0.2


_CACHE: dict[str, Any] = {}


#: How often a process looks at the policy files again (every page reads the library).
RECHECK_SECONDS = 1.0


def library() -> Library:
    """The built-in library, parsed again only when a policy file changed (YAML is slow).

    The files are looked at again at most once every ``RECHECK_SECONDS``.
    """
    now = time.monotonic()
    if "library" not in _CACHE or now - _CACHE.get("checked", -RECHECK_SECONDS) >= RECHECK_SECONDS:
        files = policy_files(LIBRARY)
        stamp = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
        if _CACHE.get("stamp") != stamp:
            _CACHE["library"], _CACHE["stamp"] = load_library(), stamp
        _CACHE["checked"] = now
    found: Library = _CACHE["library"]
    return found


def sync_library(library: Library | None = None, year: int | None = None) -> list[Policy]:
    """Load the policy files into the platform (new versions replace old text).

    Parameter changes made in the platform are kept: they are laid over the file.
    """
    library = library or load_library()  # fresh: a sync is when files changed
    year = year or timezone.localdate().year
    out = []
    for p in library.policies.values():
        raw = yaml.safe_load(p.path.read_text("utf-8")) or {}
        policy, _ = Policy.objects.update_or_create(
            code=p.id,
            defaults={
                "family": p.family,
                "title": p.title,
                "issuer": p.issuer,
                "document_number": p.doc_number,
                "source_url": p.source_url[:500],
                "mode": p.mode,
                "confidence": p.confidence,
                "effective_from": p.effective_from,
                "effective_to": p.effective_to,
                "source": p.path.read_text("utf-8"),
                # money rules set in the platform survive a re-sync unless the file says
                **({"allocation": raw["allocation"]} if "allocation" in raw else {}),
                **({"no_stack_with": list(raw["no_stack_with"])} if "no_stack_with" in raw else {}),
                **(
                    {"no_stack_years": int(raw["no_stack_years"])}
                    if "no_stack_years" in raw
                    else {}
                ),
                "once_per": ":".join(p.once_per) if p.once_per else "",
            },
        )
        if p.budget_fen is not None:
            Budget.objects.get_or_create(
                policy=policy, year=year, defaults={"amount": Decimal(p.budget_fen) / 100}
            )
        out.append(policy)
    return out


def _read(sql: str) -> pl.DataFrame:
    connection.ensure_connection()
    return pl.read_database(sql, connection.connection, infer_schema_length=None)


def _typed(table: str, df: pl.DataFrame) -> pl.DataFrame:
    """Database values → the columnar contract types (dates, booleans, decimals)."""
    fixes = []
    for spec in contract.fields(table):
        if spec.name not in df.columns:
            continue
        if spec.kind is Kind.DATE and df.schema[spec.name] == pl.String:
            fixes.append(pl.col(spec.name).str.to_date("%Y-%m-%d", strict=False))
        elif spec.kind in (Kind.FRACTION, Kind.DECIMAL):
            fixes.append(pl.col(spec.name).cast(pl.Float64))
        elif spec.kind is Kind.BOOL:
            fixes.append(pl.col(spec.name).cast(pl.Boolean))
        elif spec.kind in (Kind.TEXT, Kind.CHOICE, Kind.INDUSTRY):
            fixes.append(
                pl.when(pl.col(spec.name) == "")
                .then(None)
                .otherwise(pl.col(spec.name))
                .alias(spec.name)
            )
    return frames.conform(table, df.with_columns(fixes))


def registry_tables(usccs: Iterable[str] | None = None) -> Tables:
    """The registry (or some enterprises of it) as the engine's input tables."""
    where = ""
    if usccs is not None:
        quoted = ", ".join("'" + u.replace("'", "") + "'" for u in usccs)
        where = f" WHERE uscc IN ({quoted or 'NULL'})"
    out = {}
    for table in contract.TABLES:
        names = ", ".join(connection.ops.quote_name(f.name) for f in contract.fields(table))
        sql = f"SELECT {names} FROM {MODELS[table]._meta.db_table}{where}"
        out[table] = _typed(table, _read(sql))
    return Tables(out["enterprises"], out["annual"], out["honours"], out["awards"])


def overrides(as_of: dt.date, policies: Iterable[Policy]) -> dict[str, dict[str, object]]:
    """Approved parameter changes in force on ``as_of``, per policy id."""
    out: dict[str, dict[str, object]] = {}
    changes = (
        ParameterChange.objects.filter(
            status=ParameterChange.Status.APPROVED,
            effective_from__lte=as_of,
            policy__in=list(policies),
        )
        .select_related("policy")
        .order_by("effective_from", "reviewed_at")
    )
    for change in changes:
        out.setdefault(change.policy.code, {})[change.name] = change.value
    return out


def evaluate_registry(
    as_of: dt.date,
    policies: Iterable[Policy],
    usccs: Iterable[str] | None = None,
    extra: dict[str, dict[str, object]] | None = None,
) -> Evaluation:
    """The engine over the registry with the platform's approved parameters (+ ``extra``)."""
    chosen = list(policies)
    params = overrides(as_of, chosen)
    for pid, values in (extra or {}).items():
        params.setdefault(pid, {}).update(values)
    return evaluate(library(), registry_tables(usccs), as_of, [p.code for p in chosen], params)


def explanations(ev: Evaluation) -> pl.DataFrame:
    """Per (uscc, policy): the leaf criteria as JSON, how many failed, and near miss."""
    crit = ev.criteria().filter(pl.col("is_leaf"))
    near = pl.col("margin").abs() <= pl.col("threshold").abs() * NEAR_MISS_SHARE
    return crit.group_by("uscc", "policy").agg(
        pl.struct(
            "id", "label", "clause", "passed", "value", "threshold", "margin", "unit", "measure"
        ).alias("criteria"),
        (pl.col("passed") == False).sum().alias("failed"),  # noqa: E712 - a Polars expression
        ((pl.col("passed") == False) & near.fill_null(False)).sum().alias("near"),  # noqa: E712
    )


RESULT_FIELDS = ["manifest", "enterprises", "eligible", "finished_at", "status"]
#: Matches written per statement while a run is stored (and per progress report).
STORE_CHUNK = 20_000

#: ``progress(stage, done, total)``: told as a run advances; it may raise to stop the run.
Progress = Callable[[str, int, int], None]


@transaction.atomic
def run_match(as_of: dt.date, user: Any = None) -> MatchRun:
    """Evaluate every active policy in force for every enterprise; store what matters.

    Stored: every eligible and undetermined match and every near miss (ineligible on one
    criterion only, by at most ``NEAR_MISS_SHARE`` of its line), each with its leaf
    criteria. A clear miss is not stored: re-evaluating the manifest gives it back.
    A date outside ``core.bounds`` is refused; a day with no policy in force is an empty run.
    Synchronous and in one transaction; ``background.queue_match`` runs the same
    ``execute`` in a worker, outside one, so that its progress shows.
    """
    return execute(new_run(as_of, user))


def new_run(as_of: dt.date, user: Any = None) -> MatchRun:
    """A run of ``as_of`` not yet evaluated (status queued)."""
    bounds.check_date(as_of, "匹配基准日", "match date")
    return MatchRun.objects.create(
        as_of=as_of, started_by=user if getattr(user, "is_authenticated", False) else None
    )


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


def execute(run: MatchRun, progress: Progress = _no_progress) -> MatchRun:
    """Evaluate and store ``run`` (a new one: its matches are written, not replaced)."""
    as_of = run.as_of
    active = [
        p
        for p in Policy.objects.filter(active=True)
        if (p.effective_from is None or p.effective_from <= as_of)
        and (p.effective_to is None or as_of <= p.effective_to)
    ]
    snapshot = Annual.objects.aggregate(y=Max("year"))["y"]
    if not active:  # nothing in force that day: nothing to evaluate, nobody eligible
        run.manifest = {"as_of": as_of.isoformat(), "policies": [], "latest_data_year": snapshot}
        run.enterprises, run.eligible, run.finished_at = (
            Enterprise.objects.count(),
            0,
            timezone.now(),
        )
        run.status = MatchRun.Status.FINISHED
        run.save(update_fields=RESULT_FIELDS)
        return run
    progress("evaluating", 0, len(active))
    ev = evaluate_registry(as_of, active)
    results = ev.results().join(explanations(ev), on=["uscc", "policy"], how="left")
    results = results.with_columns(
        near_miss=(pl.col("verdict") == "ineligible")
        & (pl.col("failed") == 1)
        & (pl.col("near") == 1)
    )
    keep = results.filter((pl.col("verdict") != "ineligible") | pl.col("near_miss"))
    ids = {p.code: p.pk for p in active}
    rows = keep.select(
        pl.lit(run.pk).alias("run_id"),
        pl.col("uscc"),
        pl.col("policy").replace_strict(ids, return_dtype=pl.Int64).alias("policy_id"),
        "verdict",
        pl.col("score").cast(pl.Float64),
        pl.col("award_fen").alias("award"),
        # JSON written by Polars itself: a Python json.dumps per row was most of a large run
        pl.concat_str(
            pl.lit("["),
            pl.col("criteria").list.eval(pl.element().struct.json_encode()).list.join(","),
            pl.lit("]"),
        )
        .fill_null("[]")
        .alias("criteria"),
        pl.col("failed").fill_null(0).cast(pl.Int64),
        pl.col("near_miss").fill_null(False),
        pl.col("needs_review").fill_null(True),
    )
    for start in range(0, rows.height, STORE_CHUNK):
        progress("storing", start, rows.height)
        chunk = rows.slice(start, STORE_CHUNK)
        upsert(Match, chunk, ("run_id", "uscc", "policy_id"), chunk.columns)
    progress("storing", rows.height, rows.height)
    run.manifest = {
        **ev.run,
        "data_snapshot": timezone.now().isoformat(),
        "latest_data_year": snapshot,
        "engine": "lianzhang.rules",
        "engine_version": ev.run["engine"],  # with ``policies``: the library version
    }
    run.enterprises = Enterprise.objects.count()
    # entitled: eligible and not resting on a manual or unverified clause (须人工审核)
    eligible = keep["verdict"] == "eligible"
    run.eligible = int((eligible & ~keep["needs_review"].fill_null(True)).sum())
    run.manifest["needs_review"] = int((eligible & keep["needs_review"].fill_null(True)).sum())
    run.finished_at = timezone.now()
    run.status = MatchRun.Status.FINISHED
    run.save(update_fields=RESULT_FIELDS)  # not the progress a worker reports meanwhile
    return run
