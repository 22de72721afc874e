"""Load the demo city through the same paths users take: file imports, then each module.

The registry is generated and imported as CSV files; then the chain maps, the policy
library with a match run and cases, and the innovation records are loaded by each
module's own ``demo.load_demo`` hook (each idempotent), so every page has real content.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from lianzhang.accounts.models import Profile, Role
from lianzhang.accounts.services import create_user
from lianzhang.enterprises.models import MODELS, Enterprise
from lianzhang.enterprises.services import import_file

from .generator import generate, write_city

TABLE_ORDER = ("enterprises", "annual", "honours", "awards")
#: Modules whose ``demo.load_demo(echo) -> str`` runs after the registry, in this order.
MODULES = ("chains", "policies", "innovation", "appeals", "cultivation")

DEMO_DISTRICT = "成都高新区"

#: username, password, role, the district it is bound to, whether it acts for the sample
#: enterprise (the first one of the demo district).
DEMO_USERS: tuple[tuple[str, str, str, str, bool], ...] = (
    ("admin", "lianzhang-admin", Role.ADMIN, "", False),
    ("analyst", "lianzhang-analyst", Role.ANALYST, "", False),
    ("gaoxin", "lianzhang-district", Role.DISTRICT, DEMO_DISTRICT, False),
    ("qiye", "lianzhang-enterprise", Role.ENTERPRISE, "", True),
    # signs off 联审 tasks for the city tax bureau (bound to it by the delivery demo)
    ("shuiwu", "lianzhang-department", Role.DEPARTMENT, "", False),
)


def load_demo(
    *, seed: int, enterprises: int, reset: bool = False, echo: Callable[[str], None] = print
) -> str:
    """Generate the city, write it as CSV files, and import them. Skips when already loaded."""
    if Enterprise.objects.exists() and not reset:
        return (
            f"名录已有 {Enterprise.objects.count()} 家企业，跳过生成（--reset 重新生成）/ "
            "registry already loaded; use --reset to regenerate"
        )
    if reset:
        with transaction.atomic():
            for table in reversed(TABLE_ORDER):
                MODELS[table]._default_manager.all().delete()
    echo(f"生成演示城市 / generating the demo city: seed={seed}, enterprises={enterprises}")
    city = generate(seed=seed, enterprises=enterprises)
    directory = Path(settings.DATA_DIR) / "demo"
    directory.mkdir(parents=True, exist_ok=True)
    write_city(city, directory, fmt="csv")
    lines = []
    for table in TABLE_ORDER:
        report = import_file(directory / f"{table}.csv", table)
        if not report.written:
            problems = "; ".join(str(e) for e in report.errors[:5])
            raise RuntimeError(f"demo data failed its own import: {problems}")
        lines.append(report.summary())
    return "\n".join(lines)


def load_modules(echo: Callable[[str], None] = print) -> list[str]:
    """Run each module's demo hook; they skip what is already loaded."""
    return [importlib.import_module(f"lianzhang.{name}.demo").load_demo(echo) for name in MODULES]


def create_demo_users() -> list[str]:
    """Create the demo logins once; returns one line per login to print."""
    sample = Enterprise.objects.filter(district=DEMO_DISTRICT).order_by("uscc").first()
    sample = sample or Enterprise.objects.order_by("uscc").first()
    out = []
    for username, password, role, district, for_sample in DEMO_USERS:
        if for_sample and sample is None:
            continue
        if not User.objects.filter(username=username).exists():
            uscc = sample.uscc if for_sample and sample else ""
            create_user(username, password, role, district=district, uscc=uscc)
        profile = Profile.objects.filter(user__username=username).first()
        scope = ""
        if district:
            scope = f"（{district}）"
        elif profile is not None and profile.enterprise is not None:
            scope = f"（{profile.enterprise.name}）"
        out.append(f"{username} / {password}  {Role(role).label}{scope}")
    return out
