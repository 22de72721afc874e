"""`lianzhang delivery …`: 政策找企业 / 免申即享 on the platform's database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click


def _setup() -> None:
    from .setup import setup_django

    setup_django()


def _operator() -> Any:
    """The administrator the CLI acts as (the first one), for the audit log."""
    from lianzhang.accounts import access
    from lianzhang.core.errors import PermissionDenied

    user = access.first_admin()
    if user is None:
        raise PermissionDenied(
            "没有管理员账号：先运行 lianzhang createuser NAME --role admin",
            "no administrator: run lianzhang createuser NAME --role admin",
        )
    return user


def _policy(code: str) -> Any:
    from lianzhang.core.errors import NotFound
    from lianzhang.policies.models import Policy

    found = Policy.objects.filter(code=code).first()
    if found is None:
        raise NotFound(
            f"平台中没有政策 {code}（先运行 lianzhang delivery sync）",
            f"no policy {code} in the platform (run lianzhang delivery sync)",
        )
    return found


@click.group(help="政策兑现：同步政策库、匹配、分配预算、支付、对账 / policy delivery")
def delivery() -> None:
    pass


@delivery.command(help="把政策库载入平台 / load the policy library into the platform")
@click.option("--year", type=int, help="预算年度（默认今年）/ budget year")
def sync(year: int | None) -> None:
    _setup()
    from lianzhang.policies.matching import sync_library

    loaded = sync_library(year=year)
    click.echo(f"已载入 {len(loaded)} 项政策 / {len(loaded)} policies loaded")


@delivery.command(help="匹配：全部生效政策 × 全部企业 / run a match")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    help="基准日（默认今天，便于定时运行）/ as-of date (default today, for a schedule)",
)
@click.option(
    "--open-cases",
    is_flag=True,
    help="为符合的企业生成享受事项并通知 / open cases and notify enterprises",
)
@click.option(
    "--background",
    is_flag=True,
    help="排队由后台执行，进度见匹配记录页 / queue it for the worker; progress on the run's page",
)
def match(as_of: dt.datetime | None, open_cases: bool, background: bool) -> None:
    _setup()
    as_of = as_of or dt.datetime.combine(dt.date.today(), dt.time())
    from lianzhang.policies import services
    from lianzhang.policies.matching import run_match
    from lianzhang.policies.models import Match

    if background:
        from lianzhang.policies.background import queue_match

        queued = queue_match(as_of.date(), _operator(), open_cases=open_cases)
        click.echo(
            f"匹配 #{queued.pk} 已排队，由 lianzhang worker 或 lianzhang serve 执行 / "
            f"run {queued.pk} queued for the worker"
        )
        return
    run = run_match(as_of.date())
    click.echo(
        f"匹配 #{run.pk}：{run.enterprises} 家企业，{run.eligible} 项符合 / "
        f"run {run.pk}: {run.eligible} eligible matches"
    )
    if open_cases:
        eligible = Match.objects.filter(run=run, verdict="eligible").select_related("policy")
        cases = services.open_cases(eligible, as_of.year)
        click.echo(f"新生成享受事项 {len(cases)} 项 / {len(cases)} cases opened")


@delivery.command(help="按预算分配奖补 / allocate the budget")
@click.argument("policy")
@click.option("--year", type=int, required=True)
def allocate(policy: str, year: int) -> None:
    _setup()
    from lianzhang.core.money import format_yuan
    from lianzhang.policies import services

    result = services.allocate(_policy(policy), year, _operator())
    click.echo(
        f"预算 {format_yuan(result.budget)}，申请 {format_yuan(result.demand)}，"
        f"分配 {format_yuan(result.granted)}（{result.rule}），"
        f"未获分配 {len(result.unfunded)} 项"
    )


@delivery.command(help="生成支付指令（可中断后重跑）/ order payments (safe to re-run)")
@click.argument("policy")
@click.option("--year", type=int, required=True)
def pay(policy: str, year: int) -> None:
    _setup()
    from lianzhang.policies import services

    user = _operator()
    run = services.open_payment_run(_policy(policy), year, user)  # resumes an interrupted one
    count = services.execute_payment_run(run, user)
    click.echo(f"支付批次 #{run.pk}：{count} 笔支付指令 / {count} payment orders")
    held = run.policy.cases.filter(year=year, state="held").count()
    if held:
        click.echo(f"信用核查暂缓 {held} 项 / {held} cases held by the credit register", err=True)


@delivery.command(help="发布公示（已批准、待公示的事项）/ publish the approved cases (公示)")
@click.argument("policy")
@click.option("--year", type=int, required=True)
def publicize(policy: str, year: int) -> None:
    """The list runs the policy's working days from today (or the next working day)."""
    _setup()
    from lianzhang.policies import services

    found = services.publicize(_policy(policy), year, _operator())
    n = found.cases.count()
    click.echo(
        f"公示 #{found.pk}：{n} 项，{found.starts_on} 至 {found.ends_on} / "
        f"{n} cases published {found.starts_on} to {found.ends_on}: /policies/publicity/{found.pk}/"
    )


