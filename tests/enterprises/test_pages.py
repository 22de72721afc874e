"""The pages for each role: what is listed, shown, editable, and exported."""

import csv
import io

import pytest
from django.urls import reverse

from lianzhang.enterprises.models import Enterprise
from tests.conftest import FOOD, HIGH_TECH, ROBOT

pytestmark = pytest.mark.django_db


def listed(client, **params):
    response = client.get(reverse("enterprise-list"), params)
    assert response.status_code == 200
    return {e.uscc for e in response.context["page"]}


def test_anonymous_is_sent_to_login(client, registry):
    for url in [
        reverse("enterprise-list"),
        reverse("enterprise-detail", args=[HIGH_TECH]),
        reverse("enterprise-edit", args=[HIGH_TECH]),
        reverse("import"),
        reverse("export", args=["enterprises", "csv"]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_login_page_and_login(client, users):
    page = client.get(reverse("login"))
    assert "登录" in page.content.decode()
    response = client.post(reverse("login"), {"username": "gaoxin", "password": "pw-123456"})
    assert response.status_code == 302
    assert response["Location"] == reverse("enterprise-list")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", {HIGH_TECH, ROBOT, FOOD}),
        ("analyst", {HIGH_TECH, ROBOT, FOOD}),
        ("district", {HIGH_TECH, ROBOT}),
        ("enterprise", {HIGH_TECH}),
    ],
)
def test_list_shows_only_the_users_scope(client_as, role, expected):
    client = client_as(role)
    assert listed(client) == expected
    assert listed(client, q="成都") == expected  # search never widens the scope
    assert listed(client, q=FOOD) == expected & {FOOD}
    assert listed(client, district="武侯区") == expected & {FOOD}


def test_search_by_name_uscc_industry_district_and_title(client_as):
    client = client_as("analyst")
    assert listed(client, q="机器人") == {ROBOT}
    assert listed(client, q=HIGH_TECH[:12]) == {HIGH_TECH, ROBOT}  # shared prefix
    assert listed(client, q="3973") == {HIGH_TECH}
    assert listed(client, q="食品制造") == {FOOD}  # GB/T 4754 大类 name
    assert listed(client, q="武侯") == {FOOD}
    assert listed(client, q="高新技术企业") == {HIGH_TECH}
    # chips' 专精特新 expired in 2022; the food firm's is current
    assert listed(client, q="专精特新") == {FOOD}


def test_filters(client_as):
    client = client_as("admin")
    assert listed(client, industry="C") == {HIGH_TECH, ROBOT, FOOD}
    assert listed(client, industry="39") == {HIGH_TECH}
    assert listed(client, title="specialized_sme") == {FOOD}
    assert listed(client, above="yes") == {HIGH_TECH, FOOD}
    assert listed(client, above="no") == {ROBOT}


def test_above_scale_follows_each_trades_line(client_as):
    """Software is 规上服务业 by 营业收入 of 20 million yuan, not by 主营业务收入."""
    from decimal import Decimal

    from lianzhang.core.uscc import make
    from lianzhang.enterprises.models import Annual

    soft = Enterprise.objects.create(
        uscc=make("91510100MA6W00009"), name="成都云端软件有限公司", industry_code="6513"
    )
    Annual.objects.create(
        enterprise=soft, year=2024, revenue=Decimal("20000000"), main_revenue=Decimal("1")
    )
    client = client_as("admin")
    assert listed(client, above="yes") == {HIGH_TECH, FOOD, soft.uscc}
    Annual.objects.filter(enterprise=soft).update(revenue=Decimal("19999999.99"))
    assert listed(client, above="no") == {ROBOT, soft.uscc}
    assert listed(client, above="yes") == {HIGH_TECH, FOOD}


def test_sorting_and_money_format(client_as):
    client = client_as("admin")
    response = client.get(reverse("enterprise-list"), {"sort": "-revenue"})
    assert [e.uscc for e in response.context["page"]] == [HIGH_TECH, FOOD, ROBOT]
    response = client.get(reverse("enterprise-list"), {"sort": "revenue"})
    assert [e.uscc for e in response.context["page"]] == [ROBOT, FOOD, HIGH_TECH]
    html = response.content.decode()
    assert "2.6 亿元" in html and "900 万元" in html
    assert "计算机、通信和其他电子设备制造业" in html or "电子" in html


