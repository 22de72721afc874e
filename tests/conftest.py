"""Fixtures shared by the whole suite: a small registry and a user of each role.

The registry: two enterprises in 成都高新区 (``HIGH_TECH``, ``ROBOT``) and one in 武侯区
(``FOOD``), with annual rows (one value unknown), titles (one expired) and an award.
"""

import datetime as dt
import os
import shutil
from decimal import Decimal

import pytest

os.environ.setdefault("LIANZHANG_TESTING", "1")
# Playwright's sync API runs an event loop in the test thread; the ORM calls are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from lianzhang.core.uscc import make

#: The system's Chromium (never a downloaded one), for the browser tests through Playwright.
CHROMIUM = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else shutil.which("chromium")
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Browser tests skip without Chromium, except in CI, where a missing browser must fail.
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="needs Chromium at /usr/bin/chromium (apt-get install chromium)",
)

HIGH_TECH = make("91510100MA6W00001")  # 成都高新区, integrated circuits, 规上
ROBOT = make("91510100MA6W00002")  # 成都高新区, industrial robots, below the line
FOOD = make("91510107MA6W00003")  # 武侯区, food, 规上
PASSWORD = "pw-123456"


@pytest.fixture(autouse=True, scope="session")
def _fixture_passwords():
    """The suite's fixtures log in with 9-character passwords (``pw-123456``): the validators
    stay on, with a minimum one shorter than production's 10 (tests/accounts checks those)."""
    from django.conf import settings
    from django.test import override_settings

    validators = [
        {**v, "OPTIONS": {"min_length": 9}} if v["NAME"].endswith("MinimumLengthValidator") else v
        for v in settings.AUTH_PASSWORD_VALIDATORS
    ]
    with override_settings(AUTH_PASSWORD_VALIDATORS=validators):
        yield


@pytest.fixture
def registry(db):
    from lianzhang.enterprises.models import Annual, Award, Enterprise, Honour

    chips = Enterprise.objects.create(
        uscc=HIGH_TECH,
        name="成都芯谷集成电路有限公司",
        district="成都高新区",
        park="成都高新综合保税区",
        industry_code="3973",
        registered_on=dt.date(2012, 4, 1),
        main_product="功率半导体芯片",
    )
    robot = Enterprise.objects.create(
        uscc=ROBOT, name="成都智造机器人有限公司", district="成都高新区", industry_code="3491"
    )
    food = Enterprise.objects.create(
        uscc=FOOD, name="成都川味食品有限公司", district="武侯区", industry_code="1461"
    )
    money = Decimal
    for year, revenue, rd in [(2022, "180000000", "12000000"), (2023, "215000000", None)]:
        Annual.objects.create(
            enterprise=chips,
            year=year,
            revenue=money(revenue),
            main_revenue=money(revenue),
            rd_expense=None if rd is None else money(rd),
            employees=420,
        )
    Annual.objects.create(
        enterprise=chips,
        year=2024,
        revenue=money("260000000"),
        main_revenue=money("250000000"),
        rd_expense=money("20800000"),
        employees=460,
    )
    Annual.objects.create(
        enterprise=robot, year=2024, revenue=money("9000000"), main_revenue=money("8500000")
    )
    Annual.objects.create(
        enterprise=food, year=2024, revenue=money("56000000"), main_revenue=money("52000000")
    )
    Honour.objects.create(
        enterprise=chips,
        title="high_tech",
        granted_on=dt.date(2023, 11, 1),
        valid_until=dt.date(2099, 10, 31),
    )
    Honour.objects.create(
        enterprise=chips,
        title="specialized_sme",
        granted_on=dt.date(2019, 6, 1),
        valid_until=dt.date(2022, 5, 31),
    )
    Honour.objects.create(enterprise=food, title="specialized_sme", granted_on=dt.date(2024, 3, 1))
    Award.objects.create(
        enterprise=chips, year=2023, kind="sci_provincial", rank=1, name="四川省科学技术进步奖"
    )
    return {"chips": chips, "robot": robot, "food": food}


@pytest.fixture
def users(registry):
    from lianzhang.accounts.services import create_user

    return {
        "admin": create_user("admin", PASSWORD, "admin"),
        "analyst": create_user("analyst", PASSWORD, "analyst"),
        "district": create_user("gaoxin", PASSWORD, "district", district="成都高新区"),
        "enterprise": create_user("chips", PASSWORD, "enterprise", uscc=HIGH_TECH),
    }


@pytest.fixture
def client_as(users, client):
    """``client_as("district")``: the test client logged in as that role's user."""

    def login(role):
        client.force_login(users[role])
        return client

    return login


@pytest.fixture
def browser():
    """Headless system Chromium (Playwright), closed after the test."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    """A fresh page in its own context (1280 × 900)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: ids repeat after a rolled-back test, and the
    dashboard's lists are cached under the run's id (``policies.queries.dashboard_list``)."""
    from django.core.cache import cache

    cache.clear()
