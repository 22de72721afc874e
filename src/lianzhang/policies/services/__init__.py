"""Delivery use cases: the only writers of cases, reviews, budgets, payments and the audit log.

Split by topic; this package re-exports the public names so callers write
``services.confirm(...)``. The submodules import one another directly, never this file:

- ``audit``: the hash-chained audit log.
- ``figures``: what the registry and the rules already know (pre-fill, pre-review, award).
- ``transitions``: the state machine (private ``_transition``) and the plain moves.
- ``applications``: the enterprise's 申报 (start, fill in, attach, submit, object).
- ``review``: the bureau's side of 申报 (assign, declare, decide, final decision).
- ``cases``: opening cases from a match run.
- ``budget`` and ``payments``: the money of a policy and year, and the ledger.
- ``treasury``: the treasury's batch file and the bank's returns.
- ``publicity``: 公示 before payment and the public's objections.
- ``parameters``: dated parameter changes under four eyes.
"""

from .applications import (
    ALLOWED_SUFFIXES,
    EDITABLE,
    EDITABLE_STATES,
    MAX_ATTACHMENT,
    add_attachment,
    mark_read,
    object_to,
    save_application,
    start_application,
    submit,
)
from .audit import GENESIS, audit, audit_many, verify_audit_chain
from .budget import ALLOCATION_RULES, Allocation, allocate, set_budget, set_money_rules
from .cases import BATCH, open_cases
from .figures import PREFILL_FIELDS, confirmed_award, latest_figures, prefill, prereview
from .parameters import parameter_overrides, propose_parameter, review_parameter
from .payments import (
    Ledger,
    create_payment_run,
    execute_payment_run,
    open_payment_run,
    reconcile,
    settle,
)
from .publicity import file_objection, publicize, resolve_objection, set_publicity_days
from .review import assign, decide, declare, final_decision
from .transitions import (
    InvalidTransition,
    approve,
    bank_account,
    confirm,
    decline,
    dismiss,
    reject,
    release,
    uphold,
)
from .treasury import BankReturns, import_bank_returns, treasury_rows, write_treasury_file

__all__ = [
    "ALLOCATION_RULES",
    "ALLOWED_SUFFIXES",
    "BATCH",
    "EDITABLE",
    "EDITABLE_STATES",
    "GENESIS",
    "MAX_ATTACHMENT",
    "PREFILL_FIELDS",
    "Allocation",
    "BankReturns",
    "InvalidTransition",
    "Ledger",
    "add_attachment",
    "allocate",
    "approve",
    "assign",
    "audit",
    "audit_many",
    "bank_account",
    "confirm",
    "confirmed_award",
    "create_payment_run",
    "decide",
    "declare",
    "decline",
    "dismiss",
    "execute_payment_run",
    "file_objection",
    "final_decision",
    "import_bank_returns",
    "latest_figures",
    "mark_read",
    "object_to",
    "open_cases",
    "open_payment_run",
    "parameter_overrides",
    "prefill",
    "prereview",
    "propose_parameter",
    "publicize",
    "reconcile",
    "reject",
    "release",
    "resolve_objection",
    "review_parameter",
    "save_application",
    "set_budget",
    "set_money_rules",
    "set_publicity_days",
    "settle",
    "start_application",
    "submit",
    "treasury_rows",
    "uphold",
    "verify_audit_chain",
    "write_treasury_file",
]
