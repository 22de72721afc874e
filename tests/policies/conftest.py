import datetime as dt
from decimal import Decimal

import pytest

from lianzhang.accounts.services import create_user
from lianzhang.core.uscc import make
from lianzhang.enterprises.models import Enterprise
from lianzhang.policies.models import Budget, Match, MatchRun, Policy

USCCS = [make(f"91510100MA6D{i:05d}") for i in range(1, 7)]


@pytest.fixture
def city(db):
    for i, uscc in enumerate(USCCS):
        Enterprise.objects.create(
            uscc=uscc,
            name=f"成都测试{i}有限公司",
            district="成都高新区" if i % 2 == 0 else "武侯区",
            industry_code="3973",
        )
    return Enterprise.objects.order_by("uscc")


@pytest.fixture
def people(city):
    return {
        "admin": create_user("boss", "pw-123456", "admin"),
        "analyst": create_user("ana", "pw-123456", "analyst"),
        "reviewer": create_user("rev", "pw-123456", "analyst"),
        "reviewer2": create_user("rev2", "pw-123456", "analyst"),
        "firm": create_user("firm", "pw-123456", "enterprise", uscc=USCCS[0]),
        "other_firm": create_user("firm2", "pw-123456", "enterprise", uscc=USCCS[1]),
    }


def make_policy(code, mode, *, budget="1000000", allocation="ranking", no_stack=()):
    policy = Policy.objects.create(
        code=code,
        title=f"测试政策 {code}",
        mode=mode,
        allocation=allocation,
        no_stack_with=list(no_stack),
        source="id: " + code,
    )
    Budget.objects.create(policy=policy, year=2026, amount=Decimal(budget))
    return policy


def make_matches(policy, enterprises, awards, scores=None):
    run = MatchRun.objects.create(as_of=dt.date(2026, 6, 30))
    out = []
    for i, (enterprise, award) in enumerate(zip(enterprises, awards, strict=False)):
        out.append(
            Match.objects.create(
                run=run,
                enterprise=enterprise,
                policy=policy,
                verdict="eligible",
                award=Decimal(award),
                score=Decimal(scores[i]) if scores else None,
            )
        )
    return out


DEMO_SIZE = 400


def load_demo_city(size=DEMO_SIZE):
    """The lead's demo city (generated, imported), its logins, then the delivery demo."""
    from lianzhang.demo.loader import create_demo_users
    from lianzhang.demo.loader import load_demo as load_registry
    from lianzhang.policies.demo import load_demo

    load_registry(seed=7, enterprises=size, echo=lambda line: None)
    create_demo_users()
    return load_demo(echo=lambda line: None)


@pytest.fixture
def demo_city(db):
    return load_demo_city()
