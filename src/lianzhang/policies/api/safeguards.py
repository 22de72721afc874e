"""The delivery API's safeguards: 联审 tasks, 市区分担 and budgets per funding source,
追回 and repayments, 公示 and objections, the treasury batch, the credit register."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from lianzhang.accounts import access
from lianzhang.enterprises import credit as credit_register
from lianzhang.web.bounded import Day, Money, Text, Year
from lianzhang.web.errors import Error

from .. import services
from .shared import YearIn, _policy, _visible_case

router = Router(tags=["policy delivery"])

# --- 联审, 市区分担, 追回, 公示 and the treasury file --------------------------------------


class TaskOut(Schema):
    id: int
    case: int
    enterprise: str
    uscc: str
    policy: str
    year: int
    department: str
    note: str
    due_on: dt.date
    status: str
    reason: str
    #: the latest year's values of the fields the department checks, and nothing else
    figures: dict[str, str | None]


def _task(task: Any) -> dict[str, Any]:
    shown = services.task_figures(task)["figures"]
    return {
        "id": task.pk,
        "case": task.case_id,
        "enterprise": task.case.enterprise.name,
        "uscc": task.case.enterprise_id,
        "policy": task.case.policy.code,
        "year": task.case.year,
        "department": task.department.code,
        "note": task.note,
        "due_on": task.due_on,
        "status": task.status,
        "reason": task.reason,
        "figures": {k: None if v is None else str(v) for k, v in shown.items()},
    }


@router.get("/review-tasks", response=list[TaskOut], tags=["joint review"])
def review_tasks(request: HttpRequest, status: str = "pending") -> list[dict[str, Any]]:
    """The 联审 tasks the user's department must decide (the bureau sees all)."""
    found = services.tasks_for(request.user)
    if status:
        found = found.filter(status=status)
    return [_task(t) for t in found[:500]]


class TaskDecisionIn(Schema):
    passed: bool
    reason: Text = ""


@router.post(
    "/review-tasks/{task_id}/decision",
    response={200: TaskOut, 400: Error, 403: Error, 404: Error, 409: Error},
    tags=["joint review"],
)
def decide_task(request: HttpRequest, task_id: int, body: TaskDecisionIn) -> Any:
    return _task(services.decide_task(task_id, request.user, body.passed, body.reason))


class JointReviewIn(Schema):
    departments: list[dict[str, Any]]
    days: int = Field(5, ge=1, le=60)
    reason: Text


@router.put(
    "/policies/{code}/joint-review",
    response={200: dict[str, Any], 400: Error, 403: Error, 404: Error},
    tags=["joint review"],
)
def set_joint_review(request: HttpRequest, code: str, body: JointReviewIn) -> Any:
    policy = services.set_joint_review(
        _policy(code), body.departments, body.days, request.user, body.reason
    )
    return {"departments": policy.joint_review, "days": policy.joint_review_days}


class SharesIn(Schema):
    #: ``{"city": "1/2", "district": "1/2", "by_district": {"高新区": {...}}}``; {}: city pays
    rule: dict[str, Any]
    reason: Text


@router.put(
    "/policies/{code}/cost-shares",
    response={200: dict[str, Any], 400: Error, 403: Error, 404: Error},
    tags=["money"],
)
def set_cost_shares(request: HttpRequest, code: str, body: SharesIn) -> Any:
    return services.set_cost_shares(_policy(code), body.rule, request.user, body.reason).cost_shares


class SourceBudgetIn(Schema):
    year: Year
    source: str = Field(max_length=60)
    amount: Money
    reason: Text


class SourceOut(Schema):
    source: str
    label: str
    budget: Decimal | None
    granted: Decimal
    ordered: Decimal
    paid: Decimal
    returned: Decimal
    problems: list[str]


@router.put(
    "/policies/{code}/source-budgets",
    response={200: list[SourceOut], 400: Error, 403: Error, 404: Error},
    tags=["money"],
)
def set_source_budget(request: HttpRequest, code: str, body: SourceBudgetIn) -> Any:
    policy = _policy(code)
    services.set_source_budget(
        policy, body.year, body.source, body.amount, request.user, body.reason
    )
    return services.source_ledger(policy, body.year)


