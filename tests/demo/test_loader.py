"""The demo loader: the registry through the import path, the demo logins and their reach."""

import pytest

from lianzhang.demo import loader
from lianzhang.demo.generator import SHOWCASE

pytestmark = pytest.mark.django_db


def test_loads_once_then_skips_then_resets(settings, tmp_path):
    from lianzhang.enterprises.models import Annual, Enterprise, ImportLog

    settings.DATA_DIR = tmp_path
    summary = loader.load_demo(seed=9, enterprises=150, echo=lambda _: None)
    assert "新增 150" in summary
    assert (tmp_path / "demo" / "annual.csv").exists()
    # it went through the ordinary import path, which logs each file
    assert ImportLog.objects.count() == 4
    annual = Annual.objects.count()
    assert annual > 150
    assert "跳过" in loader.load_demo(seed=10, enterprises=150, echo=lambda _: None)
    assert Annual.objects.count() == annual
    loader.load_demo(seed=10, enterprises=120, reset=True, echo=lambda _: None)
    assert Enterprise.objects.count() == 120


def test_demo_logins_see_what_their_role_allows(settings, tmp_path):
    from django.contrib.auth.models import User

    from lianzhang.accounts import access

    settings.DATA_DIR = tmp_path
    loader.load_demo(seed=9, enterprises=300, echo=lambda _: None)
    lines = loader.create_demo_users()
    names = [line.split(" / ")[0] for line in lines]
    assert names == ["admin", "analyst", "gaoxin", "qiye", "shuiwu"]
    assert SHOWCASE in lines[3]
    assert loader.create_demo_users() == lines  # idempotent
    district = access.enterprises_for(User.objects.get(username="gaoxin"))
    assert district.exists()
    assert set(district.values_list("district", flat=True)) == {"成都高新区"}
    own = access.enterprises_for(User.objects.get(username="qiye"))
    assert list(own.values_list("name", flat=True)) == [SHOWCASE]
    assert User.objects.get(username="qiye").check_password("lianzhang-enterprise")
    # the department reviewer sees no enterprise at all: only its 联审 tasks
    assert not access.enterprises_for(User.objects.get(username="shuiwu")).exists()
