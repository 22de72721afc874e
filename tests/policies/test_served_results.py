"""Serve what is already computed: "my policies" from the latest match run, or live.

The stored path must give exactly the page the live path gives while the enterprise's data
and the library are unchanged since the run; after an edit, an import, an approved
parameter change or a changed policy file the page is computed live, and it says which.
"""

import csv
import dataclasses
import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from lianzhang.accounts.models import Profile
from lianzhang.core import contract
from lianzhang.demo.loader import create_demo_users, load_demo
from lianzhang.enterprises import services as registry
from lianzhang.enterprises.models import Enterprise, Honour
from lianzhang.policies import matching, services
from lianzhang.policies.models import Match, MatchRun, Policy
from lianzhang.policies.queries import my_policies
from lianzhang.policies.services.served import served_policies

pytestmark = pytest.mark.django_db


def digits(criteria):
    """The criteria with floats to 12 significant digits: the bulk run's vectorised kernels
    and a one-row query may differ in the last bit of a value shown to the fen (a verdict
    is decided exactly, never on these floats; the reasons shown are compared exactly)."""
    return [
        {k: float(f"{v:.12g}") if isinstance(v, float) else v for k, v in c.items()}
        for c in criteria
    ]


def page_of(items):
    """Everything the page shows of each item (the case link is read fresh either way)."""
    return [
        (
            m.policy.code,
            m.verdict,
            m.category,
            m.award,
            m.score,
            m.reasons,
            digits(m.criteria),
            m.needs_review,
            m.case.pk if m.case else None,
        )
        for m in items
    ]


@pytest.fixture
def city():
    load_demo(seed=7, enterprises=300, echo=lambda line: None)
    create_demo_users()
    today = timezone.localdate()
    matching.sync_library(year=today.year)
    return matching.run_match(today)


def label(response):
    return response.content.decode()


def stored_label(run):
    return f"基于 {run.as_of.month}月{run.as_of.day}日 匹配"


def test_the_stored_path_gives_exactly_the_live_results(city):
    run = city
    matches = Match.objects.filter(run=run)
    sample = []
    for condition in (
        {"verdict": "eligible", "needs_review": False},
        {"verdict": "eligible", "needs_review": True},
        {"verdict": "undetermined"},
        {"near_miss": True},
    ):
        found = matches.filter(**condition).values_list("enterprise_id", flat=True)
        sample += [u for u in found.order_by("enterprise_id").distinct()[:6] if u not in sample]
    nothing = Enterprise.objects.exclude(pk__in=matches.values("enterprise_id")).first()
    sample += [nothing.pk] if nothing else []
    categories = set()
    for uscc in sample:
        served = served_policies(uscc)
        assert served.stored and served.run == run, uscc
        live = my_policies(uscc)
        assert page_of(served.items) == page_of(live), uscc
        categories |= {m.category for m in live}
    review = matches.filter(verdict="eligible", needs_review=True).exists()
    assert categories == {"eligible", "undetermined", "near"} | ({"review"} if review else set())


def test_the_page_says_it_shows_the_run_and_the_same_groups(city, client):
    qiye = User.objects.get(username="qiye")
    uscc = Profile.objects.get(user=qiye).enterprise_id
    client.force_login(qiye)
    response = client.get("/policies/mine/")
    assert response.status_code == 200
    assert response.context["served"].stored
    assert stored_label(city) in label(response) and 'data-source="stored"' in label(response)
    shown = [(k, page_of(items)) for k, _, items in response.context["groups"]]
    live = my_policies(uscc)
    assert shown == [(k, page_of([m for m in live if m.category == k])) for k, _ in shown]


