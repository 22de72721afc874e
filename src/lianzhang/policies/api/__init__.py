"""政策兑现 in the REST API: "my policies", the library and its dated parameters, match
runs, cases on both delivery paths, budgets, payment runs, the ledger, 应享未享 and the
sandbox. Mounted on the platform's API site (``lianzhang.web.api``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from lianzhang.accounts import access
from lianzhang.core.errors import NotFound, PermissionDenied, ValidationError
from lianzhang.web.bounded import Day, Money, Text, Year
from lianzhang.web.errors import Error

from .. import queries, sandbox, services
from ..models import Case, ParameterChange, PaymentOrder, Policy
from . import runs, safeguards
from .shared import YearIn, _policy, _visible_case

router = Router(tags=["policy delivery"])

# --- enterprises ------------------------------------------------------------------------


class MyPolicyOut(Schema):
    policy: str
    title: str
    mode: str
    verdict: str
    category: str
    award: Decimal | None
    score: float | None
    reasons: list[str]
    case_id: int | None
    case_state: str | None
    #: the verdict rests on a manual or unverified clause (须人工审核; category "review")
    needs_review: bool = False


@router.get(
    "/enterprises/{uscc}/policies",
    response={200: list[MyPolicyOut], 403: Error},
    tags=["policy delivery"],
)
def enterprise_policies(
    request: HttpRequest, uscc: str, as_of: Day | None = None
) -> list[dict[str, Any]]:
    """政策找企业: what this enterprise qualifies for, may qualify for, or just misses."""
    enterprise = access.enterprise_for(request.user, uscc.upper())
    return [
        {
            "policy": m.policy.code,
            "title": m.policy.title,
            "mode": m.policy.mode,
            "verdict": m.verdict,
            "category": m.category,
            "award": m.award,
            "score": m.score,
            "reasons": m.reasons,
            "case_id": m.case.pk if m.case else None,
            "case_state": m.case.state if m.case else None,
            "needs_review": m.needs_review,
        }
        for m in queries.my_policies(enterprise.uscc, as_of)
    ]


# --- policies ---------------------------------------------------------------------------


class PolicyOut(Schema):
    code: str
    title: str
    issuer: str
    document_number: str
    mode: str
    confidence: str
    effective_from: dt.date | None
    effective_to: dt.date | None
    active: bool


@router.get("/policies", response=list[PolicyOut], tags=["policy delivery"])
def list_policies(request: HttpRequest) -> Any:
    return Policy.objects.all()


@router.get("/policies/{code}", response={200: PolicyOut, 404: Error}, tags=["policy delivery"])
def get_policy(request: HttpRequest, code: str) -> Any:
    return _policy(code)


class ParameterIn(Schema):
    name: str
    effective_from: Day
    value: str
    reason: Text


class ParameterChangeOut(Schema):
    id: int
    name: str
    effective_from: dt.date
    value: str
    status: str


@router.post(
    "/policies/{code}/parameters",
    response={201: ParameterChangeOut, 403: Error},
    tags=["policy delivery"],
)
def propose_parameter(request: HttpRequest, code: str, body: ParameterIn) -> Any:
    """Propose a new dated parameter value; it takes effect once an administrator approves."""
    return 201, services.propose_parameter(
        _policy(code), body.name, body.effective_from, body.value, body.reason, request.user
    )


class ReviewIn(Schema):
    approve: bool
    note: str = ""


@router.post(
    "/parameter-changes/{change_id}/review",
    response={200: ParameterChangeOut, 403: Error, 409: Error},
    tags=["policy delivery"],
)
def review_parameter(request: HttpRequest, change_id: int, body: ReviewIn) -> Any:
    if not ParameterChange.objects.filter(pk=change_id).exists():
        raise NotFound(f"没有参数修改 {change_id}", f"no parameter change {change_id}")
    return services.review_parameter(change_id, request.user, approve=body.approve, note=body.note)


# --- cases ------------------------------------------------------------------------------


class CaseOut(Schema):
    id: int
    uscc: str
    policy: str
    year: int
    state: str
    version: int
    award_computed: Decimal | None
    award_granted: Decimal | None
    decision_reason: str


def _case(c: Case) -> dict[str, Any]:
    return {
        "id": c.pk,
        "uscc": c.enterprise_id,
        "policy": c.policy.code,
        "year": c.year,
        "state": c.state,
        "version": c.version,
        "award_computed": c.award_computed,
        "award_granted": c.award_granted,
        "decision_reason": c.decision_reason,
    }


@router.get("/cases", response=list[CaseOut], tags=["policy delivery"])
def list_cases(request: HttpRequest, state: str = "", policy: str = "") -> list[dict[str, Any]]:
    found = Case.objects.visible_to(request.user).select_related("policy")
    if state:
        found = found.filter(state=state)
    if policy:
        found = found.filter(policy__code=policy)
    return [_case(c) for c in found.order_by("pk")[:1000]]


@router.get("/cases/{case_id}", response={200: CaseOut, 403: Error}, tags=["policy delivery"])
def get_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return _case(_visible_case(request, case_id))


class ConfirmIn(Schema):
    bank_account: str
    #: the account holder; empty: the registered name (a different one is held at payment)
    payee_name: str = Field("", max_length=200)
    bank_name: str = Field("", max_length=100)


@router.post(
    "/cases/{case_id}/confirm",
    response={200: CaseOut, 400: Error, 403: Error, 409: Error},
    tags=["policy delivery"],
)
def confirm_case(request: HttpRequest, case_id: int, body: ConfirmIn) -> dict[str, Any]:
    """免申即享: the enterprise confirms its intent and bank account."""
    _visible_case(request, case_id)
    return _case(
        services.confirm(case_id, request.user, body.bank_account, body.payee_name, body.bank_name)
    )


class ActionIn(Schema):
    reason: str = ""
    expected_version: int | None = None


#: The actions of the generic endpoint, each its named use case (same signature:
#: case id, user, reason, expected_version); the state machine refuses an empty reason
#: where ``workflow.NEEDS_REASON`` asks for one.
ACTIONS: dict[str, Callable[..., Case]] = {
    "submit": services.submit,
    "decline": services.decline,
    "object": services.object_to,
    "approve": services.approve,
    "reject": services.reject,
    "uphold": services.uphold,
    "dismiss": services.dismiss,
}


@router.post(
    "/cases/{case_id}/actions/{action}",
    response={200: CaseOut, 400: Error, 403: Error, 409: Error},
    tags=["policy delivery"],
)
def act_on_case(request: HttpRequest, case_id: int, action: str, body: ActionIn) -> Any:
    """submit / decline / object (enterprise); approve (automatic cases); uphold / dismiss."""
    use_case = ACTIONS.get(action)
    if use_case is None:
        raise ValidationError(f"不支持的操作 {action}", f"unsupported action {action}")
    _visible_case(request, case_id)
    return _case(
        use_case(case_id, request.user, body.reason, expected_version=body.expected_version)
    )


class AssignIn(Schema):
    reviewer: str


@router.post(
    "/cases/{case_id}/assign",
    response={200: CaseOut, 400: Error, 403: Error, 409: Error},
    tags=["policy delivery"],
)
def assign_case(request: HttpRequest, case_id: int, body: AssignIn) -> dict[str, Any]:
    from django.contrib.auth.models import User

    reviewer = User.objects.filter(username=body.reviewer).first()
    if reviewer is None:
        raise ValidationError(f"没有用户 {body.reviewer}", f"no user {body.reviewer}")
    _visible_case(request, case_id)
    return _case(services.assign(case_id, request.user, reviewer))


class DeclarationIn(Schema):
    conflict: bool
    statement: str = ""


@router.post(
    "/cases/{case_id}/declaration", response={200: CaseOut, 403: Error}, tags=["policy delivery"]
)
def declare(request: HttpRequest, case_id: int, body: DeclarationIn) -> dict[str, Any]:
    """The reviewer's conflict-of-interest declaration (a conflict recuses the reviewer)."""
    _visible_case(request, case_id)
    services.declare(case_id, request.user, conflict=body.conflict, statement=body.statement)
    return _case(Case.objects.select_related("policy").get(pk=case_id))


