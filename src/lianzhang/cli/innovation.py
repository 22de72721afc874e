"""`lianzhang innovation …`: demands, matching, 揭榜挂帅 and the transfer pipeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click


def _django() -> None:
    from .main import _setup_django

    _setup_django()


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


@innovation.command("eval", help="匹配质量评估（真实数据）/ evaluate matching on real data")
@click.option("--size", default=100_000, show_default=True, help="索引记录数 / records")
@click.option("--queries", default=600, show_default=True)
def eval_(size: int, queries: int) -> None:
    from lianzhang.core.errors import NotFound
    from lianzhang.innovation.evaluation import evaluate, sei_eval_set, shared_dir

    shared = shared_dir()
    if shared is None and size > 4453:
        raise NotFound(
            "找不到共享数据目录（设置 LIANZHANG_SHARED）",
            "shared data directory not found (set LIANZHANG_SHARED)",
        )
    data = sei_eval_set(shared, size=size, queries=queries)
    click.echo(data.description)
    _, results = evaluate(data)
    click.echo(f"{'method':<16}{'recall@10':>10}{'nDCG@10':>10}{'p50 ms':>9}{'p95 ms':>9}")
    for r in results:
        click.echo(f"{r.name:<16}{r.recall:>10.3f}{r.ndcg:>10.3f}{r.p50_ms:>9.1f}{r.p95_ms:>9.1f}")


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
    for k, v in b.conversion.items():
        click.echo(f"转化率 {k}: {'—' if v is None else f'{v * 100:.1f}%'}")
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
