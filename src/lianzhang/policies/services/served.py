"""Serve what is already computed: "my policies" from the latest match run when it holds.

A match run stores every enterprise's results that a page shows (eligible, undetermined
and near misses, with their criteria). Reading them is a few indexed rows; evaluating the
library live for one enterprise is a query of hundreds of expressions. The stored results
are served for an enterprise as of a day when all of these hold, else it is evaluated
live (``queries.my_policies``), and the page says which:

- the latest finished run was made as of that same day (dates move parameters, titles'
  validity and "last year"), and
- the enterprise's data did not change since the run started
  (``Enterprise.data_changed_at``, stamped by every writer of the registry), and
- the library is the one the run used: the same policies in force, each with the same
  file digest and the same parameter values (file or approved change) as the run's
  manifest records, and the same engine.

The stored rows carry what the live path computes (verdict, award in fen, score,
needs_review, near miss, the leaf criteria); ``tests/policies/test_served_results.py``
checks that both paths give the same page for the demo enterprises.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from lianzhang import __version__
from lianzhang.enterprises.models import Enterprise
from lianzhang.rules.engine import parameter_values
from lianzhang.rules.policy import Library

from ..matching import library, overrides
from ..models import Match, MatchRun, Policy
from ..queries import MyPolicy, active_policies, my_policies, policy_items

ENGINE = f"lianzhang.rules {__version__}"


@dataclass(frozen=True)
class Served:
    """The page's items and where they come from: a match run (``run``) or live (None)."""

    items: list[MyPolicy]
    run: MatchRun | None = None

    @property
    def stored(self) -> bool:
        return self.run is not None


def library_version(policies: list[dict[str, Any]], engine: str = ENGINE) -> str:
    """What decides a result besides the data: engine, each policy's digest and parameters.

    ``policies`` as the run manifest records them (``Evaluation.run["policies"]``).
    """
    key = sorted(
        (p["id"], p["digest"], sorted((str(k), str(v)) for k, v in p["parameters"].items()))
        for p in policies
    )
    return json.dumps([engine, key], ensure_ascii=False)


def current_version(as_of: dt.date, active: list[Policy], lib: Library | None = None) -> str:
    """The library version a live evaluation as of ``as_of`` would use now."""
    params = overrides(as_of, active)
    chosen = (lib or library()).select([p.code for p in active], as_of)
    return library_version(
        [
            {
                "id": p.id,
                "digest": p.digest,
                "parameters": parameter_values(p, as_of, params.get(p.id) or params.get(p.family)),
            }
            for p in chosen
        ]
    )


def run_version(run: MatchRun) -> str | None:
    """The library version recorded by a run (None: a run that records no policies)."""
    manifest = run.manifest or {}
    if "policies" not in manifest:
        return None
    return library_version(manifest["policies"], manifest.get("engine_version", ENGINE))


def usable_run(
    uscc: str, as_of: dt.date, active: list[Policy], lib: Library | None = None
) -> MatchRun | None:
    """The latest finished run, if its stored results hold for ``uscc`` as of ``as_of``."""
    run = MatchRun.objects.filter(finished_at__isnull=False).first()
    if run is None or run.as_of != as_of:
        return None
    changed = Enterprise.objects.filter(pk=uscc).values_list("data_changed_at", flat=True).first()
    if changed is None or changed >= run.started_at:
        return None  # unknown enterprise, or its data changed since the run read it
    if run_version(run) != current_version(as_of, active, lib):
        return None
    return run


def stored_rows(run: MatchRun, uscc: str, active: list[Policy]) -> list[dict[str, Any]]:
    """The run's stored results of ``uscc`` in the live path's row form."""
    codes = {p.pk: p.code for p in active}
    rows = []
    for m in Match.objects.filter(run=run, enterprise_id=uscc, policy_id__in=list(codes)):
        rows.append(
            {
                "policy": codes[m.policy_id],
                "verdict": m.verdict,
                "needs_review": m.needs_review,
                "near_miss": m.near_miss,
                "award_fen": None if m.award is None else int(m.award * 100),
                "score": None if m.score is None else float(m.score),
                "criteria": m.criteria,
            }
        )
    return rows


def served_policies(uscc: str, as_of: dt.date | None = None) -> Served:
    """The "my policies" items of ``uscc``: from the latest match run when it holds, else
    evaluated live."""
    as_of = as_of or timezone.localdate()
    lib = library()  # one look at the policy files per page
    active = active_policies(as_of, lib)
    run = usable_run(uscc, as_of, active, lib) if active else None
    if run is None:
        return Served(my_policies(uscc, as_of))
    return Served(policy_items(uscc, as_of, active, stored_rows(run, uscc, active)), run)
