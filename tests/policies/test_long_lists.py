"""The dashboard's long lists in full (issue 12): 应享未享, needs review and near misses,
paged 50 to a page and filtered by name or USCC, district and policy, in the viewer's scope."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from lianzhang.accounts.services import create_user
from lianzhang.core.uscc import make
from lianzhang.enterprises.models import Enterprise
from lianzhang.policies.models import Match, MatchRun

from .conftest import make_policy

pytestmark = pytest.mark.django_db

N = 120  # more than two pages


@pytest.fixture
def listed(db):
    firms = [
        Enterprise.objects.create(
            uscc=make(f"91510100MA7L{i:05d}"),
            name=f"长名单{i:03d}有限公司",
            district="成都高新区" if i % 3 else "武侯区",
            industry_code="3973",
        )
        for i in range(N)
    ]
    one, two = make_policy("list.one", "automatic"), make_policy("list.two", "automatic")
    run = MatchRun.objects.create(as_of=dt.date(2026, 6, 30), finished_at=timezone.now())
    for i, firm in enumerate(firms):
        Match.objects.create(
            run=run,
            enterprise=firm,
            policy=one if i % 2 else two,
            verdict="eligible",
            award=Decimal("1000"),
        )
    return firms


def _rows(html):
    body = html.split('id="long-list"', 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr>") - 1  # the head row


def test_every_row_is_reached_page_by_page(listed, client_as):
    client = client_as("analyst")
    seen = 0
    for page in (1, 2, 3):
        html = client.get(f"/policies/dashboard/lists/unclaimed/?page={page}").content.decode()
        seen += _rows(html)
    assert seen == N
    first = client.get("/policies/dashboard/lists/unclaimed/").content.decode()
    assert _rows(first) == 50 and "第 1 / 3 页" in first and f"（{N}）" in first
    assert client.get("/policies/dashboard/lists/unclaimed/?page=x").status_code == 200
    assert client.get("/policies/dashboard/lists/unclaimed/?page=999").status_code == 200
    assert client.get("/policies/dashboard/lists/nothing/").status_code == 404


def test_filters_narrow_the_list_and_paging_keeps_them(listed, client_as):
    client = client_as("analyst")
    html = client.get("/policies/dashboard/lists/unclaimed/?q=长名单007").content.decode()
    assert _rows(html) == 1 and "长名单007有限公司" in html
    by_uscc = client.get(f"/policies/dashboard/lists/unclaimed/?q={listed[8].uscc[:18]}")
    assert _rows(by_uscc.content.decode()) == 1
    wuhou = sum(1 for i in range(N) if i % 3 == 0)
    html = client.get("/policies/dashboard/lists/unclaimed/?district=武侯区").content.decode()
    assert f"{wuhou} 条" in html
    html = client.get(
        "/policies/dashboard/lists/unclaimed/?district=成都高新区&policy=list.one"
    ).content.decode()
    assert f"{sum(1 for i in range(N) if i % 3 and i % 2)} 条" in html
    gaoxin = client.get("/policies/dashboard/lists/unclaimed/?district=成都高新区")
    html = gaoxin.content.decode()
    assert f"{N - wuhou} 条" in html and "page=2" in html  # two pages, the filter kept
    assert "district=%E6%88%90%E9%83%BD%E9%AB%98%E6%96%B0%E5%8C%BA&amp;page=2" in html


def test_a_district_sees_its_own_rows_and_an_enterprise_none(listed, client_as, db):
    officer = create_user("wuhou", "pw-123456", "district", district="武侯区")
    from django.test import Client

    client = Client()
    client.force_login(officer)
    html = client.get("/policies/dashboard/lists/unclaimed/").content.decode()
    assert "成都高新区" not in html.split('id="long-list"', 1)[1]
    assert f"（{sum(1 for i in range(N) if i % 3 == 0)}）" in html
    firm = create_user("firmx", "pw-123456", "enterprise", uscc=listed[0].uscc)
    client.force_login(firm)
    assert client.get("/policies/dashboard/lists/unclaimed/").status_code == 403


def test_the_dashboard_links_to_the_whole_list(listed, client_as):
    html = client_as("analyst").get("/policies/dashboard/?year=2026").content.decode()
    assert 'href="/policies/dashboard/lists/unclaimed/"' in html


def test_the_lists_are_cached_until_a_case_or_the_registry_changes(
    listed, client_as, django_assert_max_num_queries
):
    from lianzhang.policies import queries, services
    from lianzhang.policies.models import Case

    first = queries.dashboard_list("unclaimed")
    assert len(first) == N
    with django_assert_max_num_queries(3):  # the run and the two versions, not the list
        assert queries.dashboard_list("unclaimed") == first
    match = Match.objects.filter(verdict="eligible").select_related("policy").first()
    services.open_cases([match], 2026)  # a case changes: audited, so the key moves
    assert Case.objects.count() == 1
    again = queries.dashboard_list("unclaimed")
    row = next(
        r for r in again if r["uscc"] == match.enterprise_id and r["policy"] == match.policy.code
    )
    assert row["state"] == "eligible"
    renamed = Enterprise.objects.get(pk=listed[5].pk)
    renamed.name = "改名后的企业有限公司"
    renamed.save()  # any registry edit moves the key too
    assert any(r["name"] == "改名后的企业有限公司" for r in queries.dashboard_list("unclaimed"))
