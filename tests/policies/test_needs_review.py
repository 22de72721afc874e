"""A verdict resting on a manual or unverified clause (须人工审核) is never counted as
entitled, never auto-granted, and labelled in every view (issue 10)."""

import datetime as dt
from decimal import Decimal

import pytest

from lianzhang.enterprises.models import Annual
from lianzhang.policies import matching, queries, services
from lianzhang.policies.models import Case, Match, Policy
from lianzhang.rules.policy import load_library

from .conftest import USCCS

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 30)

REVIEW = """id: t.review
title: 链主配套奖励（测试）
level: local
effective: {from: 2026-01-01}
mode: automatic
confidence: high
criteria:
  id: all_of
  all:
    - {id: industrial, label: 属于制造业, expr: 'section(industry_code) == "C"'}
    - {id: chain, label: 位于产业链关键环节, confidence: unverified, expr: key_chain_position}
award: {amount: 10万元}
"""
PLAIN = """id: t.plain
title: 制造业奖励（测试）
level: local
effective: {from: 2026-01-01}
mode: automatic
confidence: high
criteria: {id: industrial, label: 属于制造业, expr: 'section(industry_code) == "C"'}
award: {amount: 5万元}
"""


@pytest.fixture
def run(city, tmp_path, monkeypatch):
    (tmp_path / "t.review.yaml").write_text(REVIEW, "utf-8")
    (tmp_path / "t.plain.yaml").write_text(PLAIN, "utf-8")
    lib = load_library([tmp_path])
    monkeypatch.setattr(matching, "library", lambda: lib)
    monkeypatch.setattr(queries, "library", lambda: lib)
    matching.sync_library(lib, year=2026)
    Annual.objects.create(enterprise_id=USCCS[0], year=2025, key_chain_position=True)
    Annual.objects.create(enterprise_id=USCCS[1], year=2025, key_chain_position=False)
    return matching.run_match(AS_OF)


def test_a_run_does_not_count_review_verdicts_as_entitled(run):
    review = Match.objects.get(run=run, policy__code="t.review", enterprise_id=USCCS[0])
    assert (review.verdict, review.needs_review) == ("eligible", True)
    plain = Match.objects.filter(run=run, policy__code="t.plain")
    assert plain.count() == 6 and not plain.filter(needs_review=True).exists()
    # a computable failure is a plain ineligible: nothing to review
    assert not Match.objects.filter(run=run, policy__code="t.review", enterprise_id=USCCS[1])
    assert run.eligible == 6 == queries.entitled_count(run)
    assert run.manifest["needs_review"] == 1


def test_dashboard_queries_list_review_verdicts_apart(run):
    entitled = queries.entitled_not_received(run)
    assert {r["policy"] for r in entitled} == {"t.plain"} and len(entitled) == 6
    review = queries.awaiting_review(run)
    mine = [r for r in review if r["uscc"] == USCCS[0]]
    assert [(r["policy"], r["verdict"], r["status"]) for r in mine] == [
        ("t.review", "eligible", "须人工审核")
    ]
    assert all(r["status"] == "须人工审核" for r in review)
    assert all(r["reason"].startswith("须人工审核") for r in review)


def test_review_verdicts_are_never_auto_granted(run):
    eligible = Match.objects.filter(run=run, verdict="eligible")
    services.open_cases(eligible, 2026)
    review_case = Case.objects.get(policy__code="t.review")
    assert review_case.state == "draft"  # 申报 with a reviewer, not 免申即享
    assert set(Case.objects.filter(policy__code="t.plain").values_list("state", flat=True)) == {
        "eligible"
    }


def test_my_policies_and_api_say_needs_review(run, people, client):
    by_code = {m.policy.code: m for m in queries.my_policies(USCCS[0], AS_OF)}
    assert (by_code["t.review"].category, by_code["t.review"].needs_review) == ("review", True)
    assert (by_code["t.plain"].category, by_code["t.plain"].needs_review) == ("eligible", False)
    client.force_login(people["firm"])
    rows = client.get(f"/api/v1/enterprises/{USCCS[0]}/policies?as_of=2026-06-30").json()
    got = {r["policy"]: (r["category"], r["needs_review"]) for r in rows}
    assert got["t.review"] == ("review", True) and got["t.plain"] == ("eligible", False)


def test_pages_label_needs_review(run, people, client):
    client.force_login(people["analyst"])
    page = client.get("/policies/dashboard/").content.decode()
    assert "须人工审核" in page and 'id="needs-review"' in page
    rows = client.get("/api/v1/dashboard/needs-review").json()
    assert any(r["policy"] == "t.review" and r["status"] == "须人工审核" for r in rows)
    unclaimed = client.get("/api/v1/dashboard/unclaimed").json()
    assert unclaimed and all(r["policy"] == "t.plain" for r in unclaimed)


def test_policy_rows_keep_award_of_review_matches(run):
    review = Match.objects.get(run=run, policy__code="t.review", enterprise_id=USCCS[0])
    assert review.award == Decimal("100000.00")
    # the policy allows 免申即享; it is the verdict resting on review that stops it
    assert Policy.objects.get(code="t.review").automatic_grant_allowed
