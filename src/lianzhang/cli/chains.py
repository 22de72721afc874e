"""`lianzhang chains …`: 产业图谱 on the command line (over the platform database).

lianzhang chains load-templates [--refresh]
lianzhang chains list [--basis confirmed|probable]
lianzhang chains show CODE
lianzhang chains gaps CODE
lianzhang chains link [--chain CODE] [--threshold 0.3] [--confirm-above 0.9]
lianzhang chains supply-rate CODE [--import PATH]
lianzhang chains relatedness [--file PATH [--save-as NAME] | --dataset NAME] [--region NAME]
lianzhang chains targets CODE [--companies PATH] [--top 5]
lianzhang chains listings PATH
lianzhang chains export CODE PATH | import PATH | report CODE PATH.xlsx|.pdf|.html
"""

from __future__ import annotations

from typing import Any

import click

BASIS = click.option(
    "--basis",
    type=click.Choice(["confirmed", "probable"]),
    default="probable",
    show_default=True,
    help="计入的链接：仅已确认 / 含高置信候选 / links counted",
)


def _setup() -> None:
    from .setup import setup_django

    setup_django()


def _money(fen: Any) -> str:
    from lianzhang.chains.queries import yuan
    from lianzhang.core.money import format_yuan

    return "未知" if fen is None else format_yuan(yuan(fen))


def _pct(x: Any) -> str:
    return "未知" if x is None else f"{x:.1%}"


def _reports(codes: list[str] | None, basis: str) -> list[dict[str, Any]]:
    from lianzhang.chains import queries, services
    from lianzhang.chains.models import Chain
    from lianzhang.enterprises.models import Enterprise

    chains = [services.get_chain(c) for c in codes] if codes else list(Chain.objects.all())
    return queries.chain_reports(chains, Enterprise.objects.all(), basis=basis)


@click.group(help="产业图谱与建圈强链 / industrial chain maps")
def chains() -> None:
    pass


@chains.command("load-templates", help="载入内置产业链模板 / load the shipped chain templates")
@click.option(
    "--refresh",
    is_flag=True,
    help="按模板刷新已有产业链（覆盖网页上的修改）/ re-apply templates to existing chains",
)
def load_templates(refresh: bool) -> None:
    _setup()
    from lianzhang.chains import services

    for chain in services.load_templates(refresh=refresh):
        click.echo(f"{chain.code}\t{chain.name}\t{chain.nodes.count()} 节点 / nodes")


@chains.command("list", help="产业链及其健康度 / chains and their health")
@BASIS
def list_(basis: str) -> None:
    _setup()
    click.echo("代码\t名称\t企业\t营收\t链级\t覆盖\t健康指数")
    for r in _reports(None, basis):
        click.echo(
            f"{r['chain']}\t{r['chain_obj'].name}\t{r['enterprises']}\t{_money(r.get('revenue'))}"
            f"\t{r['tier'] or '未知'}\t{_pct(r['coverage'])}\t{r['index'].value or '未知'}"
        )


@chains.command(help="一条产业链：节点、指标、链主 / one chain in detail")
@click.argument("code")
@BASIS
def show(code: str, basis: str) -> None:
    _setup()
    from lianzhang.chains import health, reports

    (r,) = _reports([code], basis)
    chain = r["chain_obj"]
    click.echo(f"{chain.name}（{chain.code}）{r['year'] or ''} 年，口径 {basis}")
    click.echo(
        f"企业 {r['enterprises']}，营收 {_money(r.get('revenue'))}，链级 {r['tier'] or '未知'}，"
        f"覆盖 {r['covered']}/{r['nodes']}，健康指数 {r['index'].value or '未知'}"
    )
    listed = "未知" if r.get("listed") is None else r["listed"]
    click.echo(
        f"规上 {r.get('above_scale') or 0}，专精特新 {r.get('specialized') or 0}，"
        f"小巨人 {r.get('little_giant') or 0}，上市 {listed}，营收增长 {_pct(r.get('growth'))}，"
        f"本地配套率 {_pct((r['supply'] or {}).get('rate'))}"
    )
    for part, value in r["index"].parts.items():
        weight = r["index"].weights.get(part)
        shown = "未知" if value is None else f"{value:.2f}（权重 {weight:.2f}）"
        click.echo(f"  {health.PART_NAMES[part]}: {shown}")
    for row, depth in reports.tree_rows(r):
        click.echo(
            f"{'  ' * depth}{row['name']}  企业 {row['enterprises']}  "
            f"营收 {_money(row['revenue'])}  [{row['status']}]"
        )
    click.echo("链主 / chain masters:")
    for m in r["masters"].to_dicts():
        click.echo(
            f"  {m['name']}  营收 {_money(m['revenue'])}  节点 {m['nodes']}  "
            f"配套关系 {m['ties']}  得分 {m['score']:.2f}"
        )