@delivery.command(
    "treasury-export",
    help="导出国库支付文件（待银行回单的支付指令）/ write the treasury batch file",
)
@click.argument("policy")
@click.option("--year", type=int, required=True)
@click.argument("path", type=click.Path(dir_okay=False))
def treasury_export(policy: str, year: int, path: str) -> None:
    """PATH ends in .xlsx or .csv; one row per open order, with its business reference."""
    _setup()
    from lianzhang.policies import services

    count = services.write_treasury_file(_policy(policy), year, path, _operator())
    click.echo(f"已写入 {count} 笔支付 / {count} payments written: {path}")


@delivery.command("bank-returns", help="登记银行回单（已支付／退回）/ record the bank's returns")
@click.argument("path", type=click.Path(dir_okay=False))
def bank_returns(path: str) -> None:
    """All or nothing; the same returns imported again change nothing."""
    _setup()
    from lianzhang.policies import services

    report = services.import_bank_returns(path, _operator())
    for error in report.errors[:50]:
        click.echo(f"  {error}", err=True)
    click.echo(report.summary())
    if not report.written:
        raise SystemExit(1)


@delivery.command(
    "credit-import",
    help="导入信用名单（严重失信、经营异常、重大事故、行政处罚）/ import a credit list",
)
@click.argument("path", type=click.Path(dir_okay=False))
def credit_import(path: str) -> None:
    """All or nothing; the same list imported again updates its entries."""
    _setup()
    from lianzhang.enterprises.credit import import_credit

    report = import_credit(path)
    for error in report.errors[:50]:
        click.echo(f"  {error}", err=True)
    if report.error_count > 50:
        click.echo(f"  …… 共 {report.error_count} 处错误 / {report.error_count} errors", err=True)
    click.echo(report.summary())
    if not report.written:
        raise SystemExit(1)


@delivery.command(help="对账：预算、分配、支付、退回 / reconcile the ledger")
@click.argument("policy")
@click.option("--year", type=int, required=True)
def reconcile(policy: str, year: int) -> None:
    _setup()
    from lianzhang.core.money import format_yuan
    from lianzhang.policies import services

    ledger = services.reconcile(_policy(policy), year)
    click.echo(
        f"预算 {format_yuan(ledger.budget)} 已分配 {format_yuan(ledger.granted)} "
        f"待支付 {format_yuan(ledger.ordered)} 已支付 {format_yuan(ledger.paid)} "
        f"退回 {format_yuan(ledger.returned)}"
    )
    if ledger.revoked:
        click.echo(
            f"追回 −{format_yuan(ledger.revoked)}（已收回 {format_yuan(ledger.recovered)}）"
            f" / clawed back −{format_yuan(ledger.revoked)}, {format_yuan(ledger.recovered)} back"
        )
    lines = services.source_ledger(_policy(policy), year)
    for line in lines:
        budget = "—" if line.budget is None else format_yuan(line.budget)
        click.echo(
            f"  {line.label}：预算 {budget} 已分配 {format_yuan(line.granted)} "
            f"待支付 {format_yuan(line.ordered)} 已支付 {format_yuan(line.paid)}"
        )
    problems = ledger.problems + [p for line in lines for p in line.problems]
    for problem in problems:
        click.echo(f"不平 / mismatch: {problem}", err=True)
    if problems:
        raise SystemExit(1)


