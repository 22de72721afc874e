import datetime as dt
from decimal import Decimal

import pytest

from lianzhang.accounts.services import create_user
from lianzhang.core.uscc import make
from lianzhang.enterprises.models import Enterprise
from lianzhang.innovation import services

FIRM = make("91510100MA6E00001")
OTHER = make("91510100MA6E00002")


@pytest.fixture
def people(db):
    Enterprise.objects.create(
        uscc=FIRM, name="成都芯动半导体有限公司", district="成都高新区", industry_code="3972"
    )
    Enterprise.objects.create(
        uscc=OTHER, name="成都川味食品有限公司", district="郫都区", industry_code="1469"
    )
    return {
        "admin": create_user("boss", "pw-123456", "admin"),
        "analyst": create_user("ana", "pw-123456", "analyst"),
        "expert1": create_user("exp1", "pw-123456", "analyst"),
        "expert2": create_user("exp2", "pw-123456", "analyst"),
        "expert3": create_user("exp3", "pw-123456", "analyst"),
        "firm": create_user("firm", "pw-123456", "enterprise", uscc=FIRM),
        "other": create_user("other", "pw-123456", "enterprise", uscc=OTHER),
        "district": create_user("dist", "pw-123456", "district", district="郫都区"),
    }


@pytest.fixture
def supply(people):
    uni = services.add_provider("电子科技大学", "university", region="成都高新区")
    inst = services.add_provider("中科院成都某研究所", "institute", region="武侯区")
    food = services.add_provider("四川某食品研究院", "institute", region="郫都区")
    caps = {
        "sic": services.add_capability(
            uni,
            kind="capability",
            title="碳化硅功率器件封装与可靠性测试",
            field="功率半导体",
            industry_code="3972",
            chain_code="ic",
            node_code="power",
            trl=6,
            price=Decimal("800000"),
        ),
        "substrate": services.add_capability(
            inst,
            kind="result",
            title="碳化硅衬底低缺陷外延生长工艺",
            field="半导体材料",
            industry_code="3985",
            chain_code="ic",
            node_code="substrate",
            trl=4,
            price=Decimal("3000000"),
        ),
        "hotpot": services.add_capability(
            food, kind="result", title="火锅底料风味稳定工艺", industry_code="1469", trl=7
        ),
    }
    platform = services.add_platform(
        "成都功率半导体中试基地",
        "pilot",
        region="成都高新区",
        services="碳化硅器件中试流片 封装测试",
        industry_code="3972",
        chain_code="ic",
    )
    return {
        "providers": {"uni": uni, "inst": inst, "food": food},
        "caps": caps,
        "platform": platform,
    }


@pytest.fixture
def day():
    return dt.date(2026, 3, 1)
