"""Bureau pages of policy delivery: budgets and payments, the dashboard, exports, sandbox.

Thin, like ``views``: read through ``accounts.access`` and ``queries``, write through the
services. Bureau staff only, except the dashboard and exports (district officers too, for
their district).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianzhang.accounts import access
from lianzhang.core.errors import LianzhangError

from . import background, money_forms, queries, reports, sandbox, services, workflow
from .models import Budget, Case, MatchRun, Objection, PaymentOrder, Policy, Recovery
from .pages import need_bureau, say, staff_scope, within, year_of
from .workflow import State

SHOWN = 50  # rows of a list on the dashboard; the Excel export has them all
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- money ------------------------------------------------------------------------------


@login_required
def money(request: HttpRequest) -> HttpResponse:
    need_bureau(request)
    year = year_of(request)
    rows = []
    for policy in Policy.objects.filter(budgets__year=year).distinct():
        ledger = services.reconcile(policy, year)
        demand = Case.objects.filter(
            policy=policy, year=year, state__in=workflow.COMMITTED
        ).aggregate(s=Sum("award_computed"))["s"]
        rows.append({"policy": policy, "ledger": ledger, "demand": demand or Decimal(0)})
    return render(request, "policies/money.html", {"rows": rows, "year": year})


@login_required
def ledger(request: HttpRequest, code: str, year: int) -> HttpResponse:
    need_bureau(request)
    policy = get_object_or_404(Policy, code=code)
    committed = (
        Case.objects.filter(policy=policy, year=year, state__in=workflow.COMMITTED)
        .select_related("enterprise", "match")
        .order_by("-award_granted", "enterprise_id")
    )
    context = {
        "policy": policy,
        "year": year,
        "ledger": services.reconcile(policy, year),
        "budget": Budget.objects.filter(policy=policy, year=year).first(),
        "cases": committed,
        "orders": PaymentOrder.objects.filter(case__policy=policy, case__year=year)
        .select_related("case__enterprise", "run")
        .order_by("-created_at"),
        "runs": policy.payment_runs.filter(year=year).order_by("-created_at"),
        "unallocated": committed.filter(state=State.APPROVED, award_granted__isnull=True).count(),
        "publicities": policy.publicities.filter(year=year).prefetch_related(
            "objections__case__enterprise"
        ),
        "sources": services.source_ledger(policy, year),
        "shares": money_forms.shares_form(policy),
        "departments": money_forms.departments_form(policy),
        "recoveries": Recovery.objects.filter(case__policy=policy, case__year=year)
        .select_related("case__enterprise")
        .order_by("due_on"),
        "clawback_candidates": services.candidates(policy, year),
    }
    return render(request, "policies/ledger.html", context)


def _money_action(request: HttpRequest, policy: Policy, year: int) -> str:
    post, user = request.POST, request.user
    action = post.get("action", "")
    if action == "budget":
        try:
            amount = Decimal(post.get("amount", "").replace(",", ""))
        except InvalidOperation:
            raise LianzhangError("预算金额格式错误", "the budget is not a number") from None
        services.set_budget(policy, year, amount, user, post.get("reason", ""))
        return _("Budget saved.")
    if action == "allocate":
        result = services.allocate(policy, year, user)
        return _("Allocated %(granted)s of %(budget)s by the rule %(rule)s.") % {
            "granted": result.granted,
            "budget": result.budget,
            "rule": result.rule,
        }
    if action == "pay":
        run = services.open_payment_run(policy, year, user)
        done = services.execute_payment_run(run, user)
        return _("Payment run %(run)s: %(n)s orders.") % {"run": run.pk, "n": done}
    if action == "publicity_days":
        days = post.get("days", "")
        if not days.isdigit():
            raise LianzhangError("公示期应为工作日数", "the publicity period is a number of days")
        services.set_publicity_days(policy, int(days), user, post.get("reason", ""))
        return _("Publicity period saved.")
    if action == "publicize":
        found = services.publicize(policy, year, user)
        return _("Published %(n)s cases from %(start)s to %(end)s.") % {
            "n": found.cases.count(),
            "start": found.starts_on,
            "end": found.ends_on,
        }
    if action in ("uphold_objection", "dismiss_objection"):
        objection = Objection.objects.filter(
            pk=post.get("objection") or 0, publicity__policy=policy
        ).first()
        if objection is None:
            raise LianzhangError("没有该异议", "no such objection")
        upheld = action == "uphold_objection"
        services.resolve_objection(objection.pk, user, upheld, post.get("reason", ""))
        return _("Objection resolved.")
    if action == "cost_shares":
        services.set_cost_shares(
            policy, money_forms.parse_shares(post), user, post.get("reason", "")
        )
        return _("Cost sharing saved.")
    if action == "source_budget":
        source = post.get("source", "").strip()
        if source not in ("", "city"):
            source = f"district:{source.removeprefix('district:')}"
        try:
            amount = Decimal(post.get("amount", "").replace(",", ""))
        except InvalidOperation:
            raise LianzhangError("预算金额格式错误", "the budget is not a number") from None
        services.set_source_budget(
            policy, year, source or "city", amount, user, post.get("reason", "")
        )
        return _("Budget of the funding source saved.")
    if action == "joint_review":
        days = post.get("days", "")
        if not days.isdigit():
            raise LianzhangError("联审时限应为工作日数", "the time limit is a number of days")
        departments = money_forms.parse_departments(post)
        services.set_joint_review(policy, departments, int(days), user, post.get("reason", ""))
        return _("Joint review saved.")
    if action == "recovered":
        recovery = Recovery.objects.filter(
            pk=post.get("recovery") or 0, case__policy=policy
        ).first()
        if recovery is None:
            raise LianzhangError("没有该追回事项", "no such recovery")
        try:
            amount = Decimal(post.get("amount", "").replace(",", ""))
        except InvalidOperation:
            raise LianzhangError("追回金额格式错误", "the amount is not a number") from None
        services.record_recovery(recovery.pk, amount, user, post.get("note", ""))
        return _("Recovered amount booked.")
    if action in ("paid", "returned"):
        order = PaymentOrder.objects.filter(pk=post.get("order") or 0, case__policy=policy).first()
        if order is None:
            raise LianzhangError("没有该支付指令", "no such payment order")
        services.settle(order.pk, user, paid=action == "paid", note=post.get("note", ""))
        return _("Bank answer recorded.")
    raise LianzhangError(f"未知操作 {action}", f"unknown action {action}")


@login_required
@require_POST
def money_act(request: HttpRequest, code: str, year: int) -> HttpResponse:
    need_bureau(request)
    policy = get_object_or_404(Policy, code=code)
    try:
        messages.success(request, _money_action(request, policy, year))
    except LianzhangError as exc:
        say(request, exc)
    return redirect("policies:ledger", code=code, year=year)


@login_required
def treasury(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The treasury's batch file of the open payment orders (audited as exported)."""
    need_bureau(request)
    policy = get_object_or_404(Policy, code=code)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "treasury.xlsx"
        services.write_treasury_file(policy, year, path, request.user)
        content = path.read_bytes()
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="treasury-{code}-{year}.xlsx"'
    return response