@delivery.command(help="撤销已支付事项并追回资金 / revoke a paid case and book its recovery")
@click.argument("case", type=int)
@click.option("--why", required=True, help="理由（必填）/ the reason, shown to the enterprise")
@click.option(
    "--due",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="退回期限（默认 30 天后）/ repay by (default: in 30 days)",
)
def clawback(case: int, why: str, due: dt.datetime | None) -> None:
    _setup()
    from lianzhang.core.errors import NotFound
    from lianzhang.policies import services
    from lianzhang.policies.models import Case

    if not Case.objects.filter(pk=case).exists():
        raise NotFound(f"没有事项 {case}", f"no case {case}")
    recovery = services.revoke(case, _operator(), why, due_on=due.date() if due else None)
    click.echo(
        f"事项 {case} 已撤销，应追回 {recovery.amount} 元，期限 {recovery.due_on} / "
        f"case {case} revoked: {recovery.amount} yuan due back by {recovery.due_on}"
    )


@delivery.command(help="应享未享清单 / eligible but not paid, with reasons")
@click.option("--output", type=click.Path(dir_okay=False), help=".xlsx 或 .csv")
def unclaimed(output: str | None) -> None:
    _setup()
    from lianzhang.policies.queries import entitled_not_received
    from lianzhang.policies.reports import write_table

    rows = entitled_not_received()
    headers = ["uscc", "name", "district", "policy", "title", "award", "state", "reason"]
    if output:
        write_table(output, "应享未享", headers, [[r[h] for h in headers] for r in rows])
        click.echo(f"已导出 {len(rows)} 行 / {len(rows)} rows written to {output}")
        return
    for r in rows:
        click.echo(f"{r['uscc']} {r['name']} {r['title']}：{r['reason']}")
    click.echo(f"共 {len(rows)} 项 / {len(rows)} in all")


@delivery.command(
    "verify-audit",
    help="校验审计日志：序号无缺、哈希链完整、检查点仍在链中 / verify the audit trails",
)
@click.option(
    "--checkpoint",
    is_flag=True,
    help="校验通过后发布各链当前链头（检查点）/ then publish each chain's head (checkpoint)",
)
def verify_audit(checkpoint: bool) -> None:
    _setup()
    from django.utils import timezone

    from lianzhang.audit import chain

    broken = False
    for model in chain.streams():
        report = chain.verify(model)
        for line in report.problems:
            click.echo(f"审计日志被改动 / audit trail broken: {line}", err=True)
        for line in report.warnings:
            click.echo(line)
        broken = broken or not report.ok
        cp = report.checkpoint
        head = f"#{cp.seq} {cp.hash[:12]} {timezone.localtime(cp.at):%Y-%m-%d %H:%M}" if cp else "—"
        click.echo(f"{report.stream}：{report.events} 条 / events，检查点 / checkpoint {head}")
    if broken:
        raise SystemExit(1)
    if checkpoint:
        for model in chain.streams():
            row = chain.checkpoint(model)
            if row is not None:
                click.echo(f"检查点 / checkpoint {row.stream} #{row.seq} {row.hash[:12]}")
    click.echo("审计日志完整 / audit log intact")


