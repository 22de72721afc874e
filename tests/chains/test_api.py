"""The chains REST API: same numbers as the pages, same restrictions, writes via services."""

import json

import pytest
from django.test import Client

from lianzhang.accounts.services import issue_token
from lianzhang.chains import services
from lianzhang.chains.models import EnterpriseLink, LinkStatus
from tests.conftest import HIGH_TECH

from .conftest import enterprise


def client_for(user):
    return Client(headers={"authorization": f"Bearer {issue_token(user, 'test')}"})


@pytest.fixture
def linked(users, tmp_path):
    services.load_templates(["ic", "energy-storage"])
    outside = enterprise(901, "外区电芯", "锂离子电池", "3841", district="武侯区")
    services.link_enterprises()
    supply = tmp_path / "supply.csv"
    supply.write_text(
        "buyer_uscc,supplier_uscc,supplier_name,supplier_region,product,amount,year\n"
        f"{outside.uscc},{HIGH_TECH},成都芯谷,成都,功率芯片,300.00,2024\n"
        f"{outside.uscc},,苏州正极,江苏苏州,三元正极材料,700.00,2024\n",
        "utf-8",
    )
    services.import_supply(supply)
    companies = tmp_path / "outside.csv"
    companies.write_text(
        "code,name,region,revenue,products\nX1,合肥负极材料公司,安徽合肥,900000000,人造石墨负极材料\n",
        "utf-8",
    )
    services.import_outside_companies(companies)
    return users


def test_list_and_show(linked):
    api = client_for(linked["analyst"])
    rows = {r["code"]: r for r in api.get("/api/v1/chains").json()}
    assert set(rows) == {"ic", "energy-storage"}
    assert rows["energy-storage"]["enterprises"] == 1
    detail = api.get("/api/v1/chains/ic").json()
    assert {p["part"] for p in detail["index_parts"]} >= {"coverage", "scale", "local_supply"}
    fab = next(n for n in detail["node_list"] if n["code"] == "ic-fab")
    assert fab["enterprises"] == 1 and fab["revenue"] == "260000000.00"
    assert fab["parent"] == "ic-midstream"
    assert detail["masters"][0]["uscc"] == HIGH_TECH
    assert api.get("/api/v1/chains/nope").status_code == 404
    assert "nope" in api.get("/api/v1/chains/nope").json()["error_en"]
    assert Client().get("/api/v1/chains").status_code == 401
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/chains/{code}/supply-rate", "/api/v1/chains/links/{link_id}/decide"} <= set(
        paths
    )


def test_district_officer_sees_their_district_only(linked):
    officer = client_for(linked["district"])
    cells = officer.get("/api/v1/chains/energy-storage/nodes/es-cells/enterprises").json()
    assert cells == []  # 外区电芯 is in 武侯区
    analyst = client_for(linked["analyst"])
    cells = analyst.get("/api/v1/chains/energy-storage/nodes/es-cells/enterprises").json()
    assert [c["enterprise"] for c in cells] == ["外区电芯"]
    assert cells[0]["evidence"][0]["term"]


def test_supply_rate_gaps_and_targets(linked):
    api = client_for(linked["analyst"])
    rate = api.get("/api/v1/chains/energy-storage/supply-rate").json()
    assert rate["rate"] == pytest.approx(0.3)
    assert rate["total"] == "1000.00" and rate["local"] == "300.00"
    assert rate["top_external"][0]["supplier_name"] == "苏州正极"
    gaps = {g["name"]: g for g in api.get("/api/v1/chains/energy-storage/gaps").json()}
    assert "负极材料" in gaps
    assert gaps["负极材料"]["targets"][0]["name"] == "合肥负极材料公司"
    targets = api.get("/api/v1/chains/energy-storage/targets").json()
    assert [t["name"] for t in targets] == ["负极材料"]
    # the district officer sees no purchases of 武侯区 buyers: unknown, not zero
    officer = client_for(linked["district"]).get("/api/v1/chains/energy-storage/supply-rate")
    assert officer.json()["rate"] is None


def test_decide_a_link(linked):
    link = EnterpriseLink.objects.get(enterprise_id=HIGH_TECH, node__code="ic-fab")
    body = json.dumps({"status": "confirmed", "note": "核实"})
    url = f"/api/v1/chains/links/{link.pk}/decide"
    denied = client_for(linked["district"]).post(url, body, content_type="application/json")
    assert denied.status_code == 403
    link.refresh_from_db()
    assert link.status == LinkStatus.CANDIDATE
    ok = client_for(linked["analyst"]).post(url, body, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "confirmed"
    link.refresh_from_db()
    assert link.status == LinkStatus.CONFIRMED and link.decided_by.username == "analyst"
    bad = json.dumps({"status": "maybe"})
    response = client_for(linked["analyst"]).post(url, bad, content_type="application/json")
    assert response.status_code == 400 and "状态" in response.json()["error_zh"]


def test_relatedness_and_export(linked, tmp_path):
    from lianzhang.chains import complexity

    from .test_complexity import table

    frame = table(5)
    path = tmp_path / "t.csv"
    frame.write_csv(path)
    services.import_region_table(path, "test-table")
    api = client_for(linked["analyst"])
    out = api.get("/api/v1/chains/relatedness?dataset=test-table&region=r03&top=5").json()
    expected = complexity.compute(frame)
    assert len(out["regions"]) == len(expected.regions)
    best = max(range(len(expected.regions)), key=lambda i: expected.eci[i])
    assert out["regions"][0]["region"] == expected.regions[best]
    grow = complexity.grow_next(expected, "r03", 5)
    assert [g["industry"] for g in out["grow_next"]] == grow["industry"].to_list()
    assert api.get("/api/v1/chains/relatedness?dataset=none").status_code == 404
    # by default the registry's own districts × classes
    own = api.get("/api/v1/chains/relatedness").json()
    assert {r["region"] for r in own["regions"]} == {"成都高新区", "武侯区"}
    (tmp_path / "one.csv").write_text("region,industry,value\na,x,1\na,y,2\n", "utf-8")
    services.import_region_table(tmp_path / "one.csv", "one-region")
    small = api.get("/api/v1/chains/relatedness?dataset=one-region")
    assert small.status_code == 400 and "区域" in small.json()["error_zh"]
    yaml_text = api.get("/api/v1/chains/ic/export").content.decode()
    assert "code: ic" in yaml_text and "晶圆制造" in yaml_text
