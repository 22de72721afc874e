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
- ``joint_review``: 联审, the departments' sign-off (their decision is in ``review``).
- ``funding``: 市区分担, budgets per funding source and the ledger per source.
- ``clawback``: 追回 of a paid case, and the recovery of the money.
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
from .clawback import candidates, record_recovery, revoke
from .figures import PREFILL_FIELDS, confirmed_award, latest_figures, prefill, prereview
from .funding import (
    SourceLine,
    set_cost_shares,
    set_source_budget,
    source_label,
    source_ledger,
)
from .joint_review import (
    field_label,
    joint_review_departments,
    set_joint_review,
    task_figures,
    tasks_for,
)
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
from .review import assign, decide, decide_task, declare, final_decision
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
    "SourceLine",
    "add_attachment",
    "allocate",
    "approve",
    "assign",
    "audit",
    "audit_many",
    "bank_account",
    "candidates",
    "confirm",
    "confirmed_award",
    "create_payment_run",
    "decide",
    "decide_task",
    "declare",
    "decline",
    "dismiss",
    "execute_payment_run",
    "field_label",
    "file_objection",
    "final_decision",
    "import_bank_returns",
    "joint_review_departments",
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
    "record_recovery",
    "reject",
    "release",
    "resolve_objection",
    "review_parameter",
    "revoke",
    "save_application",
    "set_budget",
    "set_cost_shares",
    "set_joint_review",
    "set_money_rules",
    "set_publicity_days",
    "set_source_budget",
    "settle",
    "source_label",
    "source_ledger",
    "start_application",
    "submit",
    "task_figures",
    "tasks_for",
    "treasury_rows",
    "uphold",
    "verify_audit_chain",
    "write_treasury_file",
]