def test_an_edit_makes_that_enterprise_live_and_shows_the_live_result(city, client):
    run = city
    busiest = (
        Match.objects.filter(run=run, verdict="eligible")
        .values_list("enterprise_id", flat=True)
        .order_by("enterprise_id")
    )
    uscc = max(set(busiest), key=lambda u: (list(busiest).count(u), u))
    other = next(u for u in busiest if u != uscc)
    before = page_of(served_policies(uscc).items)
    client.force_login(User.objects.get(username="admin"))
    enterprise = Enterprise.objects.get(pk=uscc)
    form = {
        "name": enterprise.name,
        "district": enterprise.district,
        "park": enterprise.park,
        "industry_code": "7320",  # research and development services: not manufacturing
        "registered_on": enterprise.registered_on.isoformat() if enterprise.registered_on else "",
        "main_product": enterprise.main_product,
        "is_sei_product": "unknown",
        "major_incident_recent": "true",
        "credit_blacklisted": "true",
        "tech_in_supported_fields": "unknown",
    }
    response = client.post(f"/enterprises/{uscc}/edit/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    served = served_policies(uscc)
    assert not served.stored
    assert page_of(served.items) == page_of(my_policies(uscc)) != before
    page = client.get(f"/policies/mine/?uscc={uscc}")
    assert "实时计算" in label(page) and 'data-source="live"' in label(page)
    assert stored_label(run) not in label(page)
    assert served_policies(other).stored  # the others' data did not change


def test_an_import_or_a_saved_row_makes_that_enterprise_live(city, tmp_path):
    run = city
    usccs = list(Match.objects.filter(run=run).values_list("enterprise_id", flat=True).distinct())
    first, second, third = sorted(set(usccs))[:3]
    path = tmp_path / "annual.csv"
    registry.export_file("annual", path, Enterprise.objects.filter(pk=first))
    with path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index(contract.field("annual", "revenue").header)
    for row in rows[1:]:
        row[column] = "1"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    report = registry.import_file(path, "annual")
    assert report.written and report.updated == len(rows) - 1
    assert not served_policies(first).stored
    assert page_of(served_policies(first).items) == page_of(my_policies(first))
    assert served_policies(second).stored
    Honour.objects.create(enterprise_id=second, title="high_tech", granted_on=run.as_of)
    assert not served_policies(second).stored
    Honour.objects.filter(enterprise_id=second).last().delete()
    assert not served_policies(second).stored
    assert served_policies(third).stored
    # a new run reads the changed data: served again, and still equal to live
    matching.run_match(run.as_of)
    for uscc in (first, second, third):
        served = served_policies(uscc)
        assert served.stored and page_of(served.items) == page_of(my_policies(uscc))


def test_an_approved_parameter_change_makes_every_page_live(city):
    run = city
    uscc = Match.objects.filter(run=run, verdict="eligible").first().enterprise_id
    admin, analyst = User.objects.get(username="admin"), User.objects.get(username="analyst")
    policy = Policy.objects.get(code="local.example.rd-subsidy")
    name = "min_main_revenue"
    assert str(matching.library().policies[policy.code].parameters[name].at(run.as_of)) == (
        "2000万元"
    )
    change = services.propose_parameter(
        policy, name, run.as_of - dt.timedelta(days=1), "3000万元", "测试", analyst
    )
    assert served_policies(uscc).stored  # pending: not in force
    services.review_parameter(change.pk, admin, approve=True, note="同意")
    served = served_policies(uscc)
    assert not served.stored
    assert page_of(served.items) == page_of(my_policies(uscc))
    policy.active = False  # a policy switched off: the run's library is not today's either
    policy.save()
    assert not served_policies(uscc).stored


def test_a_changed_policy_file_or_another_day_makes_the_page_live(city, monkeypatch):
    run = city
    uscc = Match.objects.filter(run=run, verdict="eligible").first().enterprise_id
    assert served_policies(uscc).stored
    lib = matching.library()
    code = next(iter(lib.policies))
    edited = dataclasses.replace(lib.policies[code], digest="0" * 16)  # the file was edited
    monkeypatch.setitem(
        matching._CACHE,
        "library",
        dataclasses.replace(lib, policies={**lib.policies, code: edited}),
    )
    served = served_policies(uscc)
    assert not served.stored and page_of(served.items) == page_of(my_policies(uscc))
    monkeypatch.undo()
    assert served_policies(uscc).stored
    assert not served_policies(uscc, run.as_of + dt.timedelta(days=1)).stored
    MatchRun.objects.filter(pk=run.pk).update(finished_at=None)  # a run still going
    assert not served_policies(uscc).stored
