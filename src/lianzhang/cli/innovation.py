"""`lianzhang innovation …`: demands, matching, 揭榜挂帅 and the transfer pipeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click


def _django() -> None:
    from .setup import setup_django

    setup_django()


@click.group(help="技术需求、揭榜挂帅与成果转化 / demands, challenges and technology transfer")
def innovation() -> None:
    pass


@innovation.command(help="为技术需求匹配能力与成果 / rank capabilities for a demand")
@click.argument("demand_id", type=int)
@click.option("-k", "--top", default=10, show_default=True)
def match(demand_id: int, top: int) -> None:
    _django()
    from lianzhang.core.errors import NotFound
    from lianzhang.innovation.matching import match_demand
    from lianzhang.innovation.models import Demand

    demand = Demand.objects.filter(pk=demand_id).first()
    if demand is None:
        raise NotFound(f"没有技术需求 {demand_id}", f"no demand {demand_id}")
    click.echo(f"需求 / demand {demand.pk}: {demand.title}")
    for n, row in enumerate(match_demand(demand, top), 1):
        name = getattr(row.obj, "title", None) or row.obj.name
        click.echo(f"{n:>2}. [{row.hit.score:.2f}] {name}  ({row.hit.key})")
        for reason in row.hit.reasons:
            click.echo(f"      - {reason.zh()}")


@innovation.command(
    help="按文件批量匹配：语料 × 需求清单 / rank a corpus file for a list of queries"
)
@click.option(
    "--corpus",
    "corpus_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="CSV/XLSX：id、text（可选 industry_code、region、maturity、kind）",
)
@click.option(
    "--queries",
    "queries_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="CSV/XLSX：qid、text（可选字段同上）",
)
@click.option("-k", "--top", "k", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option(
    "--format", "fmt", type=click.Choice(["json", "xlsx"]), default="json", show_default=True
)
@click.option(
    "--output",
    "output",
    default=None,
    type=click.Path(dir_okay=False),
    help="输出文件（默认 JSON 到标准输出）/ output file (default: JSON to stdout)",
)
def rank(corpus_path: str, queries_path: str, k: int, fmt: str, output: str | None) -> None:
    import sys
    import time

    from lianzhang.core.errors import ValidationError
    from lianzhang.innovation import batch

    if fmt == "xlsx" and not output:
        raise ValidationError("xlsx 格式需要 --output 文件", "the xlsx format needs --output F")
    corpus = batch.read_items(corpus_path, "id")  # every problem of a file at once
    queries = batch.read_items(queries_path, "qid")
    started = time.perf_counter()
    with click.progressbar(length=len(corpus), label="建立索引 / indexing", file=sys.stderr) as bar:
        ranker = batch.BatchRanker(corpus, progress=bar.update)
    with click.progressbar(length=len(queries), label="排序 / ranking", file=sys.stderr) as bar:
        results = ranker.rank_all(queries, k, progress=bar.update)
    if output:
        (batch.write_xlsx if fmt == "xlsx" else batch.write_json)(output, results)
    else:
        click.echo(batch.dumps(results), nl=False)
    seconds = time.perf_counter() - started
    where = f" → {output}" if output else ""
    click.echo(
        f"已为 {len(queries)} 条需求在 {len(corpus)} 条记录中排序（{seconds:.1f} 秒）{where}"
        f" / ranked {len(corpus)} records for {len(queries)} queries in {seconds:.1f} s",
        err=True,
    )


@innovation.command("eval", help="匹配质量评估（真实数据）/ evaluate matching on real data")
@click.option("--size", default=100_000, show_default=True, help="索引记录数 / records")
@click.option("--queries", default=600, show_default=True, help="SEI 查询 / SEI queries")
@click.option("--makers", default=300, show_default=True, help="ChainKG 查询 / ChainKG queries")
@click.option("--marks", is_flag=True, help="用分析师的标记评估 / evaluate on analysts' marks")
def eval_(size: int, queries: int, makers: int, marks: bool) -> None:
    from lianzhang.core.errors import NotFound
    from lianzhang.innovation.evaluation import evaluate, real_eval_set, shared_dir

    if marks:
        _django()
        from lianzhang.innovation.matching import evaluate_marks

        results = evaluate_marks()
        if not results:
            click.echo("尚无标记为合适的匹配 / no match has been marked good yet")
            return
        click.echo("分析师标记的评估集 / the analysts' marks as the evaluation set")
    else:
        shared = shared_dir()
        if shared is None and size > 4453:
            raise NotFound(
                "找不到共享数据目录（设置 LIANZHANG_SHARED）",
                "shared data directory not found (set LIANZHANG_SHARED)",
            )
        data = real_eval_set(shared, size=size, queries=queries, maker_queries=makers)
        click.echo(data.description)
        _, results = evaluate(data)
    click.echo(
        f"{'task':<8}{'method':<16}{'recall@10':>10}{'nDCG@10':>10}{'p50 ms':>9}{'p95 ms':>9}"
    )
    for r in sorted(results, key=lambda r: (r.task != "all", r.task)):
        click.echo(
            f"{r.task:<8}{r.name:<16}{r.recall:>10.3f}{r.ndcg:>10.3f}{r.p50_ms:>9.1f}"
            f"{r.p95_ms:>9.1f}"
        )


def _user(username: str) -> Any:
    from django.contrib.auth.models import User

    from lianzhang.core.errors import NotFound

    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotFound(f"没有用户 {username}", f"no user {username}")
    return user


def _get(model: Any, pk: int, zh: str, en: str) -> Any:
    from lianzhang.core.errors import NotFound

    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(f"没有{zh} {pk}", f"no {en} {pk}")
    return found


AS_USER = click.option("--as", "username", required=True, help="操作人用户名 / acting user")


@innovation.command(help="技术需求清单 / list demands")
@click.option("--status", default=None, help="published / matched / closed")
@click.option("-q", "query", default="", help="名称包含 / title contains")
def demands(status: str | None, query: str) -> None:
    _django()
    from lianzhang.core.money import format_yuan
    from lianzhang.innovation.models import Demand

    found = Demand.objects.select_related("enterprise")
    if status:
        found = found.filter(status=status)
    if query:
        found = found.filter(title__icontains=query)
    for d in found:
        budget = "预算未知" if d.budget is None else f"预算 {format_yuan(d.budget)}"
        click.echo(
            f"{d.pk:>5} {d.get_status_display():<6} {d.title}  {d.enterprise.name}  {budget}"
        )


@innovation.command("match-result", help="为成果匹配需求与企业 / demands and firms for a result")
@click.argument("result_id", type=int)
@click.option("-k", "--top", default=10, show_default=True)
def match_result(result_id: int, top: int) -> None:
    _django()
    from lianzhang.innovation.matching import match_enterprises
    from lianzhang.innovation.matching import match_result as rank_demands
    from lianzhang.innovation.models import Capability

    result = _get(Capability, result_id, "能力或成果", "capability")
    click.echo(f"成果 / result {result.pk}: {result.title}")
    for title, rows in (
        ("需要它的技术需求 / demands", rank_demands(result, top)),
        ("产业链上可承接的企业 / enterprises", match_enterprises(result, top)),
    ):
        click.echo(title)
        for n, row in enumerate(rows, 1):
            name = getattr(row.obj, "title", None) or row.obj.name
            click.echo(f"{n:>2}. [{row.hit.score:.2f}] {name}")
            for reason in row.hit.reasons:
                click.echo(f"      - {reason.zh()}")


@innovation.command(help="标记匹配合适或不合适 / mark a match good or bad")
@click.argument("demand_id", type=int)
@click.argument("target")
@click.argument("verdict", type=click.Choice(["good", "bad"]))
@click.option("--note", default="")
@AS_USER
def mark(demand_id: int, target: str, verdict: str, note: str, username: str) -> None:
    _django()
    from lianzhang.innovation.models import Demand
    from lianzhang.innovation.services import mark_match

    demand = _get(Demand, demand_id, "技术需求", "demand")
    mark_match(_user(username), demand, target, verdict == "good", note)
    click.echo(f"已标记 / marked: {demand.pk} {target} {verdict}")


@innovation.command(help="揭榜挂帅榜单 / list challenges")
def challenges() -> None:
    _django()
    from lianzhang.core.money import format_yuan
    from lianzhang.innovation.models import Challenge
    from lianzhang.innovation.services import paid_total

    for c in Challenge.objects.all():
        click.echo(
            f"{c.pk:>4} {c.get_status_display():<12} {c.title}  奖励 {format_yuan(c.award)}"
            f"  已拨付 {format_yuan(paid_total(c))}  截止 {c.deadline}"
        )


@innovation.command(help="成果转化看板 / transfer pipeline board")
@click.option("--stall-days", default=180, show_default=True)
def pipeline(stall_days: int) -> None:
    _django()
    from lianzhang.innovation.services import board

    b = board(today=dt.date.today(), stall_days=stall_days)
    click.echo("阶段 / stage: " + "  ".join(f"{k} {v}" for k, v in b.counts.items()))

    def rates(label: str, conversion: dict[str, Any]) -> None:
        shown = "  ".join(
            f"{k} {'—' if v is None else f'{v * 100:.1f}%'}" for k, v in conversion.items()
        )
        click.echo(f"转化率 / conversion {label}: {shown}")

    rates("全部 / all", b.conversion)
    for chain, conversion in b.conversion_by_chain.items():
        rates(f"产业链 / chain {chain}", conversion)
    for source, conversion in b.conversion_by_source.items():
        rates(f"来源 / source {source}", conversion)
    for result, entry, age in b.stalled:
        click.echo(f"停滞 / stalled: {result.title}  {entry.stage} {age} 天 / days")


@innovation.command(help="导出技术需求清单（Excel）/ export the demand list to Excel")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--status", default=None, help="published / matched / closed")
def export(path: str, status: str | None) -> None:
    _django()
    from lianzhang.innovation.exports import write_demands
    from lianzhang.innovation.models import Demand

    demands: Any = Demand.objects.select_related("enterprise")
    if status:
        demands = demands.filter(status=status)
    count = write_demands(path, demands)
    click.echo(f"已导出 {count} 条技术需求到 {path} / exported {count} demands")


@innovation.command(help="榜单详情 / show a challenge")
@click.argument("challenge_id", type=int)
def challenge(challenge_id: int) -> None:
    _django()
    from lianzhang.core.money import format_yuan
    from lianzhang.innovation.models import Challenge
    from lianzhang.innovation.services import paid_total, ranking_of

    c = _get(Challenge, challenge_id, "榜单", "challenge")
    click.echo(f"{c.title}  [{c.get_status_display()}]  {c.get_mode_display()}")
    click.echo(f"奖励 / award {c.award} 元  已拨付 / paid {paid_total(c)} 元  截止 {c.deadline}")
    for a, mean, n in ranking_of(c):
        star = " ★" if c.winner_id == a.pk else ""
        click.echo(f"  申请 / bid {a.pk}: {a.applicant}  平均分 {mean}（{n} 位专家）{star}")
    for m in c.milestones.all():
        click.echo(f"  里程碑 {m.seq}: {m.title}  {m.due}  {m.amount} 元  {m.get_status_display()}")
    if c.accepted_on:
        click.echo(
            f"验收 / acceptance {c.accepted_on}: {c.acceptance_note}  {format_yuan(c.award)}"
        )


@innovation.command("challenge-action", help="推进榜单 / move a challenge on")
@click.argument("challenge_id", type=int)
@click.argument(
    "action", type=click.Choice(["publish", "close", "award", "accept", "fail", "cancel"])
)
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), default=None, help="验收日期")
@click.option("--note", default="")
@AS_USER
def challenge_action(
    challenge_id: int, action: str, on: dt.datetime | None, note: str, username: str
) -> None:
    _django()
    from lianzhang.innovation import services
    from lianzhang.innovation.models import Challenge

    c, user = _get(Challenge, challenge_id, "榜单", "challenge"), _user(username)
    day = on.date() if on else dt.date.today()
    if action == "publish":
        services.publish_challenge(user, c)
    elif action == "close":
        services.close_applications(user, c)
    elif action == "award":
        services.award(user, c)
    elif action in ("accept", "fail"):
        services.accept(user, c, on=day, passed=action == "accept", note=note)
    else:
        services.cancel_challenge(user, c, note)
    c.refresh_from_db()
    click.echo(f"榜单 {c.pk}: {c.get_status_display()} / {c.status}")


@innovation.command(help="成果进入下一阶段 / move a result to its next stage")
@click.argument("result_id", type=int)
@click.argument(
    "stage",
    type=click.Choice(["screening", "poc", "pilot", "incubation", "licensed", "dropped"]),
)
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--owner", default="", help="技术经理人 / technology manager")
@click.option("--outcome", default="", help="上一阶段结论 / outcome of the stage left")
@AS_USER
def advance(
    result_id: int, stage: str, on: dt.datetime, owner: str, outcome: str, username: str
) -> None:
    _django()
    from lianzhang.innovation import services
    from lianzhang.innovation.models import Capability

    result = _get(Capability, result_id, "成果", "result")
    services.advance(_user(username), result, stage, on=on.date(), owner=owner, outcome=outcome)
    click.echo(f"成果 {result.pk} → {stage}（{on.date()}）")


@innovation.command(help="载入创新模块演示数据 / load the innovation demo data")
def demo() -> None:
    _django()
    from lianzhang.innovation.demo import load_demo

    click.echo(load_demo(click.echo))