def test_htmx_search_returns_only_the_results(client_as):
    client = client_as("admin")
    response = client.get(reverse("enterprise-list"), {"q": "食品"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and "成都川味食品有限公司" in html
    assert "成都芯谷" not in html


def test_pagination(client_as, registry):
    for i in range(30):
        Enterprise.objects.create(uscc=f"X{i:017d}", name=f"批量企业{i:02d}", district="武侯区")
    client = client_as("admin")
    first = client.get(reverse("enterprise-list"), {"q": "批量"})
    assert first.context["page"].paginator.num_pages == 2
    second = client.get(reverse("enterprise-list"), {"q": "批量", "page": 2})
    assert len(second.context["page"]) == 5


def test_detail_shows_indicators_titles_awards_and_chart_data(client_as):
    response = client_as("district").get(reverse("enterprise-detail", args=[HIGH_TECH]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "成都芯谷集成电路有限公司" in html
    assert "3973" in html
    assert "8.00%" in html  # R&D intensity 2024: 2080 万 / 2.6 亿
    assert "20.9%" in html  # growth 2024 over 2023
    assert "—" in html  # 2023 R&D expense is unknown, not 0
    assert "高新技术企业" in html and "已过期" in html and "有效" in html
    assert "四川省科学技术进步奖" in html
    assert 'id="chart-data"' in html and 'id="chart"' in html
    chart = response.context["chart"]
    assert chart["years"] == [2022, 2023, 2024]
    assert chart["rd_expense"] == [1200.0, None, 2080.0]


@pytest.mark.parametrize("role", ["district", "enterprise"])
def test_out_of_reach_is_404_like_missing(client_as, role):
    client = client_as(role)
    for uscc in [FOOD, "9" * 18]:
        assert client.get(reverse("enterprise-detail", args=[uscc])).status_code == 404
        assert client.get(reverse("enterprise-edit", args=[uscc])).status_code == 404
        assert (
            client.post(reverse("enterprise-edit", args=[uscc]), {"name": "x"}).status_code == 404
        )
    assert Enterprise.objects.get(pk=FOOD).name == "成都川味食品有限公司"


def test_enterprise_user_sees_own_but_cannot_edit(client_as):
    client = client_as("enterprise")
    page = client.get(reverse("enterprise-detail", args=[HIGH_TECH]))
    assert page.status_code == 200 and not page.context["can_change"]
    assert client.get(reverse("enterprise-edit", args=[HIGH_TECH])).status_code == 404
    assert client.get(reverse("enterprise-detail", args=[ROBOT])).status_code == 404


def edit_data(enterprise, **changes):
    data = {
        "name": enterprise.name,
        "district": enterprise.district,
        "park": enterprise.park,
        "industry_code": enterprise.industry_code,
        "registered_on": "",
        "main_product": enterprise.main_product,
    }
    return data | changes


def test_district_officer_edits_own_district(client_as, registry):
    client = client_as("district")
    url = reverse("enterprise-edit", args=[ROBOT])
    assert client.get(url).status_code == 200
    response = client.post(url, edit_data(registry["robot"], main_product="六轴工业机器人"))
    assert response.status_code == 302
    assert Enterprise.objects.get(pk=ROBOT).main_product == "六轴工业机器人"


def test_edit_validates_industry_and_keeps_the_enterprise_in_reach(client_as, registry):
    client = client_as("district")
    url = reverse("enterprise-edit", args=[ROBOT])
    bad = client.post(url, edit_data(registry["robot"], industry_code="9999"))
    assert bad.status_code == 200 and "GB/T 4754" in bad.content.decode()
    away = client.post(url, edit_data(registry["robot"], district="武侯区"))
    assert away.status_code == 200 and away.context["form"].non_field_errors()
    assert Enterprise.objects.get(pk=ROBOT).district == "成都高新区"


def export_rows(client, table="enterprises", **params):
    response = client.get(reverse("export", args=[table, "csv"]), params)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))[1:]


def test_export_is_restricted_to_the_visible_enterprises(client_as):
    assert {r[0] for r in export_rows(client_as("district"))} == {HIGH_TECH, ROBOT}
    assert {r[0] for r in export_rows(client_as("district"), "annual")} == {HIGH_TECH, ROBOT}
    assert {r[0] for r in export_rows(client_as("enterprise"))} == {HIGH_TECH}
    assert {r[0] for r in export_rows(client_as("admin"), q="食品")} == {FOOD}


def test_export_xlsx(client_as):
    response = client_as("analyst").get(reverse("export", args=["annual", "xlsx"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"


def test_not_found_page_is_the_platforms(client_as):
    response = client_as("district").get(reverse("enterprise-detail", args=[FOOD]))
    assert response.status_code == 404
    assert "不存在" in response.content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_saving_the_edit_form_unchanged_changes_nothing(client_as, language):
    from django.forms.models import model_to_dict

    from tests.browserlike import submitted

    client = client_as("admin")
    client.cookies["django_language"] = language
    Enterprise.objects.filter(pk=ROBOT).update(
        registered_on="2020-02-10", main_product="工业机器人\n减速器", is_sei_product=True
    )
    before = model_to_dict(Enterprise.objects.get(pk=ROBOT))
    url = reverse("enterprise-edit", args=[ROBOT])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    data = submitted(page.content.decode())
    data.pop("csrfmiddlewaretoken", None)
    assert data["registered_on"] == "2020-02-10"
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert model_to_dict(Enterprise.objects.get(pk=ROBOT)) == before


FORMULAS = [
    '=HYPERLINK("http://evil","点我")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
]


@pytest.mark.parametrize("formula", FORMULAS)
def test_csv_export_quotes_formulas_and_imports_them_back(client_as, formula, tmp_path):
    from lianzhang.enterprises.services import export_file, import_file

    Enterprise.objects.filter(pk=ROBOT).update(main_product=formula)
    row = next(r for r in export_rows(client_as("analyst")) if r[0] == ROBOT)
    cell = row[next(i for i, v in enumerate(row) if formula in v)]
    assert cell == "'" + formula  # a spreadsheet shows it as text
    path = tmp_path / "e.csv"
    export_file("enterprises", path, Enterprise.objects.filter(pk=ROBOT))
    Enterprise.objects.filter(pk=ROBOT).update(main_product="")
    assert import_file(path, "enterprises").written == 1
    assert Enterprise.objects.get(pk=ROBOT).main_product == formula  # unchanged


@pytest.mark.parametrize("district", ["火星区", "成都高新", " "])
def test_edit_refuses_a_district_outside_the_city_list(client_as, registry, district):
    client = client_as("analyst")
    url = reverse("enterprise-edit", args=[ROBOT])
    response = client.post(url, edit_data(registry["robot"], district=district))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get("district", []))
    assert "区（市）县" in errors or "必填" in errors or "required" in errors
    assert Enterprise.objects.get(pk=ROBOT).district == "成都高新区"
    moved = client.post(url, edit_data(registry["robot"], district="武侯区"))
    assert moved.status_code == 302 and Enterprise.objects.get(pk=ROBOT).district == "武侯区"
