"""`lianzhang policies …`: the rules engine on the command line (works on files alone).

    lianzhang policies list [--as-of 2026-04-01]
    lianzhang policies check PATH
    lianzhang policies test [PATH]
    lianzhang policies evaluate --policy cn.miit.specialized-sme --enterprises e.csv \\
        --annual a.csv [--honours h.csv] [--awards w.csv] --as-of 2026-06-01 [--format json|csv]
        [--output F] [--manifest run.json]
    lianzhang policies explain --uscc 91… --enterprises e.csv --annual a.csv --as-of …
    lianzhang policies whatif --policy local.example.rd-subsidy --set rate=15% --enterprises …
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from lianzhang.core import exports
from lianzhang.core.errors import LianzhangError


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"应为 YYYY-MM-DD / write YYYY-MM-DD: {value!r}") from None


def _data_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--enterprises",
            required=True,
            type=click.Path(exists=True, dir_okay=False),
            help="企业表 CSV/XLSX / enterprises table",
        ),
        click.option(
            "--annual",
            required=True,
            type=click.Path(exists=True, dir_okay=False),
            help="年度指标表 / annual table",
        ),
        click.option(
            "--honours", type=click.Path(exists=True, dir_okay=False), help="称号表 / honours table"
        ),
        click.option(
            "--awards", type=click.Path(exists=True, dir_okay=False), help="奖励表 / awards table"
        ),
        click.option(
            "--as-of",
            "as_of",
            required=True,
            callback=_date,
            help="评估日期 YYYY-MM-DD / evaluation date",
        ),
        click.option(
            "--library",
            "library_paths",
            multiple=True,
            type=click.Path(exists=True),
            help="另加政策文件或目录 / extra policy files or folders",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _read_tables(enterprises: str, annual: str, honours: str | None, awards: str | None) -> Any:
    from lianzhang.core import frames
    from lianzhang.core.tables import read_table
    from lianzhang.rules.engine import Tables

    out: dict[str, Any] = {}
    for table, path in (
        ("enterprises", enterprises),
        ("annual", annual),
        ("honours", honours),
        ("awards", awards),
    ):
        if path is None:
            out[table] = None
            continue
        read = read_table(path, table)
        if read.errors:
            shown = "；".join(str(e) for e in read.errors[:5])
            more = f"（共 {len(read.errors)} 处）" if len(read.errors) > 5 else ""
            raise LianzhangError(
                f"{path} 有错误行{more}：{shown}", f"{path} has {len(read.errors)} bad rows"
            )
        out[table] = frames.from_rows(table, read.rows)
    return Tables(out["enterprises"], out["annual"], out["honours"], out["awards"])


def _digest(path: str) -> dict[str, str]:
    import hashlib

    return {"path": path, "sha256": hashlib.sha256(Path(path).read_bytes()).hexdigest()}


def _library(extra: tuple[str, ...] = ()) -> Any:
    from lianzhang.rules.policy import LIBRARY, load_library

    return load_library([LIBRARY, *extra])


@click.group(help="政策规则：列出、检查、测试、评估、解释、模拟 / policy rules")
def policies() -> None:
    pass


@policies.command("list", help="列出政策库 / list the policy library")
@click.option(
    "--as-of", "as_of", callback=_date, help="标出该日生效的版本 / mark versions in force"
)
def list_(as_of: dt.date | None) -> None:
    day = as_of or dt.date.today()
    for p in sorted(_library().policies.values(), key=lambda p: p.id):
        mark = "*" if p.in_force(day) else " "
        end = p.effective_to.isoformat() if p.effective_to else "…"
        click.echo(
            f"{mark} {p.id:42} {p.mode:11} {p.confidence:10} "
            f"{p.effective_from.isoformat()}–{end:10}  {p.title}"
        )
    click.echo(f"\n* = {day.isoformat()} 生效 / in force")


@policies.command(help="检查政策文件（语法、名称、类型）/ check policy files")
@click.argument("path", type=click.Path(exists=True))
def check(path: str) -> None:
    from lianzhang.rules.compile import Needs
    from lianzhang.rules.engine import compile_policy
    from lianzhang.rules.policy import load_library

    library = load_library([path])
    for p in library.policies.values():
        for version in {
            p.effective_from,
            *(d for par in p.parameters.values() for d, _ in par.values),
        }:
            compile_policy(p, version, Needs())
    click.echo(f"{len(library.policies)} 个政策文件正确 / policy files OK")


@policies.command(help="运行场景测试 / run scenario tests")
@click.argument("path", type=click.Path(exists=True), required=False)
def test(path: str | None) -> None:
    from lianzhang.rules.policy import LIBRARY
    from lianzhang.rules.scenarios import run_file, scenario_files

    root = Path(path) if path else LIBRARY
    extra = (
        ()
        if path is None or Path(path).resolve().is_relative_to(LIBRARY.resolve())
        else (str(root.parent if root.is_file() else root),)
    )
    library = _library(extra)
    failed = total = 0
    for file in scenario_files(root):
        for result in run_file(file, library):
            total += 1
            if not result.ok:
                failed += 1
                click.echo(f"✗ {file.name}: {result.name}: {'; '.join(result.problems)}")
    click.echo(f"{total - failed}/{total} 个场景通过 / scenarios passed")
    if failed or total == 0:
        sys.exit(1)


@policies.command(help="批量评估企业 / evaluate enterprises")
@click.option("--policy", "policy_ids", multiple=True, help="政策或家族 id（默认全部生效政策）")
@_data_options
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
@click.option("--output", type=click.Path(dir_okay=False), help="输出文件（默认标准输出）")
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False),
    help="另写运行记录 JSON：政策版本、参数、评估日期、输入文件摘要 / run manifest",
)
def evaluate(
    policy_ids: tuple[str, ...],
    enterprises: str,
    annual: str,
    honours: str | None,
    awards: str | None,
    as_of: dt.date,
    library_paths: tuple[str, ...],
    fmt: str,
    output: str | None,
    manifest: str | None,
) -> None:
    from lianzhang.rules.evaluation import evaluate as run

    tables = _read_tables(enterprises, annual, honours, awards)
    ev = run(_library(library_paths), tables, as_of, list(policy_ids) or None)
    records = ev.records()
    # the engine's joins may reorder rows: write them policy by policy in the file's order
    row = {u: i for i, u in enumerate(tables.enterprises["uscc"])}
    first = {p: i for i, p in reversed(list(enumerate(r["policy"] for r in records)))}
    records.sort(key=lambda r: (first[r["policy"]], row.get(r["uscc"], len(row))))
    if manifest:
        inputs = {
            "enterprises": enterprises,
            "annual": annual,
            "honours": honours,
            "awards": awards,
        }
        record = {
            **ev.run,
            "inputs": {k: _digest(v) for k, v in inputs.items() if v},
            "results": len(records),
        }
        Path(manifest).write_text(json.dumps(record, ensure_ascii=False, indent=1), "utf-8")
    if fmt == "json":
        text = json.dumps(records, ensure_ascii=False, indent=1, default=str)
    else:
        buffer = io.StringIO()
        columns = ["uscc", "name", "policy", "verdict", "score", "award", "auto_grant"]
        writer = exports.writer(buffer)
        writer.writerow([*columns, "failing", "unknown", "criteria"])
        for r in records:
            failing = [c["id"] for c in r["criteria"] if c["is_leaf"] and c["passed"] is False]
            unknown = [c["id"] for c in r["criteria"] if c["is_leaf"] and c["passed"] is None]
            writer.writerow(
                [
                    *(r[c] for c in columns),
                    " ".join(failing),
                    " ".join(unknown),
                    json.dumps(r["criteria"], ensure_ascii=False),
                ]
            )
        text = buffer.getvalue()
    if output:
        Path(output).write_text(text, "utf-8")
        click.echo(f"{len(records)} 条结果已写入 {output} / results written", err=True)
    else:
        click.echo(text)


@policies.command(help="解释一家企业的结论 / explain one enterprise")
@click.option("--uscc", required=True, help="统一社会信用代码 / USCC")
@click.option("--policy", "policy_ids", multiple=True, help="政策或家族 id（默认全部生效政策）")
@_data_options
def explain(
    uscc: str,
    policy_ids: tuple[str, ...],
    enterprises: str,
    annual: str,
    honours: str | None,
    awards: str | None,
    as_of: dt.date,
    library_paths: tuple[str, ...],
) -> None:
    from lianzhang.rules.evaluation import evaluate as run
    from lianzhang.rules.explain import explain as text

    tables = _read_tables(enterprises, annual, honours, awards)
    if uscc not in tables.enterprises["uscc"].to_list():
        raise LianzhangError(
            f"企业表 {enterprises} 中没有 {uscc}", f"{uscc} is not in the enterprises table"
        )
    ev = run(_library(library_paths), tables, as_of, list(policy_ids) or None)
    click.echo(text(ev, uscc), nl=False)


@policies.command(help="参数模拟：调整参数看增减 / what-if on parameters")
@click.option("--policy", "policy_id", required=True, help="政策或家族 id")
@click.option("--set", "settings", multiple=True, required=True, help="参数=值，如 rate=15%")
@_data_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def whatif(
    policy_id: str,
    settings: tuple[str, ...],
    enterprises: str,
    annual: str,
    honours: str | None,
    awards: str | None,
    as_of: dt.date,
    library_paths: tuple[str, ...],
    fmt: str,
) -> None:
    from lianzhang.core.money import from_fen
    from lianzhang.rules.explain import exact_yuan as format_yuan
    from lianzhang.rules.whatif import whatif as run

    overrides: dict[str, object] = {}
    for item in settings:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.UsageError(
                f"--set 应写作 名称=值，如 rate=15% / write NAME=VALUE: {item!r}"
            )
        overrides[name.strip()] = value.strip()
    tables = _read_tables(enterprises, annual, honours, awards)
    result = run(_library(library_paths), tables, as_of, policy_id, overrides)
    if fmt == "json":
        data = {
            "policy": result.policy,
            "overrides": overrides,
            "gained": result.gained,
            "lost": result.lost,
            "budget_change_yuan": str(from_fen(result.budget_change_fen)),
            "eligible_before": result.eligible_before,
            "eligible_after": result.eligible_after,
            "total_before_yuan": str(from_fen(result.total_before_fen)),
            "total_after_yuan": str(from_fen(result.total_after_fen)),
            "budget_yuan": None if result.budget_fen is None else str(from_fen(result.budget_fen)),
            **{f"by_{k}": result.by(k).to_dicts() for k in ("district", "industry", "size")},
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    delta = from_fen(result.budget_change_fen)
    click.echo(f"{result.policy}：{', '.join(f'{k}={v}' for k, v in overrides.items())}")
    click.echo(
        f"新增符合 {len(result.gained)} 家，不再符合 {len(result.lost)} 家，"
        f"资金变化 {format_yuan(delta)}"
    )
    click.echo(
        f"符合 {result.eligible_before} → {result.eligible_after} 家，奖励总额 "
        f"{format_yuan(from_fen(result.total_before_fen))} → "
        f"{format_yuan(from_fen(result.total_after_fen))}"
    )
    if result.budget_fen is not None:
        share = result.total_after_fen / result.budget_fen if result.budget_fen else 0
        over = "，超出预算" if result.total_after_fen > result.budget_fen else ""
        click.echo(f"预算 {format_yuan(from_fen(result.budget_fen))}，模拟后占 {share:.1%}{over}")
    for key, zh in (("district", "区县"), ("industry", "行业大类"), ("size", "规模")):
        click.echo(f"\n按{zh} / by {key}:")
        for row in result.by(key).iter_rows(named=True):
            click.echo(
                f"  {row[key] or '未知'}: +{row['gained']} −{row['lost']} "
                f"{format_yuan(from_fen(row['award_delta_fen']))}"
            )
    for label, ids in (("新增符合 / gained", result.gained), ("不再符合 / lost", result.lost)):
        if ids:
            click.echo(f"\n{label}: {' '.join(ids[:50])}" + (" …" if len(ids) > 50 else ""))
