"""The 梯度培育 page, its workbook, the API and the CLI: one scope, one set of filters."""

import io
import json
import re

import openpyxl
import pytest
from click.testing import CliRunner

from lianzhang.cli.main import cli
from lianzhang.cultivation import services
from lianzhang.cultivation.models import ListingCandidate, Target
from tests.conftest import FOOD, ROBOT

pytestmark = pytest.mark.django_db


def test_the_page_in_chinese_shows_the_pyramid_and_the_candidates(client_as, run):
    html = client_as("analyst").get("/cultivation/", {"on": "2025-06-30"}).content.decode()
    assert "梯度培育" in html and "专精特新中小企业" in html and "规上企业" in html
    assert 'data-tier="little_giant"' in html and "成都川味食品有限公司" in html
    assert "研发费用占比：2.60%，低于 3.00%，差 0.40%" in html
    assert 'id="cultivation-data"' in html and "cultivation/charts.js" in html
    visible = re.sub(r"<script.*?</script>|<[^>]+>", " ", html, flags=re.S)
    assert not re.search(
        r"\b(little_giant|specialized_sme|above_scale|reserve|eligible)\b", visible
    )


def test_the_page_in_english_names_the_tiers_in_english(client_as, run):
    client = client_as("analyst")
    client.cookies["django_language"] = "en"
    html = client.get("/cultivation/", {"on": "2025-06-30"}).content.decode()
    table = html[html.index('id="pyramid"') : html.index("</table>", html.index('id="pyramid"'))]
    assert "Specialised SME" in table and "专精特新" not in table


def test_a_district_officer_sees_their_district_and_cannot_set_targets(client_as, run):
    response = client_as("district").get("/cultivation/", {"on": "2025-06-30"})
    html = response.content.decode()
    assert response.status_code == 200 and "成都智造机器人有限公司" in html
    assert "成都川味食品有限公司" not in html  # 武侯区
    assert 'name="count"' not in html
    refused = client_as("district").post(
        "/cultivation/targets/",
        {"year": 2025, "district": "成都高新区", "tier": "high_tech", "count": 3},
    )
    assert refused.status_code == 302 and not Target.objects.exists()


def test_enterprise_users_are_refused_the_bureau_analysis(client_as, run):
    assert client_as("enterprise").get("/cultivation/").status_code == 403
    assert client_as("enterprise").get("/api/v1/cultivation/pyramid").status_code == 403


def test_bad_filters_are_a_400_page_not_a_500(client_as, registry):
    client = client_as("analyst")
    for params in ({"on": "2025-13-01"}, {"on": "9999-01-01"}, {"months": "0"}, {"months": "x"}):
        response = client.get("/cultivation/", params)
        assert response.status_code == 400, params


def test_the_bureau_sets_a_target_and_a_listing_stage_from_the_page(client_as, registry):
    client = client_as("analyst")
    client.post(
        "/cultivation/targets/",
        {"year": 2025, "district": "武侯区", "tier": "high_tech", "count": 2},
    )
    assert Target.objects.get().count == 2
    bad = client.post(
        "/cultivation/targets/",
        {"year": 2025, "district": "火星区", "tier": "high_tech", "count": 2},
        follow=True,
    )
    assert "不是本市的区（市）县" in bad.content.decode() and Target.objects.count() == 1
    client.post(
        "/cultivation/listing/", {"uscc": FOOD.lower(), "stage": "filed", "since": "2025-05-01"}
    )
    assert ListingCandidate.objects.get().stage == "filed"


def test_the_workbook_holds_every_list(client_as, run, users):
    services.set_target(users["analyst"], 2025, "武侯区", "specialized_sme", 2)
    response = client_as("analyst").get("/cultivation/cultivation.xlsx", {"on": "2025-06-30"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["梯度", "分区县", "后备梯队", "称号到期", "年度目标", "上市后备"]
    rows = list(book["后备梯队"].iter_rows(values_only=True))
    assert rows[1][:3] == ("专精特新“小巨人”企业", "符合条件", FOOD)
    assert rows[2][1] == "差一点" and rows[2][2] == ROBOT
    target = list(book["年度目标"].iter_rows(values_only=True))[1]
    assert target[:4] == ("武侯区", "专精特新中小企业", 2, 1) and target[4] == pytest.approx(0.5)


def test_the_api_gives_the_pyramid_and_candidates(client_as, run):
    client = client_as("analyst")
    rows = client.get("/api/v1/cultivation/pyramid", {"on": "2025-06-30"}).json()
    assert {r["tier"]: r["count"] for r in rows}["specialized_sme"] == 1
    found = client.get("/api/v1/cultivation/candidates/little_giant").json()
    assert [r["uscc"] for r in found["eligible"]] == [FOOD]
    assert client.get("/api/v1/cultivation/candidates/gold").status_code == 404
    assert client.get("/api/v1/cultivation/expiring", {"months": 99}).status_code == 422


def test_the_cli_prints_json_and_writes_the_workbook(run, users, tmp_path):
    runner = CliRunner()
    out = runner.invoke(cli, ["tiers", "pyramid", "--on", "2025-06-30", "--district", "武侯区"])
    assert out.exit_code == 0, out.output
    assert {r["tier"]: r["count"] for r in json.loads(out.output)}["specialized_sme"] == 1
    out = runner.invoke(cli, ["tiers", "candidates", "little_giant"])
    assert json.loads(out.output)["near"][0]["uscc"] == ROBOT
    out = runner.invoke(cli, ["tiers", "target", "2026", "成都高新区", "high_tech", "3"])
    assert out.exit_code == 0 and Target.objects.get().count == 3
    bad = runner.invoke(cli, ["tiers", "target", "2026", "火星区", "high_tech", "3"])
    assert bad.exit_code != 0 and "不是本市的区（市）县" in bad.output
    path = tmp_path / "t.xlsx"
    out = runner.invoke(cli, ["tiers", "export", str(path), "--on", "2025-06-30"])
    assert out.exit_code == 0 and "梯度" in openpyxl.load_workbook(path).sheetnames
    out = runner.invoke(cli, ["tiers", "expiring", "--months", "40"])
    assert out.exit_code != 0 and "月数" in out.output
