"""`lianzhang`: one command for the whole platform.

Errors come out as one clear line (Chinese / English) and exit code 1; `--debug`
shows the traceback.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Any

import click

from lianzhang.core.errors import LianzhangError

from .appeals import appeals
from .calendar import calendar
from .chains import chains
from .delivery import delivery
from .innovation import innovation
from .landuse import landuse
from .monitor import monitor
from .policies import policies
from .setup import setup_django
from .tiers import tiers

TABLE_NAMES = ("enterprises", "annual", "honours", "awards")


def _data_dir() -> Path:
    path = Path(os.environ.get("LIANZHANG_DATA_DIR", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _ensure_secret() -> None:
    """Write a per-installation secret key once, so no default key is ever used."""
    if os.environ.get("SECRET_KEY"):
        return
    secret = _data_dir() / "secret_key"
    if not secret.exists():
        secret.write_text(secrets.token_urlsafe(50), "utf-8")
        secret.chmod(0o600)


class Cli(click.Group):
    """Turns LianzhangError and configuration errors into one line unless --debug."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except Exception as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            message = (
                str(exc) if isinstance(exc, LianzhangError) else f"{type(exc).__name__}: {exc}"
            )
            click.echo(f"错误 / error: {message}", err=True)
            sys.exit(1)


@click.group(cls=Cli, help="链长 lianzhang：现代化产业体系运行平台 / industrial system platform")
@click.option("--debug", is_flag=True, help="出错时显示完整堆栈 / show tracebacks")
@click.version_option(package_name="lianzhang")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    ctx.obj = {"debug": debug}


@cli.command(help="创建数据目录与数据库并迁移 / create the data directory and database")
def init() -> None:
    _ensure_secret()
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django.conf import settings

    click.echo(f"数据库已就绪 / database ready: {settings.DATABASES['default']['NAME']}")


@cli.command(help="生成演示城市并启动平台 / load the demo city and serve it")
@click.option("--seed", default=20261124, show_default=True, help="随机种子 / random seed")
@click.option(
    "--enterprises", "count", default=6000, show_default=True, help="企业数 / number of enterprises"
)
@click.option("--reset", is_flag=True, help="清空后重新生成 / wipe and regenerate")
@click.option("--no-serve", is_flag=True, help="只加载不启动 / load only, do not serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
def demo(seed: int, count: int, reset: bool, no_serve: bool, host: str, port: int) -> None:
    _ensure_secret()
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from lianzhang.demo import loader

    summary = loader.load_demo(seed=seed, enterprises=count, reset=reset, echo=click.echo)
    click.echo(summary)
    logins = loader.create_demo_users()
    for line in loader.load_modules(echo=click.echo):
        click.echo(line)
    click.echo("\n演示账号 / demo logins (用户名 / 密码):")
    for line in logins:
        click.echo(f"  {line}")
    if not no_serve:
        _serve(host, port)


@cli.command(help="启动网页服务 / serve the web platform")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option(
    "--no-worker",
    is_flag=True,
    help="不在本进程内运行后台任务（另行运行 lianzhang worker）/ run no background worker "
    "in this process (run `lianzhang worker` apart)",
)
def serve(host: str, port: int, no_worker: bool) -> None:
    _ensure_secret()
    setup_django()
    _serve(host, port, worker=not no_worker)


def _serve(host: str, port: int, worker: bool = True) -> None:
    import threading

    from waitress import serve as waitress_serve

    from lianzhang.wsgi import application

    if worker:  # background match runs need a worker; one thread is enough for one machine
        from lianzhang.policies.background import work

        threading.Thread(target=work, kwargs={"batch": False}, daemon=True).start()
    click.echo(f"\n平台已启动 / serving at http://{host}:{port}/  (Ctrl+C 退出 / to stop)")
    waitress_serve(application, host=host, port=port, threads=8, _quiet=True)


@cli.command(help="运行后台任务（如从网页发起的匹配）/ run the background tasks (match runs)")
@click.option("--batch", is_flag=True, help="队列为空时退出 / stop once the queue is empty")
def worker(batch: bool) -> None:
    _ensure_secret()
    setup_django()
    from lianzhang.policies.background import work

    click.echo("后台任务运行中 / worker running" + ("" if batch else "  (Ctrl+C 退出 / to stop)"))
    work(batch=batch)


@cli.command("import", help="导入 CSV/Excel 数据表 / import a table from CSV or Excel")
@click.argument("table", type=click.Choice(TABLE_NAMES))
@click.argument("path", type=click.Path(dir_okay=False))
@click.option(
    "--partial",
    is_flag=True,
    help="写入正确的行，报告错误行 / write the good rows, report the bad ones",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False),
    help="把错误报告写入 CSV / write the error report to a CSV file",
)
def import_(table: str, path: str, partial: bool, report_path: str | None) -> None:
    setup_django()
    from tqdm import tqdm

    from lianzhang.enterprises.services import import_file

    with tqdm(desc=f"导入 {table}", unit=" 行", disable=None, file=sys.stderr) as bar:
        report = import_file(path, table, partial=partial, progress=bar.update)
    for warning in report.warnings:
        click.echo(f"注意 / warning: {warning}", err=True)
    for error in report.errors[:50]:
        click.echo(f"  {error}", err=True)
    if report.error_count > 50:
        click.echo(
            f"  …… 共 {report.error_count} 处错误 / {report.error_count} errors in all", err=True
        )
    if report_path:
        _write_error_report(report, Path(report_path))
        click.echo(f"错误报告 / error report: {report_path}", err=True)
    click.echo(report.summary())
    if report.error_count:
        sys.exit(1 if not report.written else 2)