class DecisionIn(Schema):
    decision: str
    reason: str
    expected_version: int | None = None


@router.post(
    "/cases/{case_id}/decision",
    response={200: CaseOut, 400: Error, 403: Error, 409: Error},
    tags=["policy delivery"],
)
def decide(request: HttpRequest, case_id: int, body: DecisionIn) -> dict[str, Any]:
    _visible_case(request, case_id)
    return _case(
        services.decide(case_id, request.user, body.decision, body.reason, body.expected_version)
    )


# --- money and oversight ----------------------------------------------------------------


class LedgerOut(Schema):
    budget: Decimal
    granted: Decimal
    ordered: Decimal
    paid: Decimal
    returned: Decimal
    problems: list[str]
    revoked: Decimal = Decimal(0)
    recovered: Decimal = Decimal(0)


@router.post(
    "/policies/{code}/allocation", response={200: LedgerOut, 400: Error, 403: Error}, tags=["money"]
)
def allocate(request: HttpRequest, code: str, body: YearIn) -> Any:
    access.require(request.user, "import")
    policy = _policy(code)
    services.allocate(policy, body.year, request.user)
    return services.reconcile(policy, body.year)


@router.post("/policies/{code}/payment-runs", response={201: LedgerOut, 403: Error}, tags=["money"])
def payment_run(request: HttpRequest, code: str, body: YearIn) -> Any:
    policy = _policy(code)
    run = services.open_payment_run(policy, body.year, request.user)
    services.execute_payment_run(run, request.user)
    return 201, services.reconcile(policy, body.year)


