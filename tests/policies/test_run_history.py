"""Match-run history (issue 12): each run's manifest shown, and the difference of two runs
names who gained or lost eligibility with the criterion that flipped and both values."""

import datetime as dt
import json

import openpyxl
import pytest
from click.testing import CliRunner
from django.test import Client

from lianzhang.accounts.services import create_user, issue_token
from lianzhang.cli.main import cli
from lianzhang.enterprises.models import Annual, Enterprise
from lianzhang.policies import matching, run_diff
from lianzhang.policies.models import Policy

from .conftest import USCCS

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 30)
CODE = "cn.nbs.above-scale-industrial"


def _revenue(uscc, value):
    row = Annual.objects.get(enterprise_id=uscc, year=2025)
    row.revenue = row.main_revenue = value
    row.save()


@pytest.fixture
def two_runs(city):
    """Run 1, then USCCS[1] rises over the 2000万元 line (gains), USCCS[0] slips just
    under it (loses, a near miss) and USCCS[3] falls far below (loses, a clear miss)."""
    revenues = ["20000000.00", "19999999.99", None, "25000000", "30000000", "1"]
    for uscc, revenue in zip(USCCS, revenues, strict=True):
        Annual.objects.create(enterprise_id=uscc, year=2025, revenue=revenue, main_revenue=revenue)
    Enterprise.objects.filter(pk=USCCS[4]).update(industry_code="6513")
    matching.sync_library(year=2026)
    Policy.objects.exclude(code=CODE).update(active=False)
    admin = create_user("boss", "pw-123456", "admin")
    first = matching.run_match(AS_OF, admin)
    _revenue(USCCS[1], "25000000")
    _revenue(USCCS[0], "19999999")
    _revenue(USCCS[3], "1")
    second = matching.run_match(AS_OF, admin)
    return first, second


def _by_uscc(rows):
    return {r["uscc"]: r for r in rows}


def test_the_diff_names_who_gained_and_lost_and_the_criterion_that_flipped(two_runs):
    first, second = two_runs
    found = run_diff.diff(first, second)
    rows = _by_uscc(found.rows())
    assert set(rows) == {USCCS[0], USCCS[1], USCCS[3]}
    gained, lost, gone = rows[USCCS[1]], rows[USCCS[0]], rows[USCCS[3]]
    assert (gained["change"], gained["verdict_a"], gained["verdict_b"]) == (
        "gained",
        "ineligible",
        "eligible",
    )
    [flip] = [x for x in gained["reasons"] if x["criterion"] not in ("", "award")]
    assert (flip["passed_a"], flip["passed_b"]) == (False, True)
    assert flip["value_a"] == pytest.approx(19999999.99)
    assert flip["value_b"] == pytest.approx(25000000)
    assert flip["threshold_b"] == pytest.approx(20000000)
    assert "→" in flip["text"] and flip["label"] in flip["text"]
    assert lost["change"] == "lost" and lost["verdict_b"] == "ineligible"
    [flip] = [x for x in lost["reasons"] if x["criterion"] not in ("", "award")]
    assert (flip["passed_a"], flip["passed_b"]) == (True, False)
    assert flip["value_b"] == pytest.approx(19999999)
    # a clear miss is not stored: the diff says so instead of inventing a criterion
    assert gone["change"] == "lost" and gone["verdict_b"] is None
    assert [x["criterion"] for x in gone["reasons"]] == [""]
    note = gone["reasons"][0]["text"]  # in the language active when the diff ran
    assert f"第 {second.pk} 次匹配" in note or f"#{second.pk}" in note
    [policy] = found.by_policy
    assert (policy["eligible_a"], policy["eligible_b"], policy["gained"], policy["lost"]) == (
        2,
        1,
        1,
        2,
    )
    # the other direction swaps gained and lost
    back = _by_uscc(run_diff.diff(second, first).rows())
    assert {u: r["change"] for u, r in back.items()} == {
        USCCS[0]: "gained",
        USCCS[1]: "lost",
        USCCS[3]: "gained",
    }


def test_a_district_sees_its_own_enterprises_in_the_diff(two_runs):
    first, second = two_runs
    officer = create_user("gx", "pw-123456", "district", district="成都高新区")
    from lianzhang.accounts import access

    found = run_diff.diff(first, second, access.match_runs_scope(officer))
    assert [r["uscc"] for r in found.rows()] == [USCCS[0]]  # 1 and 3 are in 武侯区