def _write_error_report(report: Any, path: Path) -> None:
    from lianzhang.core import exports

    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = exports.writer(handle)  # the bad values are the file's own: they may be formulas
        writer.writerow(["行号 row", "列 column", "值 value", "原因", "reason"])
        for e in report.errors:
            writer.writerow([e.row, e.column, e.value, e.zh, e.en])


@cli.command(help="导出数据表为 CSV/Excel / export a table to CSV or Excel")
@click.argument("table", type=click.Choice(TABLE_NAMES))
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--district", help="只导出该区（市）县 / only this district")
@click.option("--english-headers", is_flag=True, help="使用英文字段名作表头 / English headers")
def export(table: str, path: str, district: str | None, english_headers: bool) -> None:
    setup_django()
    from lianzhang.enterprises.models import Enterprise
    from lianzhang.enterprises.services import export_file

    enterprises = Enterprise.objects.all()
    if district:
        enterprises = enterprises.filter(district=district)
    count = export_file(table, path, enterprises, english=english_headers)
    click.echo(f"已导出 {count} 行到 {path} / exported {count} rows")


@cli.command(help="生成导入模板（.xlsx）/ write an import template")
@click.argument("table", type=click.Choice(TABLE_NAMES))
@click.argument("path", type=click.Path(dir_okay=False))
def template(table: str, path: str) -> None:
    setup_django()
    from lianzhang.enterprises.services import write_template

    write_template(table, path)
    click.echo(f"模板已写入 / template written: {path}")


@cli.command(
    help="创建用户（密码须通过密码规则）/ create a user (the password must pass the rules)"
)
@click.argument("username")
@click.option(
    "--role", required=True, type=click.Choice(["admin", "analyst", "district", "enterprise"])
)
@click.option("--district", default="", help="区县（区县干部必填）/ district officer's district")
@click.option("--uscc", default="", help="企业用户所属企业 / enterprise user's USCC")
@click.password_option(
    help="密码（至少 10 位，不能过于常见）/ password (10+ characters, not common)"
)
def createuser(username: str, role: str, district: str, uscc: str, password: str) -> None:
    setup_django()
    from lianzhang.accounts.services import create_user

    user = create_user(username, password, role, district=district, uscc=uscc)
    click.echo(f"已创建用户 {user.username}（{role}）/ user created")


@cli.command(
    help="为用户签发 API 令牌（只显示一次），或列出、吊销令牌 / "
    "issue an API token (shown once), or list or revoke tokens"
)
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="令牌用途 / what it is for")
@click.option("--days", type=int, default=None, help="有效天数（默认 90）/ days valid (default 90)")
@click.option(
    "--revoke", metavar="NAME", help="吊销名为 NAME 的令牌 / revoke the tokens named NAME"
)
@click.option("--list", "show", is_flag=True, help="列出该用户的令牌 / list the user's tokens")
def token(username: str, name: str, days: int | None, revoke: str | None, show: bool) -> None:
    setup_django()
    from django.contrib.auth.models import User
    from django.utils import timezone

    from lianzhang.accounts.services import issue_token, revoke_tokens
    from lianzhang.core.errors import NotFound

    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotFound(f"没有用户 {username}", f"no user {username}")
    if show:
        for row in user.api_tokens.order_by("created_at"):
            used = row.last_used_at and timezone.localtime(row.last_used_at).strftime("%Y-%m-%d")
            expires = timezone.localtime(row.expires_at).strftime("%Y-%m-%d")
            click.echo(f"{row.name}\t{row.state()}\texpires={expires}\tlast_used={used or '-'}")
        return
    if revoke is not None:
        count = revoke_tokens(user, revoke)
        click.echo(f"已吊销 {count} 个令牌 / {count} token(s) revoked")
        return
    plain = issue_token(user, name, days=days)
    until = timezone.localtime(user.api_tokens.latest("created_at").expires_at)
    click.echo(plain)
    click.echo(f"有效期至 / valid until {until:%Y-%m-%d %H:%M}", err=True)


cli.add_command(policies)
cli.add_command(delivery)
cli.add_command(chains)
cli.add_command(innovation)
cli.add_command(calendar)
cli.add_command(appeals)
cli.add_command(tiers)
cli.add_command(landuse)
cli.add_command(monitor)


def main() -> None:
    cli(prog_name="lianzhang")
