"""`lianzhang monitor …`: industrial economy monitoring on files alone (no database).

    lianzhang monitor growth --values v.csv --roster r.csv --indicator output_value \\
        --period 2025-06 [--cumulative] [--enterprises e.csv] \\
        [--by district|industry_code|none] --format json

The output is a JSON list, one object per group: ``group`` ("all" when not grouped, null
for firms without one), ``label`` (2025年1—6月), ``current`` and ``prior`` (exact decimal
strings: yuan with two places, other units as few as exact), ``growth`` (an exact fraction
``p/q`` as a string, or null when the prior is 0 or unknown), ``firms`` (counted on both
sides) and ``excluded`` (firms of the set left out for an unknown value).
"""

from __future__ import annotations

import json

import click

from lianzhang.core.errors import LianzhangError

_FILE = click.Path(exists=True, dir_okay=False)


def _period(ctx: click.Context, param: click.Parameter, value: str) -> object:
    from lianzhang.monitoring.growth import Period

    try:
        return Period.parse(value)
    except LianzhangError as exc:
        raise click.BadParameter(str(exc)) from None


@click.group("monitor", help="经济运行监测：同口径增速 / industrial economy monitoring")
def monitor() -> None:
    pass


@monitor.command(help="同口径同比增速（本年名录企业）/ same-set year-on-year growth")
@click.option(
    "--values",
    "values_path",
    required=True,
    type=_FILE,
    help="企业月度数值表 uscc, period, 指标列 / firm × month values",
)
@click.option(
    "--roster",
    "roster_path",
    required=True,
    type=_FILE,
    help="规上名录 uscc, year / the roster of firms in scope",
)
@click.option("--indicator", "code", required=True, help="指标列名，如 output_value / indicator")
@click.option("--period", required=True, callback=_period, help="期别 YYYY-MM / the month")
@click.option("--cumulative", is_flag=True, help="累计 1—N月 / cumulative months 1…N")
@click.option(
    "--enterprises",
    "enterprises_path",
    type=_FILE,
    help="企业表 uscc, district, industry_code（分组用）/ for grouping",
)
@click.option(
    "--by",
    type=click.Choice(["none", "district", "industry_code"]),
    default="none",
    show_default=True,
    help="分组 / grouping",
)
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True)
def growth(
    values_path: str,
    roster_path: str,
    code: str,
    period: object,
    cumulative: bool,
    enterprises_path: str | None,
    by: str,
    fmt: str,
) -> None:  # fmt: skip
    from lianzhang.monitoring import growth as method
    from lianzhang.monitoring import panel
    from lianzhang.monitoring.indicators import indicator

    spec = indicator(code)
    assert isinstance(period, method.Period)
    method.months(period, cumulative)  # refuse January alone before reading the files
    if by != "none" and enterprises_path is None:
        raise click.UsageError(
            f"--by {by} 需要 --enterprises 企业表 / --by {by} needs --enterprises"
        )
    values = panel.read_values(values_path, [spec.code])
    roster = panel.read_roster(roster_path)
    enterprises = panel.read_enterprises(enterprises_path) if enterprises_path else None
    groups = method.growth(
        values, roster, spec.code, period, cumulative=cumulative, enterprises=enterprises, by=by
    )
    click.echo(json.dumps([g.as_json(spec) for g in groups], ensure_ascii=False, indent=1))