def test_pages_for_the_bureau_refused_to_an_enterprise(two_runs, client):
    first, second = two_runs
    client.force_login(create_user("ana", "pw-123456", "analyst"))
    history = client.get("/policies/runs/")
    assert history.status_code == 200
    text = history.content.decode()
    assert f"/policies/runs/{first.pk}/diff/{second.pk}/" in text
    detail = client.get(f"/policies/runs/{second.pk}/")
    page = detail.content.decode()
    assert detail.status_code == 200
    digest = second.manifest["policies"][0]["digest"]
    assert digest[:12] in page and "规模以上" in page
    assert client.get(f"/policies/runs/{second.pk}/?against={first.pk}").status_code == 302
    diff = client.get(f"/policies/runs/{first.pk}/diff/{second.pk}/")
    page = diff.content.decode()
    assert diff.status_code == 200
    assert Enterprise.objects.get(pk=USCCS[1]).name in page
    assert page.count('data-change="lost"') == 2 and page.count('data-change="gained"') == 1
    assert "符合" in page and ">eligible<" not in page  # verdicts by their labels
    one = client.get(f"/policies/runs/{first.pk}/diff/{second.pk}/?change=gained")
    assert one.content.decode().count("data-change=") == 1
    none = client.get(f"/policies/runs/{first.pk}/diff/{second.pk}/?policy=no.such")
    assert "data-change=" not in none.content.decode()
    xlsx = client.get(f"/policies/runs/{first.pk}/diff/{second.pk}.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    dashboard = client.get("/policies/dashboard/").content.decode()
    assert 'href="/policies/runs/"' in dashboard
    firm = Client()
    firm.force_login(create_user("firm", "pw-123456", "enterprise", uscc=USCCS[0]))
    for url in (
        "/policies/runs/",
        f"/policies/runs/{second.pk}/",
        f"/policies/runs/{first.pk}/diff/{second.pk}/",
        f"/policies/runs/{first.pk}/diff/{second.pk}.xlsx",
    ):
        assert firm.get(url).status_code == 403, url


def test_cli_lists_runs_and_writes_the_diff(two_runs, tmp_path):
    first, second = two_runs
    runner = CliRunner()
    listed = runner.invoke(cli, ["delivery", "runs"], catch_exceptions=False)
    assert listed.exit_code == 0 and f"#{second.pk}" in listed.output
    out = runner.invoke(
        cli, ["delivery", "run-diff", str(first.pk), str(second.pk)], catch_exceptions=False
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert set(data) == {"a", "b", "policies", "total", "changes"}
    assert data["total"] == 3 and data["a"]["id"] == first.pk
    change = _by_uscc(data["changes"])[USCCS[1]]
    assert set(change) >= {"policy", "uscc", "change", "verdict_a", "verdict_b", "reasons"}
    assert change["award_b"] is None or isinstance(change["award_b"], str)
    target = tmp_path / "diff.xlsx"
    out = runner.invoke(
        cli,
        ["delivery", "run-diff", str(first.pk), str(second.pk), "--output", str(target)],
        catch_exceptions=False,
    )
    assert out.exit_code == 0, out.output
    book = openpyxl.load_workbook(target)
    changes = list(book["变化 changes"].iter_rows(values_only=True))
    assert len(changes) == 4 and {r[2] for r in changes[1:]} == {USCCS[0], USCCS[1], USCCS[3]}
    assert any("→" in (r[10] or "") for r in changes[1:])
    bad = runner.invoke(cli, ["delivery", "run-diff", str(first.pk), "999999"])
    assert bad.exit_code == 1 and "没有匹配记录 999999" in bad.output
    csv = runner.invoke(
        cli, ["delivery", "run-diff", str(first.pk), str(second.pk), "--output", "x.csv"]
    )
    assert csv.exit_code == 1 and ".xlsx" in csv.output


def test_api_lists_runs_and_diffs_them(two_runs):
    first, second = two_runs
    analyst = create_user("ana", "pw-123456", "analyst")
    api = Client(headers={"authorization": f"Bearer {issue_token(analyst, 'test')}"})
    listed = api.get("/api/v1/match-runs")
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()] == [second.pk, first.pk]
    assert api.get(f"/api/v1/match-runs/{second.pk}").status_code == 200  # the existing one
    got = api.get(f"/api/v1/match-runs/{first.pk}/diff/{second.pk}?change=lost")
    assert got.status_code == 200, got.content
    body = got.json()
    assert body["total"] == 2 and {c["uscc"] for c in body["changes"]} == {USCCS[0], USCCS[3]}
    assert body["policies"][0]["lost"] == 2
    firm = create_user("firm", "pw-123456", "enterprise", uscc=USCCS[0])
    other = Client(headers={"authorization": f"Bearer {issue_token(firm, 'test')}"})
    assert other.get("/api/v1/match-runs").status_code == 403
    assert other.get(f"/api/v1/match-runs/{first.pk}/diff/{second.pk}").status_code == 403
    assert api.get(f"/api/v1/match-runs/{first.pk}/diff/999999").status_code == 404
