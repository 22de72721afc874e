"""The appeals part of the demo city: units, routing table, SLA profiles, and a year (2025)
of appeals across every channel, dispatched, answered (some late, some refused), called
back (some 不满意 and redone), and swept. Everything goes through ``services``; idempotent:
it does nothing when appeals exist."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import transaction

from lianzhang.accounts import access
from lianzhang.core.errors import LianzhangError
from lianzhang.enterprises.models import Enterprise

from . import services
from .models import Appeal, Assignment, Channel, Department, Route, SlaProfile

SEED = 20261202
TZ = ZoneInfo("Asia/Shanghai")
SUBJECTS = {
    "用地": ("规划和自然资源局", "住房和城乡建设局"),
    "融资": ("财政金融局", "经济运行局"),
    "人才": ("人才工作局", "人力资源和社会保障局"),
    "审批": ("行政审批局", "市场监督管理局"),
    "水电气": ("城市管理局", "经济运行局"),
}
TEXTS = {
    "用地": "扩建厂房需要新增工业用地指标，规划调整进度缓慢，影响新产线投产。",
    "融资": "申请科技贷款贴息，材料已提交两月仍无答复，希望加快审核。",
    "人才": "引进的高层次人才子女入学与住房补贴政策如何申请。",
    "审批": "新建项目环评与施工许可并联审批卡在消防环节，请协调。",
    "水电气": "园区供电容量不足，新设备无法满负荷运行，请求增容。",
}
PROFILES = [
    ("咨询：当日响应，3个工作日答复", "consult", 1, "hours", 3, 0),
    ("求助：1个工作日响应，10个工作日办结", "help", 1, "workdays", 10, 10),
    ("建议：13个工作日", "suggestion", 1, "workdays", 13, 10),
    ("投诉：1个工作日响应，13个工作日办结", "complaint", 1, "workdays", 13, 15),
]


def _setup(districts: list[str]) -> None:
    for name, category, resp, unit, res, ext in PROFILES:
        SlaProfile.objects.get_or_create(
            name=name,
            defaults={
                "category": category,
                "response": resp,
                "response_unit": unit,
                "resolution": res,
                "max_extension": ext,
            },
        )
    for n, (subject, offices) in enumerate(SUBJECTS.items()):
        city, _ = Department.objects.get_or_create(
            code=f"city-{n}", defaults={"name": f"市{offices[0]}", "level": "city"}
        )
        Route.objects.get_or_create(subject=subject, level="city", department=city)
        for k, district in enumerate(districts):
            for j, office in enumerate(offices):
                dept, _ = Department.objects.get_or_create(
                    code=f"d{k}-{n}-{j}",
                    defaults={
                        "name": f"{district}{office}",
                        "level": "district",
                        "district": district,
                    },
                )
                Route.objects.get_or_create(
                    subject=subject, level="district", district=district, department=dept
                )


def load_demo(echo: Callable[[str], None] = print) -> str:
    if Appeal.objects.exists():
        return f"诉求已有 {Appeal.objects.count()} 条，跳过 / appeals already loaded"
    admin = next((u for u in access.bureau_users().order_by("pk") if access.is_admin(u)), None)
    firms = list(Enterprise.objects.order_by("uscc")[:400])
    if admin is None or not firms:
        return "没有管理员或企业，跳过诉求演示数据 / no admin or enterprises: appeals skipped"
    rng = random.Random(SEED)
    districts = sorted({f.district for f in firms})[:6]
    firms = [f for f in firms if f.district in districts]
    echo("诉求演示数据 / appeals demo data")
    with transaction.atomic():
        _setup(districts)
        channels = list(Channel.values)
        for n in range(240):
            day = dt.date(2025, 1, 2) + dt.timedelta(days=rng.randrange(340))
            at = dt.datetime(2025, day.month, day.day, rng.randrange(9, 17), tzinfo=TZ)
            firm, subject = rng.choice(firms), rng.choice(list(SUBJECTS))
            try:
                appeal = services.file_appeal(
                    admin,
                    uscc=firm.uscc,
                    channel=rng.choice(channels),
                    category=rng.choice(["consult", "help", "suggestion", "complaint"]),
                    subject=subject,
                    title=f"{subject}诉求 {n + 1}",
                    text=f"{TEXTS[subject]}（{firm.name}，第{n + 1}件）",
                    now=at,
                )
                assignments = services.dispatch(admin, appeal, now=at + dt.timedelta(hours=1))
                _play(rng, admin, appeal, assignments, at)
            except LianzhangError:
                continue
        report = services.sweep(dt.datetime(2026, 1, 5, 9, tzinfo=TZ))
    return f"诉求 {Appeal.objects.count()} 条；{report.summary()}"


def _play(
    rng: random.Random, admin: User, appeal: Appeal, assignments: list[Assignment], at: dt.datetime
) -> None:
    clock = at + dt.timedelta(hours=rng.randrange(2, 30))
    refused = len(assignments) > 1 and rng.random() < 0.3
    for k, a in enumerate(assignments):
        if refused and k == 1:
            services.refuse(admin, a, "不属本单位职责，建议由牵头单位办理", now=clock)
            continue
        if rng.random() < 0.1:
            continue  # never answered: the sweep chases it
        services.accept(admin, a, now=clock)
        late = rng.random() < 0.15
        done = clock + dt.timedelta(days=rng.randrange(20, 40) if late else rng.randrange(1, 9))
        services.complete(admin, a, "已协调办理并答复企业", "答复函", now=done)
        clock = done
    appeal.refresh_from_db()
    if appeal.status == "closed":
        back = clock + dt.timedelta(days=1)
        if rng.random() < 0.12:
            services.callback(
                admin, appeal, "unsatisfied", "问题仍未解决", handler_cause=True, now=back
            )
            for a in appeal.assignments.filter(status="accepted"):
                services.complete(admin, a, "重办后已解决", now=back + dt.timedelta(days=5))
        else:
            services.callback(
                admin, appeal, rng.choice(["satisfied", "satisfied", "mostly"]), now=back
            )
