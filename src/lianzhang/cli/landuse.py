"""`lianzhang landuse …`: 亩均论英雄 evaluation on files alone (no database).

    lianzhang landuse evaluate --scheme cn.zj.taizhou-huangyan.2022 --enterprises e.csv \\
        --annual a.csv [--parcels p.csv] --year 2022 --format json [--output F]
    lianzhang landuse schemes

The JSON output is a contract other tools read: a list, one object per enterprise of the
enterprises file (in its order), with ``uscc``, ``group``, ``score`` (null when not
evaluated), ``class`` (null where the scheme sets none) and ``indicators`` (``id``,
``value``, ``benchmark``, ``points``). ``--format text`` prints the explanations instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from lianzhang.core.errors import LianzhangError

_FILE = click.Path(exists=True, dir_okay=False)


def _read(path: str, table: str) -> Any:
    from lianzhang.core import frames
    from lianzhang.core.tables import read_table

    read = read_table(path, table)
    if read.errors:
        shown = "；".join(str(e) for e in read.errors[:5])
        more = f"（共 {len(read.errors)} 处）" if len(read.errors) > 5 else ""
        raise LianzhangError(
            f"{path} 有错误行{more}：{shown}", f"{path} has {len(read.errors)} bad rows"
        )
    return frames.from_rows(table, read.rows)


def _parcels(path: str) -> Any:
    from lianzhang.core.tables import read_records
    from lianzhang.landuse import parcels

    header, rows = read_records(path)
    missing = [c for c in ("parcel_id", "uscc") if c not in header]
    if missing or not ({"area_mu", "area_share"} & set(header)):
        raise LianzhangError(
            f"{path} 应有列 parcel_id、uscc、role，以及 area_mu 或 area_share（与 parcel_mu）",
            f"{path} needs columns parcel_id, uscc, role and area_mu or area_share (+ parcel_mu)",
        )
    return parcels.frame(rows)


@click.group("landuse", help="亩均论英雄：按评价方案评分、分类 / land-efficiency evaluation")
def landuse() -> None:
    pass


@landuse.command(help="列出评价方案 / list the shipped schemes")
def schemes() -> None:
    from lianzhang.landuse.scheme import SCHEMES, load_scheme

    for file in sorted(SCHEMES.glob("*.yaml")):
        s = load_scheme(file)
        mark = "（示例 / example）" if s.example else ""
        click.echo(f"{s.id:42} {s.year}  {s.title}{mark}")


@landuse.command(help="按方案评价企业（只读文件）/ evaluate enterprises with a scheme")
@click.option("--scheme", "scheme_ref", required=True, help="方案 id 或 .yaml 文件 / id or file")
@click.option("--enterprises", required=True, type=_FILE, help="企业表 CSV/XLSX / enterprises")
@click.option("--annual", required=True, type=_FILE, help="年度指标表 / annual table")
@click.option("--parcels", type=_FILE, help="地块–企业关联表 / parcel links")
@click.option("--year", required=True, type=int, help="评价年度 / year evaluated")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="json")
@click.option("--output", type=click.Path(dir_okay=False), help="输出文件（默认标准输出）")
def evaluate(
    scheme_ref: str,
    enterprises: str,
    annual: str,
    parcels: str | None,
    year: int,
    fmt: str,
    output: str | None,
) -> None:
    from lianzhang.landuse import evaluate as run
    from lianzhang.landuse import explain, load, records
    from lianzhang.landuse.evaluate import to_json

    scheme = load(scheme_ref)
    if scheme.year != year:
        click.echo(
            f"注意：方案年度 {scheme.year} 与 --year {year} 不同 / the scheme is for {scheme.year}",
            err=True,
        )
    result = run(
        scheme,
        _read(enterprises, "enterprises"),
        _read(annual, "annual"),
        year,
        _parcels(parcels) if parcels else None,
    )
    if fmt == "json":
        text = to_json(scheme, result)
    else:
        text = "\n\n".join(
            "\n".join([f"{r['uscc']}（{r['group'] or '—'}）", *explain(scheme, r)])
            for r in records(scheme, result)
        )
    if output:
        Path(output).write_text(text, "utf-8")
        click.echo(f"{result.height} 条结果已写入 {output} / results written", err=True)
    else:
        click.echo(text)