@router.get("/policies/{code}/sources", response={200: list[SourceOut], 403: Error}, tags=["money"])
def sources(request: HttpRequest, code: str, year: Year) -> Any:
    """The ledger per funding source (city, each district)."""
    access.require(request.user, "import")
    return services.source_ledger(_policy(code), year)


class ClawbackIn(Schema):
    why: Text
    due_on: Day | None = None


class RecoveryOut(Schema):
    id: int
    case: int
    amount: Decimal
    recovered: Decimal
    due_on: dt.date
    reason: str
    closed: bool


def _recovery(r: Any) -> dict[str, Any]:
    return {
        "id": r.pk,
        "case": r.case_id,
        "amount": r.amount,
        "recovered": r.recovered,
        "due_on": r.due_on,
        "reason": r.reason,
        "closed": r.closed_at is not None,
    }


@router.post(
    "/cases/{case_id}/clawback",
    response={201: RecoveryOut, 400: Error, 403: Error, 404: Error, 409: Error},
    tags=["money"],
)
def clawback(request: HttpRequest, case_id: int, body: ClawbackIn) -> Any:
    """Revoke a paid case (追回): the recovery is booked as a negative ledger entry."""
    _visible_case(request, case_id)
    return 201, _recovery(services.revoke(case_id, request.user, body.why, due_on=body.due_on))


class RepaymentIn(Schema):
    amount: Money
    note: Text = ""


@router.post(
    "/recoveries/{recovery_id}/repayments",
    response={200: RecoveryOut, 400: Error, 403: Error, 404: Error, 409: Error},
    tags=["money"],
)
def repayment(request: HttpRequest, recovery_id: int, body: RepaymentIn) -> Any:
    return _recovery(services.record_recovery(recovery_id, body.amount, request.user, body.note))


class PublicityOut(Schema):
    id: int
    policy: str
    year: int
    starts_on: dt.date
    ends_on: dt.date
    cases: int
    open_objections: int


def _publicity(p: Any) -> dict[str, Any]:
    return {
        "id": p.pk,
        "policy": p.policy.code,
        "year": p.year,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "cases": p.cases.count(),
        "open_objections": p.objections.filter(resolved_at=None).count(),
    }


@router.post(
    "/policies/{code}/publicity",
    response={201: PublicityOut, 400: Error, 403: Error, 404: Error},
    tags=["publicity"],
)
def publicize(request: HttpRequest, code: str, body: YearIn) -> Any:
    """Publish the policy-year's approved cases (公示) for its working days from today."""
    return 201, _publicity(services.publicize(_policy(code), body.year, request.user))


class ObjectionDecisionIn(Schema):
    upheld: bool
    reason: Text


@router.post(
    "/objections/{objection_id}/resolution",
    response={200: dict[str, Any], 400: Error, 403: Error, 404: Error, 409: Error},
    tags=["publicity"],
)
def resolve_objection(request: HttpRequest, objection_id: int, body: ObjectionDecisionIn) -> Any:
    found = services.resolve_objection(objection_id, request.user, body.upheld, body.reason)
    return {"id": found.pk, "case": found.case_id, "upheld": found.upheld}


class TreasuryRowOut(Schema):
    reference: str
    payee_name: str
    account: str
    bank: str
    amount: Decimal
    purpose: str
    uscc: str


@router.get(
    "/policies/{code}/treasury",
    response={200: list[TreasuryRowOut], 403: Error, 404: Error},
    tags=["money"],
)
def treasury(request: HttpRequest, code: str, year: Year) -> Any:
    """The treasury batch of the open orders, as the Excel file has it."""
    access.require_bureau(request.user)
    keys = ("reference", "payee_name", "account", "bank", "amount", "purpose", "uscc")
    return [
        dict(zip(keys, row, strict=True)) for row in services.treasury_rows(_policy(code), year)
    ]


class ListingOut(Schema):
    kind: str
    listed_on: dt.date
    removed_on: dt.date | None
    source: str
    reference: str
    blocking: bool


@router.get(
    "/enterprises/{uscc}/credit",
    response={200: list[ListingOut], 403: Error, 404: Error},
    tags=["money"],
)
def credit(request: HttpRequest, uscc: str) -> Any:
    """The credit register's entries of an enterprise and whether each blocks payment today."""
    access.require_bureau(request.user)
    return credit_register.listings_of(uscc, timezone.localdate())