@login_required
@require_POST
def bank_returns(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Upload the bank's returns file: every answer recorded, or none (with the errors)."""
    need_bureau(request)
    get_object_or_404(Policy, code=code)
    access.require(request.user, "import")
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose the bank's returns file (CSV or XLSX)."))
        return redirect("policies:ledger", code=code, year=year)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(upload.name or "returns.csv").name
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        report = services.import_bank_returns(path, request.user)
    (messages.success if report.written else messages.error)(request, report.summary())
    for error in report.errors[:20]:
        messages.error(request, str(error))
    return redirect("policies:ledger", code=code, year=year)


# --- oversight --------------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if access.is_enterprise_user(request.user):
        return redirect("policies:mine")
    scope = staff_scope(request)
    year = year_of(request)
    by = {d: queries.amounts_by(year, d, scope) for d in ("district", "chain", "policy")}
    coverage = queries.coverage(year, scope)
    unclaimed = within(queries.dashboard_list("unclaimed"), scope)
    review = within(queries.dashboard_list("review"), scope)
    near = within(queries.dashboard_list("near-misses"), scope)
    chart = {
        "coverage": {
            "labels": [r["title"] for r in coverage],
            "series": {
                _("awaiting the enterprise"): [r["awaiting"] for r in coverage],
                _("confirmed / in review"): [r["confirmed"] for r in coverage],
                _("approved"): [r["approved"] - r["paid"] for r in coverage],
                _("paid"): [r["paid"] for r in coverage],
            },
        },
        "district": {
            "labels": [g["group"] for g in by["district"]],
            "granted": [float(g["granted"]) / 10000 for g in by["district"]],
            "paid": [float(g["paid"]) / 10000 for g in by["district"]],
            "names": [_("granted (10k yuan)"), _("paid (10k yuan)")],
        },
    }
    context = {
        "year": year,
        "summary": queries.summary(year, scope),
        "coverage": coverage,
        "by": by,
        "days": queries.days_to_payment(year, scope),
        "unclaimed": unclaimed[:SHOWN],
        "unclaimed_total": len(unclaimed),
        "review": review[:SHOWN],
        "review_total": len(review),
        "near": near[:SHOWN],
        "near_total": len(near),
        "run": MatchRun.objects.filter(finished_at__isnull=False).first(),
        "chart": chart,
        "bureau": scope is None,
    }
    return render(request, "policies/dashboard.html", context)


@login_required
@require_POST
def match_now(request: HttpRequest) -> HttpResponse:
    """Queue a run of today (the worker evaluates it, opens cases and tells the firms) and
    show its progress: a city-wide run takes longer than a request should."""
    need_bureau(request)
    try:
        run = background.queue_match(timezone.localdate(), request.user, open_cases=True)
    except LianzhangError as exc:
        say(request, exc)
        return redirect("policies:dashboard")
    messages.success(request, _("Match run %(run)s queued.") % {"run": run.pk})
    return redirect("policies:run", run.pk)


def _export_rows(kind: str, year: int, scope: Any) -> tuple[str, list[str], list[list[Any]]]:
    if kind == "unclaimed":
        rows = within(queries.entitled_not_received(), scope)
        heads = [
            "统一社会信用代码",
            "企业名称",
            "区县",
            "政策编号",
            "政策",
            "预计金额(元)",
            "状态",
            "原因",
        ]
        keys = ["uscc", "name", "district", "policy", "title", "award", "state", "reason"]
        with translation.override("zh-hans"):  # the sheet's heads are Chinese: so its states
            for r in rows:
                r["state"] = str(State(r["state"]).label) if r["state"] else "未开事项"
        return "应享未享", heads, [[r[k] for k in keys] for r in rows]
    if kind == "near-misses":
        rows = within(queries.near_misses(limit=100000), scope)
        heads = ["统一社会信用代码", "企业名称", "区县", "政策编号", "政策", "差距"]
        keys = ["uscc", "name", "district", "policy", "title", "reason"]
        return "差一点符合", heads, [[r[k] for k in keys] for r in rows]
    if kind == "coverage":
        rows = queries.coverage(year, scope)
        heads = [
            "政策编号",
            "政策",
            "方式",
            "事项",
            "待企业确认",
            "已确认/评审中",
            "已批准",
            "已支付",
            "已支付金额(元)",
        ]
        keys = [
            "policy",
            "title",
            "mode",
            "cases",
            "awaiting",
            "confirmed",
            "approved",
            "paid",
            "paid_amount",
        ]
        return "覆盖情况", heads, [[r[k] for k in keys] for r in rows]
    if kind in ("district", "chain", "policy", "industry"):
        rows = queries.amounts_by(year, kind, scope)
        heads = ["分组", "事项", "批准金额(元)", "已支付(元)"]
        return f"按{kind}", heads, [[r["group"], r["cases"], r["granted"], r["paid"]] for r in rows]
    raise Http404(kind)


@login_required
def export(request: HttpRequest, kind: str) -> HttpResponse:
    scope = staff_scope(request)
    year = year_of(request)
    title, heads, rows = _export_rows(kind, year, scope)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{kind}.xlsx"
        reports.write_table(path, title, heads, rows)
        content = path.read_bytes()
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{kind}-{year}.xlsx"'
    return response


@login_required
def sandbox_page(request: HttpRequest) -> HttpResponse:
    need_bureau(request)
    policies = Policy.objects.filter(active=True)
    code = request.POST.get("policy") or request.GET.get("policy") or ""
    chosen = policies.filter(code=code).first()
    try:
        as_of = dt.date.fromisoformat(request.POST.get("as_of", ""))
    except ValueError:
        as_of = timezone.localdate()
    params = sandbox.parameters_of(chosen, as_of) if chosen else []
    result, draft = None, request.POST.get("draft", "")
    if request.method == "POST":
        try:
            if draft.strip():
                result = sandbox.draft_whatif(draft, as_of)
            elif chosen is not None:
                values = {
                    p["name"]: request.POST[f"p_{p['name']}"].strip()
                    for p in params
                    if request.POST.get(f"p_{p['name']}", "").strip()
                    and request.POST[f"p_{p['name']}"].strip() != str(p["value"])
                }
                result = sandbox.parameter_whatif(chosen, values, as_of)
            else:
                raise LianzhangError("请选择政策或粘贴政策草案", "choose a policy or paste a draft")
        except LianzhangError as exc:
            say(request, exc)
    chart = None
    if result is not None:
        chart = {
            "district": _chart_groups(result.by_district),
            "industry": _chart_groups(result.by_industry),
            "names": [_("eligible now"), _("eligible as proposed")],
        }
    context = {
        "policies": policies,
        "chosen": chosen,
        "params": params,
        "posted": request.POST,
        "as_of": as_of,
        "draft": draft,
        "result": result,
        "chart": chart,
    }
    return render(request, "policies/sandbox.html", context)


def _chart_groups(groups: list[dict[str, Any]]) -> dict[str, list[Any]]:
    top = groups[:15]
    return {
        "labels": [g["group"] for g in top],
        "before": [g["before"] for g in top],
        "after": [g["after"] for g in top],
    }


# --- 绩效评价 (outcome evaluation) --------------------------------------------------------


def _reading(row: dict[str, Any]) -> str:
    """The estimate in words: the interval above zero, below it, across it, or none."""
    low, high = row["ci_low"], row["ci_high"]
    if low is None or high is None:
        return _("too few pairs for an interval")
    if low > 0:
        return _("beneficiaries grew more than similar firms")
    if high < 0:
        return _("beneficiaries grew less than similar firms")
    return _("no clear difference")


def _outcome_chart(rows: list[dict[str, Any]], pre: int, post: int) -> dict[str, Any]:
    """Per indicator: the means before and after, and the beneficiaries' path had they
    moved like their controls (the gap at the end is the estimate)."""
    charts = []
    for r in rows:
        if r["treated_n"] == 0:
            continue
        tp, tq = r["treated_pre_mean"], r["treated_post_mean"]
        cp, cq = r["control_pre_mean"], r["control_post_mean"]
        charts.append(
            {
                "id": f"outcome-chart-{r['indicator']}",
                "title": f"{r['shown_label']}（{r['shown_unit']}）",
                "treated": [float(tp), float(tq)],
                "control": [float(cp), float(cq)],
                "counterfactual": [float(tp), float(tp + cq - cp)],
            }
        )
    return {
        "years": [str(pre), str(post)],
        "names": [
            _("beneficiaries"),
            _("matched similar firms"),
            _("beneficiaries had they moved like the others"),
        ],
        "charts": charts,
    }


@login_required
def outcomes_page(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """绩效评价 of a policy-year: the estimate per indicator, a chart, the method, Excel."""
    import io

    from . import outcomes
    from .services.outcomes import evaluate_policy_year

    need_bureau(request)
    policy = get_object_or_404(Policy, code=code)
    result = evaluate_policy_year(policy, year)
    if request.GET.get("format") == "xlsx":
        book = io.BytesIO()
        outcomes.write_workbook(result, policy.code, policy.title, book)
        response = HttpResponse(book.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="outcomes-{year}.xlsx"'
        return response
    english = request.LANGUAGE_CODE == "en"
    rows = []
    for estimate in result.estimates:
        row = outcomes.row_of(estimate)
        row["shown_label"] = row["label_en"] if english else row["label"]
        row["shown_unit"] = row["unit_en"] if english else row["unit"]
        row["reading"] = _reading(row)
        rows.append(row)
    context = {
        "policy": policy,
        "year": year,
        "result": result,
        "rows": rows,
        "chart": _outcome_chart(rows, result.pre_year, result.post_year),
    }
    return render(request, "policies/outcomes.html", context)
