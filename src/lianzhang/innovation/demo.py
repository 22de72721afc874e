"""The innovation part of the demo city: providers and their capabilities and results,
platforms, technical demands of registry enterprises, a 揭榜挂帅 challenge in progress (one
milestone paid), an open two-way challenge, and results moving through the pipeline.

Called by the demo loader after the registry and the chain templates are loaded
(``load_demo(echo)``). Everything goes in through ``services``. Idempotent: what exists is
kept, so a second run adds nothing. Texts are SEI 2018 key-product lines (package data),
placed on the chain nodes whose SEI categories they belong to; the evaluation set never
uses this module.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from importlib import resources
from typing import Any

from django.db import transaction

from lianzhang.accounts.access import innovation_actor
from lianzhang.core import gbt4754
from lianzhang.enterprises.models import Enterprise

from . import services
from .models import Capability, Challenge, Demand, Platform, Provider, StageEntry

SEED = 20261124
PROVIDERS = [
    ("电子科技大学", "university", "成都高新区"),
    ("四川大学", "university", "武侯区"),
    ("西南交通大学", "university", "金牛区"),
    ("成都理工大学", "university", "成华区"),
    ("中国科学院光电技术研究所", "institute", "双流区"),
    ("中国工程物理研究院成都科学技术发展中心", "institute", "成都高新区"),
    ("四川省产业技术研究院", "institute", "成都高新区"),
    ("成都生物制品研究所", "institute", "锦江区"),
    ("张教授（功率半导体）", "expert", "成都高新区"),
    ("李研究员（航空材料）", "expert", "青羊区"),
]
#: SEI categories close to Chengdu's key chains; provider → SEI code prefixes it works in.
FIELDS = {
    "电子科技大学": ("1.2.", "1.3."),
    "四川大学": ("4.1.", "4.2."),
    "西南交通大学": ("2.4.",),
    "成都理工大学": ("3.1.", "3.6."),
    "中国科学院光电技术研究所": ("1.2.", "2.2."),
    "中国工程物理研究院成都科学技术发展中心": ("3.1.", "3.6.", "6."),
    "四川省产业技术研究院": ("5.", "7.1."),
    "成都生物制品研究所": ("4.1.",),
    "张教授（功率半导体）": ("1.2.",),
    "李研究员（航空材料）": ("2.2.", "3.1."),
}
PLATFORMS = [
    (
        "成都高新区集成电路中试基地",
        "pilot",
        "成都高新区",
        "3973",
        "芯片封装测试 中试流片 可靠性测试",
    ),
    ("天府国际生物城概念验证中心", "poc", "双流区", "2761", "药物筛选 概念验证 临床前评价"),
    ("西南交大轨道交通概念验证中心", "poc", "金牛区", "3716", "轨道车辆 检测 概念验证"),
    ("新津新材料中试基地", "pilot", "新津区", "3985", "新材料 中试放大 工艺验证"),
]
PER_PROVIDER = 12
DEMANDS = 24
CHALLENGE = "车规级功率器件封装可靠性攻关（演示）"
TWO_WAY = "成果转化：{title}（双向揭榜，演示）"


def _catalogue() -> list[dict[str, str]]:
    text = resources.files("lianzhang.core").joinpath("data/sei2018_key_products.csv")
    return list(csv.DictReader(text.read_text("utf-8").splitlines()))


def _placements() -> dict[str, tuple[str, str]]:
    """SEI category → (chain, node) from the loaded chain maps; empty without them."""
    from lianzhang.chains.models import Node

    out: dict[str, tuple[str, str]] = {}
    for node in Node.objects.select_related("chain").order_by("chain__order", "order", "id"):
        for code in node.sei_codes or []:
            out.setdefault(code, (node.chain.code, node.code))
    return out


def _place(sei_code: str, placements: dict[str, tuple[str, str]]) -> tuple[str, str]:
    parts = sei_code.split(".")
    for n in range(len(parts), 0, -1):  # the category itself, else its nearest parent
        found = placements.get(".".join(parts[:n]))
        if found:
            return found
    return ("", "")


def _supply(rng: random.Random, rows: list[dict[str, str]], placements: Any) -> int:
    made = 0
    for name, kind, region in PROVIDERS:
        provider = Provider.objects.filter(name=name).first()
        provider = provider or services.add_provider(name, kind, region=region)
        if provider.capabilities.exists():
            continue
        pool = [r for r in rows if r["sei_code"].startswith(FIELDS[name])]
        for row in rng.sample(pool, min(PER_PROVIDER, len(pool))):
            code = row["gbt4754_codes"].split(";")[0]
            chain, node = _place(row["sei_code"], placements)
            services.add_capability(
                provider,
                kind="expertise" if kind == "expert" else rng.choice(["capability", "result"]),
                title=row["product_or_service"][:200],
                field=row["sei_name"],
                description=f"{row['sei_name']}：{row['product_or_service']}",
                patents=f"发明专利 {rng.randint(1, 12)} 项",
                trl=rng.randint(3, 8),
                pilot_platform=rng.choice(["", "", "自建中试线"]),
                chain_code=chain,
                node_code=node,
                industry_code=code if len(code) == 4 else "",
                price=Decimal(rng.choice([30, 50, 80, 120, 200, 500])) * 10_000,
            )
            made += 1
    for name, kind, region, code, svc in PLATFORMS:
        if not Platform.objects.filter(name=name).exists():
            services.add_platform(name, kind, region=region, industry_code=code, services=svc)
    return made


def _demands(rng: random.Random, rows: list[dict[str, str]], placements: Any, actor: Any) -> int:
    """Demands of registry enterprises: the first of each district, then others whose
    industry class has SEI key products, each about a product of its own class."""
    by_code: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        for code in r["gbt4754_codes"].split(";"):
            by_code.setdefault(code, []).append(r)
    firms = Enterprise.objects.order_by("uscc")
    chosen: dict[str, Enterprise] = {}
    for e in firms.iterator():
        if e.district and all(c.district != e.district for c in chosen.values()):
            chosen[e.uscc] = e
    for e in firms.filter(industry_code__in=list(by_code)).iterator():
        if len(chosen) >= DEMANDS:
            break
        chosen.setdefault(e.uscc, e)
    made = 0
    today = dt.date.today()
    for e in chosen.values():
        if Demand.objects.filter(enterprise=e).exists():
            continue
        row = rng.choice(by_code[e.industry_code]) if e.industry_code in by_code else None
        product = (
            row["product_or_service"] if row else (e.main_product or gbt4754.name(e.industry_code))
        )
        if not product:
            continue
        chain, node = _place(row["sei_code"], placements) if row else ("", "")
        services.post_demand(
            actor,
            e.uscc,
            title=f"{product[:60]}关键技术攻关",
            problem=(
                f"围绕{e.main_product or product}，希望突破{product}的关键工艺，寻求高校院所合作。"
            ),
            indicators=rng.choice(
                ["良率提升至 95% 以上", "关键指标达到国际同类水平", "成本降低 20%"]
            ),
            chain_code=chain,
            node_code=node,
            budget=Decimal(rng.choice([50, 100, 200, 300, 500])) * 10_000
            if rng.random() < 0.8
            else None,
            deadline=today + dt.timedelta(days=rng.randint(60, 240)),
            cooperation=rng.choice(["long_term", "contract", "any"]),
            min_trl=rng.choice([None, 4, 5, 6]),
        )
        made += 1
    return made


def _challenges(actor: Any) -> list[str]:
    """One 揭榜挂帅 in progress (awarded, first milestone paid) and one open two-way."""
    out = []
    today = dt.date.today()
    bidders = list(Provider.objects.filter(kind__in=["university", "institute"]).order_by("id")[:2])
    demand = Demand.objects.exclude(status="closed").order_by("id").first()
    if not Challenge.objects.filter(title=CHALLENGE).exists() and len(bidders) == 2:
        c = services.create_challenge(
            actor,
            title=CHALLENGE,
            goal="攻克车规级功率器件封装在高温高湿与温度循环下的可靠性",
            indicators="结温 175℃；温度循环 1000 次无失效；良率 ≥ 95%",
            award=Decimal("3000000.00"),
            deadline=today - dt.timedelta(days=20),
            eligible_kinds=["university", "institute"],
            eligibility="高校、科研院所，可联合企业",
            demand=demand,
        )
        services.publish_challenge(actor, c)
        on = today - dt.timedelta(days=30)
        apps = [
            services.apply(actor, c, provider=p, plan=plan, today=on)
            for p, plan in zip(bidders, ["银烧结与铜线键合工艺", "双面散热封装结构"], strict=True)
        ]
        services.close_applications(actor, c)
        services.review(actor, apps[0], conflict=False, score="88", comment="方案成熟")
        services.review(actor, apps[1], conflict=True, conflict_note="评审人曾参与该单位项目")
        services.award(actor, c)
        plan = [
            ("样品试制", 90, "900000.00"),
            ("中试验证", 240, "1200000.00"),
            ("验收", 365, "900000.00"),
        ]
        miles = [
            services.add_milestone(
                actor, c, title=t, due=today + dt.timedelta(days=d), amount=Decimal(a)
            )
            for t, d, a in plan
        ]
        services.reach_milestone(actor, miles[0], today - dt.timedelta(days=5), "样品通过测试")
        services.pay_milestone(actor, miles[0], today - dt.timedelta(days=2))
        out.append(c.title)
    result = (
        Capability.objects.filter(kind="result", provider__kind="institute").order_by("id").first()
    )
    if result is not None and not Challenge.objects.filter(mode="result").exists():
        c = services.create_challenge(
            actor,
            mode="result",
            title=TWO_WAY.format(title=result.title[:60]),
            goal=f"{result.provider.name}的成果“{result.title[:60]}”寻找承接企业（许可或合作转化）",
            award=Decimal("0.00"),
            deadline=today + dt.timedelta(days=45),
            result=result,
        )
        services.publish_challenge(actor, c)
        out.append(c.title)
    return out


def _pipeline(rng: random.Random, actor: Any) -> int:
    """Forty results through the stages, some out by licence or drop, some stalled."""
    if StageEntry.objects.exists():
        return 0
    staged = 0
    start = dt.date.today() - dt.timedelta(days=420)
    for result in Capability.objects.filter(kind="result").order_by("id")[:40]:
        on = start + dt.timedelta(days=rng.randint(0, 200))
        owner = rng.choice(["王敏", "刘洋", "陈静"])
        services.advance(actor, result, "screening", on=on, owner=owner)
        today = dt.date.today()
        for stage in ("poc", "pilot", "incubation"):
            later = on + dt.timedelta(days=rng.randint(30, 120))
            if rng.random() < 0.45 or later > today:
                break
            on = later
            services.advance(actor, result, stage, on=on, owner=owner, outcome="通过评审")
        if rng.random() < 0.25 and on + dt.timedelta(days=60) <= today:
            end = rng.choice(["licensed", "dropped"])
            why = "许可给本地企业" if end == "licensed" else "市场前景不足"
            on += dt.timedelta(days=rng.randint(10, 60))
            services.advance(actor, result, end, on=on, owner=owner, outcome=why)
        staged += 1
    return staged


@transaction.atomic
def load_demo(echo: Callable[[str], None] = print) -> str:
    """Load the innovation demo data once; returns a one-line summary (中文 / English)."""
    rng = random.Random(SEED)
    rows = _catalogue()
    placements = _placements()
    actor = innovation_actor()  # an administrator, else a system account no one logs in to
    made = _supply(rng, rows, placements)
    echo(f"能力与成果 / capabilities and results: {made} 新增 / added")
    demands = _demands(rng, rows, placements, actor)
    echo(f"技术需求 / demands: {demands} 新增 / added")
    challenges = _challenges(actor)
    staged = _pipeline(rng, actor)
    return (
        f"创新模块：{Capability.objects.count()} 项能力与成果，{Platform.objects.count()} 个平台，"
        f"{Demand.objects.count()} 条技术需求，{Challenge.objects.count()} 个榜单，"
        f"{staged} 项成果新入转化流程 / innovation: {made} capabilities, {demands} demands, "
        f"{len(challenges)} challenges and {staged} pipeline results added"
    )