@router.get("/policies/{code}/ledger", response={200: LedgerOut, 403: Error}, tags=["money"])
def ledger(request: HttpRequest, code: str, year: Year) -> Any:
    access.require(request.user, "import")
    return services.reconcile(_policy(code), year)


class UnclaimedOut(Schema):
    uscc: str
    name: str
    district: str
    policy: str
    title: str
    award: Decimal | None
    state: str
    reason: str


@router.get("/dashboard/unclaimed", response=list[UnclaimedOut], tags=["oversight"])
def unclaimed(request: HttpRequest) -> list[dict[str, Any]]:
    """应享未享 within the user's reach, each with the reason."""
    visible = set(access.enterprises_for(request.user, "view").values_list("pk", flat=True))
    return [row for row in queries.entitled_not_received() if row["uscc"] in visible]


class NeedsReviewOut(Schema):
    uscc: str
    name: str
    district: str
    policy: str
    title: str
    award: Decimal | None
    verdict: str
    status: str
    reason: str


@router.get("/dashboard/needs-review", response=list[NeedsReviewOut], tags=["oversight"])
def needs_review(request: HttpRequest) -> list[dict[str, Any]]:
    """须人工审核: verdicts resting on a manual or unverified clause (not entitled yet)."""
    visible = set(access.enterprises_for(request.user, "view").values_list("pk", flat=True))
    return [row for row in queries.awaiting_review() if row["uscc"] in visible]


class WhatIfIn(Schema):
    policy: str
    set: dict[str, str] = Field(max_length=100)
    as_of: Day


class WhatIfOut(Schema):
    gained: list[str]
    lost: list[str]
    eligible_before: int
    eligible_after: int
    award_before: Decimal
    award_after: Decimal
    budget_change: Decimal
    budget: Decimal | None
    by_district: list[dict[str, Any]]
    by_industry: list[dict[str, Any]]


@router.post(
    "/sandbox/whatif", response={200: WhatIfOut, 400: Error, 403: Error}, tags=["oversight"]
)
def whatif(request: HttpRequest, body: WhatIfIn) -> dict[str, Any]:
    """Policy sandbox on the live registry (with the platform's approved parameters)."""
    access.require(request.user, "import")
    result = sandbox.parameter_whatif(_policy(body.policy), dict(body.set), body.as_of)
    changed = result.changed
    return {
        "gained": [
            r["uscc"]
            for r in changed
            if r["verdict_after"] == "eligible" and r["verdict_before"] != "eligible"
        ],
        "lost": [
            r["uscc"]
            for r in changed
            if r["verdict_before"] == "eligible" and r["verdict_after"] != "eligible"
        ],
        "eligible_before": result.before["eligible"],
        "eligible_after": result.after["eligible"],
        "award_before": result.before["award"],
        "award_after": result.after["award"],
        "budget_change": result.award_change,
        "budget": result.budget,
        "by_district": result.by_district,
        "by_industry": result.by_industry,
    }


# --- more of the case path --------------------------------------------------------------


