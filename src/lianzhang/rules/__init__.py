"""Rules as code: policy files, exact three-valued evaluation in Polars, explanations, what-if.

Pure Python (no Django). The small API the platform uses::

    from lianzhang.rules import Tables, evaluate, explain, load_library, whatif

    lib = load_library()                      # built-in library (national + local examples)
    ev = evaluate(lib, Tables(ent, annual, honours, awards), as_of, ["cn.miit.specialized-sme"])
    ev.results()        # one row per enterprise × policy: verdict, score, award_fen, auto_grant
    ev.criteria()       # one row per enterprise × criterion: passed, value, threshold, margin
    ev.records([uscc])  # JSON-ready dicts (the CLI contract)
    ev.run              # as-of date, policy versions and parameters used
    explain(ev, uscc)   # readable Chinese text
    whatif(lib, tables, as_of, "local.example.rd-subsidy", {"rate": "15%"})

Modules, in the order a policy flows through them: ``syntax`` (the expression parser
and tree), ``policy`` (policy files, the library), ``values`` (typed values and their
exact, three-valued operations), ``functions`` (the function registry with docs and
arity), ``compile`` (expression → value), ``plan`` (what a compiled policy is, reads and
produces; no Polars), ``engine`` (policy → plan), ``inputs`` (the tables, the joined
input frame, title and award flags, size class), ``evaluation`` (run the plans, read the
results), ``explain``, ``whatif``, ``scenarios``, ``reference`` (generated docs).
``syntax``, ``policy`` and ``plan`` import no Polars, so another backend can share them.
See docs/policies/authoring.md.
"""

from __future__ import annotations

from .engine import Tables
from .evaluation import Evaluation, evaluate
from .explain import explain
from .policy import Library, Policy, PolicyError, load_library
from .whatif import WhatIf, whatif

__all__ = [
    "Evaluation",
    "Library",
    "Policy",
    "PolicyError",
    "Tables",
    "WhatIf",
    "evaluate",
    "explain",
    "load_library",
    "whatif",
]