@delivery.command(
    help="绩效评价：受益企业与相似未受益企业的双重差分 / outcome evaluation (difference in "
    "differences against matched non-beneficiaries)"
)
@click.argument("policy")
@click.option("--year", type=int, required=True, help="政策（预算）年度 / policy (budget) year")
@click.option(
    "--output", type=click.Path(dir_okay=False), help="写入 .xlsx 工作簿 / write an .xlsx workbook"
)
def outcomes(policy: str, year: int, output: str | None) -> None:
    """Without --output: JSON on stdout (decimals as strings, unknown as null)."""
    _setup()
    import io
    import json
    from pathlib import Path

    from lianzhang.core.errors import ValidationError
    from lianzhang.policies.outcomes import to_json, write_workbook
    from lianzhang.policies.services.outcomes import evaluate_policy_year

    if output and not output.lower().endswith(".xlsx"):
        raise ValidationError("请导出为 .xlsx 文件", "export to an .xlsx file")
    found = _policy(policy)
    result = evaluate_policy_year(found, year)
    if output:
        book = io.BytesIO()  # the whole workbook first: a failure leaves no half file
        write_workbook(result, found.code, found.title, book)
        Path(output).write_bytes(book.getvalue())
        n = result.treated_total
        click.echo(f"已写入 {output}：受益企业 {n} 家 / written, {n} beneficiaries")
        return
    click.echo(json.dumps(to_json(result, found.code, found.title), ensure_ascii=False, indent=2))


@delivery.command(help="匹配记录：每次匹配的基准日、时间、发起人和数量 / the match-run history")
@click.option(
    "--limit", type=int, default=20, show_default=True, help="最多列出几次 / at most N runs"
)
def runs(limit: int) -> None:
    _setup()
    from django.utils import timezone

    from lianzhang.policies.run_history import history

    rows = history(max(limit, 1))
    for r in rows:
        done = (
            f"{timezone.localtime(r['finished_at']):%Y-%m-%d %H:%M}"
            if r["finished_at"]
            else "未完成"
        )
        click.echo(
            f"#{r['id']} 基准日 / as of {r['as_of']}，"
            f"开始 / started {timezone.localtime(r['started_at']):%Y-%m-%d %H:%M}，"
            f"完成 / finished {done}，发起人 / by {r['started_by'] or '—'}："
            f"{r['enterprises']} 家企业 / enterprises，{r['eligible']} 项符合 / entitled，"
            f"{r['needs_review']} 项须人工审核 / need review，{r['policies']} 项政策 / policies"
        )
    if not rows:
        click.echo("还没有匹配记录 / no match run yet")


@delivery.command(
    "run-diff",
    help="比较两次匹配：谁新增符合、谁不再符合、谁金额变化，及其原因 / compare two match runs",
)
@click.argument("a", type=int)
@click.argument("b", type=int)
@click.option("--policy", default="", help="只看一项政策（政策编号）/ one policy only (its id)")
@click.option(
    "--output", type=click.Path(dir_okay=False), help="写入 .xlsx 工作簿 / write an .xlsx workbook"
)
def run_diff(a: int, b: int, policy: str, output: str | None) -> None:
    """Without --output: JSON on stdout (amounts in yuan as strings, no stored result null)."""
    _setup()
    import io
    import json
    from pathlib import Path

    from lianzhang.core.errors import ValidationError
    from lianzhang.policies import run_diff as runs_diff
    from lianzhang.policies import run_history

    if output and not output.lower().endswith(".xlsx"):
        raise ValidationError("请导出为 .xlsx 文件", "export to an .xlsx file")
    if policy:
        _policy(policy)
    found = runs_diff.diff(run_history.run_of(a), run_history.run_of(b))
    if output:
        book = io.BytesIO()  # the whole workbook first: a failure leaves no half file
        n = runs_diff.write_workbook(found, book, policy)
        Path(output).write_bytes(book.getvalue())
        click.echo(f"已写入 {output}：{n} 项变化 / written, {n} changes")
        return
    data = found.to_json(found.rows(policy=policy))
    if policy:
        data["policies"] = [p for p in data["policies"] if p["policy"] == policy]
        data["total"] = len(data["changes"])
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