class ApplicationIn(Schema):
    contact: str = ""
    phone: str = ""
    statement: str = ""
    bank_account: str = ""


@router.post(
    "/enterprises/{uscc}/policies/{code}/application",
    response={201: CaseOut, 400: Error, 403: Error},
    tags=["policy delivery"],
)
def start_application(request: HttpRequest, uscc: str, code: str) -> Any:
    """申报: the enterprise starts a pre-filled application (eligible or undetermined)."""
    access.enterprise_for(request.user, uscc)
    return 201, _case(services.start_application(request.user, uscc, _policy(code)))


@router.put(
    "/cases/{case_id}/application",
    response={200: CaseOut, 400: Error, 403: Error},
    tags=["policy delivery"],
)
def save_application(request: HttpRequest, case_id: int, body: ApplicationIn) -> Any:
    _visible_case(request, case_id)
    fields = {k: v for k, v in body.dict().items() if v}
    return _case(services.save_application(case_id, request.user, fields))


class ReasonIn(Schema):
    reason: str


@router.post(
    "/cases/{case_id}/objection",
    response={200: CaseOut, 400: Error, 403: Error, 409: Error},
    tags=["policy delivery"],
)
def object_to(request: HttpRequest, case_id: int, body: ReasonIn) -> Any:
    _visible_case(request, case_id)
    return _case(services.object_to(case_id, request.user, body.reason))


class FinalIn(Schema):
    uphold: bool
    reason: str


@router.post(
    "/cases/{case_id}/final-decision",
    response={200: CaseOut, 400: Error, 403: Error, 409: Error},
    tags=["policy delivery"],
)
def final_decision(request: HttpRequest, case_id: int, body: FinalIn) -> Any:
    _visible_case(request, case_id)
    return _case(services.final_decision(case_id, request.user, body.uphold, body.reason))


class BudgetIn(Schema):
    year: Year
    amount: Money
    reason: Text


@router.put(
    "/policies/{code}/budget", response={200: LedgerOut, 400: Error, 403: Error}, tags=["money"]
)
def set_budget(request: HttpRequest, code: str, body: BudgetIn) -> Any:
    policy = _policy(code)
    services.set_budget(policy, body.year, body.amount, request.user, body.reason)
    return services.reconcile(policy, body.year)


class SettleIn(Schema):
    paid: bool
    note: str = ""


class OrderOut(Schema):
    id: int
    #: the business reference of the treasury file and the bank's returns (LZ00000042)
    reference: str
    case: int
    amount: Decimal
    status: str
    bank_account: str
    payee_name: str


@router.post(
    "/payment-orders/{order_id}/settlement",
    response={200: OrderOut, 400: Error, 403: Error, 409: Error},
    tags=["money"],
)
def settle(request: HttpRequest, order_id: int, body: SettleIn) -> Any:
    """The bank's answer: paid, or returned (the case can then be ordered again)."""
    access.require(request.user, "import")
    if not PaymentOrder.objects.filter(pk=order_id).exists():
        raise NotFound(f"没有支付指令 {order_id}", f"no payment order {order_id}")
    order = services.settle(order_id, request.user, paid=body.paid, note=body.note)
    return {
        "id": order.pk,
        "reference": order.reference,
        "case": order.case_id,
        "amount": order.amount,
        "status": order.status,
        "bank_account": order.bank_account,
        "payee_name": order.payee_name,
    }


class CoverageOut(Schema):
    policy: str
    title: str
    mode: str
    cases: int
    awaiting: int
    confirmed: int
    approved: int
    paid: int
    paid_amount: Decimal


@router.get("/dashboard/coverage", response=list[CoverageOut], tags=["oversight"])
def coverage(request: HttpRequest, year: Year) -> Any:
    """Eligible / confirmed / approved / paid per policy, within the user's reach."""
    district = access.is_district(request.user)
    if not (district or access.is_bureau(request.user)):
        raise PermissionDenied("只有局内和区县人员可以查看", "bureau and district staff only")
    scope = access.enterprises_for(request.user, "view") if district else None
    return queries.coverage(year, scope)


# 联审, 市区分担, 追回, 公示, the treasury batch and the credit register (``safeguards``)
router.add_router("", safeguards.router)
# the match-run history and the difference of two runs (``runs``)
router.add_router("", runs.router)
