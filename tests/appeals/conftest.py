import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from lianzhang.accounts.services import create_user
from lianzhang.appeals.models import Department, Handler, Route, SlaProfile

TZ = ZoneInfo("Asia/Shanghai")
PASSWORD = "pw-123456"


def at(*args):
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture
def units(users):
    land = Department.objects.create(
        code="gx-land", name="高新区规划和自然资源局", level="district", district="成都高新区"
    )
    finance = Department.objects.create(
        code="gx-finance", name="高新区财政金融局", level="district", district="成都高新区"
    )
    city = Department.objects.create(code="city-econ", name="市经信局", level="city")
    for d in (land, finance):
        Route.objects.create(subject="用地", level="district", district="成都高新区", department=d)
    Route.objects.create(subject="用地", level="city", department=city)
    SlaProfile.objects.create(
        name="求助", category="help", response=1, resolution=3, max_extension=5
    )
    SlaProfile.objects.create(
        name="投诉", category="complaint", response=1, resolution=13, max_extension=10
    )
    SlaProfile.objects.create(
        name="咨询（小时）",
        category="consult",
        response=1,
        response_unit="hours",
        resolution=2,
        max_extension=0,
    )
    handlers = {}
    for code, dept in (("land", land), ("finance", finance), ("city", city)):
        user = create_user(
            f"h-{code}",
            PASSWORD,
            "analyst" if code == "city" else "district",
            district="" if code == "city" else "成都高新区",
        )
        Handler.objects.create(user=user, department=dept)
        handlers[code] = user
    return {"land": land, "finance": finance, "city": city, "handlers": handlers}
