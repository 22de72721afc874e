"""Demo data for the demo city: providers, capabilities and results, platforms, a challenge
and a pipeline. Deterministic for a seed. Texts are SEI 2018 key-product lines (package
data); the evaluation set never uses this generator.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from decimal import Decimal
from importlib import resources
from typing import Any

from django.db import transaction

from . import services
from .models import Capability, Platform, Provider

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
#: SEI categories close to Chengdu's key chains: electronics, aviation, rail, biomedicine,
#: new materials, new-energy vehicles, energy saving. chain key → SEI code prefixes.
CHAINS = {
    "ic": ("1.2.", "1.3."),
    "aviation": ("2.2.",),
    "rail": ("2.4.",),
    "biomed": ("4.1.", "4.2."),
    "materials": ("3.1.", "3.6."),
    "nev": ("5.",),
    "green": ("7.1.",),
}
PLATFORMS = [
    (
        "成都高新区集成电路中试基地",
        "pilot",
        "成都高新区",
        "ic",
        "3973",
        "芯片封装测试 中试流片 可靠性测试",
    ),
    (
        "天府国际生物城概念验证中心",
        "poc",
        "双流区",
        "biomed",
        "2761",
        "药物筛选 概念验证 临床前评价",
    ),
    ("西南交大轨道交通概念验证中心", "poc", "金牛区", "rail", "3716", "轨道车辆 检测 概念验证"),
    ("新津新材料中试基地", "pilot", "新津区", "materials", "3985", "新材料 中试放大 工艺验证"),
]


def _catalogue() -> list[dict[str, str]]:
    text = resources.files("lianzhang.core").joinpath("data/sei2018_key_products.csv")
    return list(csv.DictReader(text.read_text("utf-8").splitlines()))


@transaction.atomic
def load(seed: int = 20261124, per_provider: int = 12, admin: Any = None) -> dict[str, int]:
    rng = random.Random(seed)
    rows = _catalogue()
    by_chain = {
        chain: [r for r in rows if r["sei_code"].startswith(prefixes)]
        for chain, prefixes in CHAINS.items()
    }
    providers = [
        Provider.objects.get_or_create(name=n, defaults={"kind": k, "region": reg})[0]
        for n, k, reg in PROVIDERS
    ]
    made = 0
    for provider in providers:
        if provider.capabilities.exists():
            continue
        chain = rng.choice(sorted(by_chain))
        for row in rng.sample(by_chain[chain], min(per_provider, len(by_chain[chain]))):
            code = row["gbt4754_codes"].split(";")[0]
            services.add_capability(
                provider,
                kind=rng.choice(["capability", "result", "result"])
                if provider.kind != "expert"
                else "expertise",
                title=row["product_or_service"][:200],
                field=row["sei_name"],
                description=f"{row['sei_name']}：{row['product_or_service']}",
                patents=f"发明专利 {rng.randint(1, 12)} 项",
                trl=rng.randint(3, 8),
                chain_code=chain,
                node_code=row["sei_code"],
                industry_code=code if len(code) == 4 else "",
                price=Decimal(rng.choice([30, 50, 80, 120, 200, 500])) * 10_000,
            )
            made += 1
    for name, kind, region, chain, code, svc in PLATFORMS:
        if not Platform.objects.filter(name=name).exists():
            services.add_platform(
                name, kind, region=region, chain_code=chain, industry_code=code, services=svc
            )
    staged = 0
    if admin is not None:
        start = dt.date(2025, 1, 6)
        for result in Capability.objects.filter(kind="result", stages__isnull=True)[:40]:
            on = start + dt.timedelta(days=rng.randint(0, 200))
            services.advance(admin, result, "screening", on=on, owner="技术经理人")
            for stage in ("poc", "pilot", "incubation"):
                if rng.random() < 0.5:
                    break
                on += dt.timedelta(days=rng.randint(30, 150))
                services.advance(admin, result, stage, on=on, owner="技术经理人", outcome="通过")
            staged += 1
    return {"capabilities": made, "platforms": Platform.objects.count(), "staged": staged}