@chains.command(help="缺失与薄弱节点 / empty and weak nodes")
@click.argument("code")
@BASIS
def gaps(code: str, basis: str) -> None:
    _setup()
    (r,) = _reports([code], basis)
    for g in r["gaps"]:
        label = "空白" if g["status"] == "empty" else "薄弱"
        click.echo(f"{label}\t{g['segment']}\t{g['name']}\t企业 {g['enterprises']}")


@chains.command(help="把企业关联到产业链节点 / link enterprises to nodes")
@click.option("--chain", "codes", multiple=True, help="只处理这些产业链 / only these chains")
@click.option("--threshold", default=0.3, show_default=True, help="候选最低置信度")
@click.option(
    "--confirm-above", type=float, help="置信度不低于此值的直接确认 / confirm strong links"
)
def link(codes: tuple[str, ...], threshold: float, confirm_above: float | None) -> None:
    _setup()
    from lianzhang.chains import services

    chains_ = [services.get_chain(c) for c in codes] if codes else None
    click.echo(
        str(services.link_enterprises(chains_, threshold=threshold, confirm_above=confirm_above))
    )


@chains.command("supply-rate", help="本地配套率 / local supporting rate")
@click.argument("code")
@click.option(
    "--import",
    "path",
    type=click.Path(exists=True, dir_okay=False),
    help="先导入采购关系 CSV / import purchases first",
)
@BASIS
def supply_rate(code: str, path: str | None, basis: str) -> None:
    _setup()
    from lianzhang.chains import services

    if path:
        click.echo(f"导入采购关系 {services.import_supply(path)} 条 / purchases imported")
    (r,) = _reports([code], basis)
    s = r["supply"]
    if not s or not s["total"]:
        click.echo("本地配套率：未知（无采购数据）/ supporting rate: unknown (no purchases)")
        return
    click.echo(
        f"本地配套率 {_pct(s['rate'])}（本地 {_money(s['local'])} / 合计 {_money(s['total'])}）"
    )
    for row in s["per_node"].to_dicts():
        click.echo(f"  {row['name']}\t{_pct(row['rate'])}\t{_money(row['total'])}")
    click.echo("主要外地供应商 / top external suppliers:")
    for row in s["top_external"].to_dicts():
        click.echo(f"  {row['supplier_name']}\t{_money(row['amount'])}\t采购方 {row['buyers']}")


