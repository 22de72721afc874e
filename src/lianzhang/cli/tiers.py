"""`lianzhang tiers …`: 梯度培育 from the database — the pyramid, candidates, expiring
titles, the workbook, and the bureau's targets. The CLI is the bureau: it sees every
district (narrow with ``--district``)."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction
from typing import Any

import click


def _django() -> None:
    from .setup import setup_django

    setup_django()


def _plain(value: Any) -> Any:
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _echo(rows: Any) -> None:
    if isinstance(rows, dict):
        rows = {k: _plain(v) if not isinstance(v, list) else v for k, v in rows.items()}
    click.echo(json.dumps(rows, ensure_ascii=False, indent=1, default=_plain))


def _scope(on: str | None, district: str, chain: str, months: int | None = None) -> Any:
    from django.utils import timezone

    from lianzhang.cultivation import filters, queries
    from lianzhang.enterprises.models import Enterprise

    f = filters.parse(on, district, chain, str(months) if months else None, timezone.localdate())
    return queries.narrow(Enterprise.objects.all(), f.district, f.chain), f


_ON = click.option("--on", help="日期 YYYY-MM-DD（默认今天）/ as of (default today)")
_DISTRICT = click.option("--district", default="", help="区（市）县 / district")
_CHAIN = click.option("--chain", default="", help="产业链代码 / chain code")


@click.group(help="梯度培育 / tiered cultivation")
def tiers() -> None:
    pass


@tiers.command(help="各梯度企业数（JSON）/ enterprises per tier")
@_ON
@_DISTRICT
@_CHAIN
def pyramid(on: str | None, district: str, chain: str) -> None:
    _django()
    from lianzhang.cultivation import queries

    scope, f = _scope(on, district, chain)
    _echo(queries.pyramid(scope, f.on))


@tiers.command(help="下一梯度的后备企业（JSON）/ candidates for a tier")
@click.argument("tier")
@_DISTRICT
@_CHAIN
def candidates(tier: str, district: str, chain: str) -> None:
    _django()
    from lianzhang.cultivation import ladder, queries

    scope, _f = _scope(None, district, chain)
    _echo(queries.candidates(scope, ladder.tier(tier).code))


@tiers.command(help="即将到期的称号（JSON）/ titles expiring soon")
@_ON
@click.option("--months", type=int, default=6, show_default=True, help="月数 / months ahead")
@_DISTRICT
@_CHAIN
def expiring(on: str | None, months: int, district: str, chain: str) -> None:
    _django()
    from lianzhang.cultivation import queries

    scope, f = _scope(on, district, chain, months)
    _echo(queries.expiring(scope, f.on, f.months))


@tiers.command(help="导出梯度培育工作簿 .xlsx / export the workbook")
@click.argument("path", type=click.Path(dir_okay=False))
@_ON
@click.option("--months", type=int, default=6, show_default=True, help="到期月数 / months ahead")
@_DISTRICT
@_CHAIN
def export(path: str, on: str | None, months: int, district: str, chain: str) -> None:
    _django()
    from lianzhang.cultivation import workbook

    scope, f = _scope(on, district, chain, months)
    workbook.write(scope, f.on, f.months, path)
    click.echo(f"已导出梯度培育工作簿到 {path} / exported the workbook")


@tiers.command(help="设置区县年度目标 / set a district's yearly target")
@click.argument("year", type=int)
@click.argument("district")
@click.argument("tier")
@click.argument("count", type=int)
def target(year: int, district: str, tier: str, count: int) -> None:
    _django()
    from lianzhang.accounts import access
    from lianzhang.core.errors import NotFound
    from lianzhang.cultivation import services

    admin = access.first_admin()
    if admin is None:
        raise NotFound("尚无管理员：先运行 lianzhang createuser", "no administrator yet")
    services.set_target(admin, year, district, tier, count)
    click.echo(f"{year} {district} {tier}：目标 {count} / target set")
