"""`lianzhang appeals …`: the appeals ledger, the scheduler's sweep, metrics, 12345 import."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import click


def _django() -> None:
    from .setup import setup_django

    setup_django()


def _user(username: str) -> Any:
    from django.contrib.auth.models import User

    from lianzhang.core.errors import NotFound

    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotFound(f"没有用户 {username}", f"no user {username}")
    return user


def _moment(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(0, 0)))


_AS = click.option(
    "--as", "username", default="admin", show_default=True, help="以该用户身份 / act as this user"
)


@click.group(help="企业诉求闭环 / enterprise appeals")
def appeals() -> None:
    pass


@appeals.command("list", help="列出诉求 / list appeals")
@click.option("--status", default="", help="按状态 / only this status")
@click.option("--overdue", is_flag=True, help="只列超期 / overdue only")
@_AS
def list_(status: str, overdue: bool, username: str) -> None:
    _django()
    from lianzhang.appeals.models import Appeal

    found = Appeal.objects.visible_to(_user(username)).select_related("enterprise")
    if status:
        found = found.filter(status=status)
    if overdue:
        found = found.filter(overdue=True)
    for a in found:
        late = " 超期/overdue" if a.overdue else ""
        click.echo(
            f"{a.pk}\t{a.received_at:%Y-%m-%d}\t{a.status}{late}\t{a.enterprise.name}\t{a.title}"
        )


@appeals.command(
    help="到期提醒、催办与通报（可反复运行）/ reminders, chasing, notices (idempotent)"
)
def sweep() -> None:
    _django()
    from lianzhang.appeals.services import sweep as run

    click.echo(run().summary())


@appeals.command(help="各单位指标 / metrics per unit and period")
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option(
    "--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]), help="不含当日 / exclusive"
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@_AS
def metrics(start: dt.datetime, end: dt.datetime, fmt: str, username: str) -> None:
    _django()
    from lianzhang.appeals.metrics import percent
    from lianzhang.appeals.services import unit_metrics

    found = unit_metrics(_user(username), _moment(start.date()), _moment(end.date()))
    names = ("on_time_response", "completion", "on_time_completion", "satisfaction", "reopen")
    if fmt == "json":
        out = {
            unit: {
                "dispatched": m.dispatched,
                **{n: None if getattr(m, n) is None else str(getattr(m, n)) for n in names},
                "top_themes": m.top_themes(),
            }
            for unit, m in sorted(found.items())
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    click.echo("单位 unit\t派单\t按时响应率\t办结率\t按时办结率\t满意率\t重办率")
    for unit, m in sorted(found.items()):
        rates = "\t".join(percent(getattr(m, n)) for n in names)
        click.echo(f"{unit}\t{m.dispatched}\t{rates}")


@appeals.command("import-12345", help="导入 12345 工单 CSV / import a 12345 CSV export")
@click.argument("path", type=click.Path(dir_okay=False, exists=True))
@_AS
def import_12345(path: str, username: str) -> None:
    _django()
    from lianzhang.appeals.services import import_hotline

    created, skipped, errors = import_hotline(_user(username), path)
    for e in errors:
        click.echo(f"  {e}", err=True)
    click.echo(
        f"新增 {created}，已存在 {skipped}，错误 {len(errors)} / "
        f"created {created}, skipped {skipped}, errors {len(errors)}"
    )
    if errors:
        raise SystemExit(1 if not created else 2)


@appeals.command(help="导出诉求台账 Excel / export the ledger to .xlsx")
@click.argument("path", type=click.Path(dir_okay=False))
@_AS
def export(path: str, username: str) -> None:
    _django()
    from lianzhang.appeals.models import Appeal
    from lianzhang.appeals.services import write_ledger

    n = write_ledger(Appeal.objects.visible_to(_user(username)), path)
    click.echo(f"已导出 {n} 条诉求到 {path} / exported {n} appeals")