@chains.command(help="关联度与复杂度：下一步培育什么 / relatedness: what to grow next")
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False),
    help="区域×产业表 CSV（region,industry,value）；缺省用名录各区县产值",
)
@click.option("--save-as", help="把 --file 存为数据集 / store --file as this dataset")
@click.option("--dataset", help="已存的区域×产业表 / a stored table")
@click.option("--region", help="要看的区域（缺省：全部 ECI 排名）")
@click.option("--top", default=20, show_default=True)
def relatedness(
    path: str | None, save_as: str | None, dataset: str | None, region: str | None, top: int
) -> None:
    import polars as pl

    from lianzhang.chains import complexity
    from lianzhang.core.errors import NotFound, ValidationError

    if path and not save_as:
        frame = pl.read_csv(path, schema_overrides={"industry": pl.Utf8, "region": pl.Utf8})
    else:
        _setup()
        from lianzhang.chains import queries, services

        if path and save_as:
            click.echo(f"已存 {services.import_region_table(path, save_as)} 格 / cells stored")
            dataset = save_as
        frame = queries.region_table(dataset)
    try:
        result = complexity.compute(frame)
    except ValueError as exc:
        raise ValidationError(
            "区域×产业表太小或太稀，无法计算（至少两个区域、两个产业）",
            f"the region × industry table is too small or sparse ({exc})",
        ) from None
    if region is None:
        order = sorted(range(len(result.regions)), key=lambda i: -result.eci[i])
        click.echo("区域\t多样性\tECI\tCOI")
        for i in order[:top]:
            click.echo(
                f"{result.regions[i]}\t{int(result.diversity[i])}\t{result.eci[i]:.3f}"
                f"\t{result.coi[i]:.3f}"
            )
        return
    if region not in result.regions:
        raise NotFound(f"表中没有区域 {region!r}", f"region {region!r} is not in the table")
    click.echo("产业\tRCA\t密度\tPCI\tCOG")
    for row in complexity.grow_next(result, region, top).to_dicts():
        click.echo(
            f"{row['industry']}\t{row['rca']:.2f}\t{row['density']:.3f}\t{row['pci']:.2f}"
            f"\t{row['cog']:.3f}"
        )


@chains.command(help="导入上市企业名单 / import the register of listed enterprises")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def listings(path: str) -> None:
    _setup()
    from lianzhang.chains import services

    click.echo(f"上市企业 {services.import_listings(path)} 家 / listed enterprises")


@chains.command(help="补链招商目标 / 招商 targets for gap nodes")
@click.argument("code")
@click.option(
    "--companies",
    type=click.Path(exists=True, dir_okay=False),
    help="先导入外地企业名单（CSV 或 ChainKG JSON Lines）/ import outside companies",
)
@click.option("--top", default=5, show_default=True)
@BASIS
def targets(code: str, companies: str | None, top: int, basis: str) -> None:
    _setup()
    from lianzhang.chains import queries, services

    if companies:
        click.echo(f"导入外地企业 {services.import_outside_companies(companies)} 家")
    (r,) = _reports([code], basis)
    for gap in queries.gap_targets(r, top=top):
        click.echo(f"【{gap['name']}】")
        for t in gap["targets"]:
            click.echo(f"  {t.name}（{t.code}）{t.score:.2f}  {t.reasons[0]}")
        if not gap["targets"]:
            click.echo("  （无匹配企业 / no match）")


@chains.command(help="导出产业链文件 / export a chain as YAML or JSON")
@click.argument("code")
@click.argument("path", type=click.Path(dir_okay=False))
def export(code: str, path: str) -> None:
    _setup()
    from pathlib import Path

    from lianzhang.chains import services

    fmt = "json" if path.endswith(".json") else "yaml"
    Path(path).write_text(services.export_chain(services.get_chain(code), fmt), "utf-8")
    click.echo(f"已导出 / written: {path}")


@chains.command("import", help="导入产业链文件 / import a chain file")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_(path: str) -> None:
    _setup()
    from lianzhang.chains import services

    chain = services.import_chain(path)
    click.echo(f"{chain.code}\t{chain.name}\t{chain.nodes.count()} 节点 / nodes")


@chains.command(help="产业链报告（.xlsx / .pdf / .html 打印版）/ chain report")
@click.argument("code")
@click.argument("path", type=click.Path(dir_okay=False))
@BASIS
def report(code: str, path: str, basis: str) -> None:
    _setup()
    from django.utils import translation

    from lianzhang.chains import queries, reports

    (r,) = _reports([code], basis)
    suffix = path.lower().rsplit(".", 1)[-1]
    with translation.override("zh-hans"):
        if suffix == "pdf":
            data = reports.write_pdf(r, queries.gap_targets(r, top=3))
        elif suffix in ("html", "htm"):
            data = reports.print_page(r, queries.gap_targets(r, top=3), "").encode("utf-8")
        else:
            data = reports.write_excel(r)
    with open(path, "wb") as handle:
        handle.write(data)
    click.echo(f"已导出 / written: {path}")
