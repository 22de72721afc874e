"""The delivery pages through Django's test client: each page, each path, each boundary."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lianzhang.accounts.services import create_user
from lianzhang.enterprises.models import Annual
from lianzhang.policies import matching, services
from lianzhang.policies.models import AuditEvent, Case, Notice, ParameterChange, Policy
from tests.conftest import FOOD, HIGH_TECH, PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(users, settings):
    """The library synced, one match run, the cases it opens (FOOD has a login too)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    food = create_user("food", PASSWORD, "enterprise", uscc=FOOD)
    food.email = "finance@food.example"
    food.save()
    # 成都芯谷 as a known clean SME last year, so the tier rules' general conditions (size,
    # credit, incidents) are decided and it has cases of its own that others must not see
    chips = users["enterprise"].profile.enterprise
    chips.credit_blacklisted = chips.major_incident_recent = False
    chips.save()
    known = chips.annual.get(year=2024)
    chips.annual.get_or_create(
        year=timezone.localdate().year - 1,
        defaults={"revenue": known.revenue, "employees": known.employees},
    )
    matching.sync_library(year=timezone.localdate().year)
    run = matching.run_match(timezone.localdate(), users["admin"])
    services.open_cases(run.matches.filter(verdict="eligible"), timezone.localdate().year)
    return {**users, "food": food}


def case_of(uscc, code):
    return Case.objects.get(enterprise_id=uscc, policy__code=code)


def test_bureau_pages_render(delivered, client):
    client.force_login(delivered["analyst"])
    case = case_of(FOOD, "local.example.specialized-award")
    for url in [
        "/policies/library/",
        "/policies/library/local.example.rd-subsidy/",
        f"/policies/mine/?uscc={FOOD}",
        "/policies/cases/",
        f"/policies/cases/{case.pk}/",
        "/policies/money/",
        f"/policies/money/local.example.specialized-award/{case.year}/",
        "/policies/dashboard/",
        "/policies/sandbox/?policy=local.example.rd-subsidy",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get("/policies/library/local.example.rd-subsidy/").content.decode()
    assert "规上工业企业研发费用增量补助" in page and "示例经信〔2026〕1号" in page
    assert "rd_expense &gt; rd_expense[-2]" in page  # the criterion as written in the file
    assert "增量补助比例" in page and "10%" in page  # a dated parameter
    dashboard = client.get("/policies/dashboard/").content.decode()
    assert "成都川味食品有限公司" in dashboard  # 应享未享: eligible, not yet paid
    assert "等待企业确认意向和账户" in dashboard
    assert 'id="dashboard-data"' in dashboard and "vendor/echarts.min.js" in dashboard
    assert "兑现看板" in dashboard and ">政策兑现</a>" in dashboard  # Chinese first, in the nav
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Delivery dashboard" in client.get("/policies/dashboard/").content.decode()


def test_enterprise_is_told_and_sees_only_its_own(delivered, client):
    case = case_of(FOOD, "local.example.specialized-award")
    [notice] = Notice.objects.filter(user=delivered["food"])
    assert notice.link == f"/policies/cases/{case.pk}/"
    assert [m.to for m in mail.outbox] == [["finance@food.example"]]
    client.force_login(delivered["food"])
    page = client.get("/policies/mine/").content.decode()
    assert "专精特新中小企业奖励" in page and "30 万元" in page
    assert "成都芯谷" not in page
    # another enterprise's code in the address changes nothing
    assert "成都芯谷" not in client.get(f"/policies/mine/?uscc={HIGH_TECH}").content.decode()
    chips_case = Case.objects.filter(enterprise_id=HIGH_TECH).first()
    assert client.get(f"/policies/cases/{chips_case.pk}/").status_code == 404
    cases = client.get("/policies/cases/").content.decode()
    assert "成都川味食品" in cases and "成都芯谷" not in cases
    assert client.get("/policies/dashboard/").status_code == 302  # to "my policies"
    for url in ["/policies/money/", "/policies/sandbox/", "/policies/export/unclaimed.xlsx"]:
        assert client.get(url).status_code == 403, url
    client.post("/policies/notices/read/")
    assert Notice.objects.get(pk=notice.pk).read_at is not None


def test_district_officer_sees_only_its_district(delivered, client):
    client.force_login(delivered["district"])  # 成都高新区
    food_case = case_of(FOOD, "local.example.specialized-award")
    assert client.get(f"/policies/cases/{food_case.pk}/").status_code == 404
    assert client.get(f"/policies/mine/?uscc={FOOD}").status_code == 404
    assert client.get(f"/policies/mine/?uscc={HIGH_TECH}").status_code == 200
    dashboard = client.get("/policies/dashboard/")
    assert dashboard.status_code == 200
    assert "成都川味食品" not in dashboard.content.decode()
    book = openpyxl.load_workbook(io.BytesIO(client.get("/policies/export/unclaimed.xlsx").content))
    rows = list(book.active.iter_rows(min_row=2, values_only=True))
    assert "成都川味食品有限公司" not in [row[1] for row in rows]
    states = {row[6] for row in rows}  # by their Chinese names, never the codes
    assert states and not states & {"eligible", "confirmed", "approved", "ordered", ""}
    for url in ["/policies/money/", "/policies/sandbox/"]:
        assert client.get(url).status_code == 403
    # a district officer cannot approve, even on a visible case
    client.force_login(delivered["food"])
    client.post(
        f"/policies/cases/{food_case.pk}/act/", {"action": "confirm", "bank_account": "62220202"}
    )
    client.force_login(delivered["district"])
    client.post(f"/policies/cases/{food_case.pk}/act/", {"action": "approve", "reason": "x"})
    assert case_of(FOOD, "local.example.specialized-award").state == "confirmed"


def test_automatic_path_through_the_pages(delivered, client):
    case = case_of(FOOD, "local.example.specialized-award")
    client.force_login(delivered["food"])
    response = client.post(
        f"/policies/cases/{case.pk}/act/",
        {"action": "confirm", "bank_account": "12ab", "version": case.version},
        follow=True,
    )
    assert "银行账号应为 8–32 位数字" in response.content.decode()
    assert case_of(FOOD, "local.example.specialized-award").state == "eligible"
    client.post(
        f"/policies/cases/{case.pk}/act/",
        {"action": "confirm", "bank_account": "6222 0202 0202", "version": case.version},
    )
    client.force_login(delivered["analyst"])
    client.post(f"/policies/cases/{case.pk}/act/", {"action": "approve", "reason": "数据比对符合"})
    ledger = f"/policies/money/local.example.specialized-award/{case.year}/act/"
    client.post(ledger, {"action": "allocate"})
    client.post(ledger, {"action": "pay"})
    case = case_of(FOOD, "local.example.specialized-award")
    assert (case.state, case.award_granted) == ("ordered", Decimal("300000.00"))
    order = case.payments.get()
    client.post(ledger, {"action": "paid", "order": order.pk, "note": "回单 7"})
    assert case_of(FOOD, "local.example.specialized-award").state == "paid"
    page = client.get(f"/policies/money/local.example.specialized-award/{case.year}/")
    assert 'id="reconciled"' in page.content.decode()
    dashboard = client.get("/policies/dashboard/").content.decode()
    assert '<b id="kpi-paid">1</b>' in dashboard
    actions = list(
        AuditEvent.objects.filter(object_type="case", object_id=str(case.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions == ["open", "confirm", "approve", "order", "settle"]


def test_application_path_through_the_pages(delivered, client):
    """申报 on the enterprise's own initiative: only the reviewer's check remains."""
    Annual.objects.update_or_create(  # last year's accounts: the award formula reads them
        enterprise_id=HIGH_TECH,
        year=timezone.localdate().year - 1,
        defaults={
            "revenue": Decimal("291000000"),
            "main_revenue": Decimal("280400000"),
            "first_unit_sale_price": Decimal("14020000"),  # the unit sold: what the award reads
        },
    )
    chips = delivered["enterprise"]
    client.force_login(chips)
    mine = client.get("/policies/mine/").content.decode()
    assert (
        "首台（套）重大技术装备推广应用奖励" in mine
    )  # may qualify: a reviewer checks the listing
    response = client.post("/policies/mine/apply/local.example.first-unit/")
    case = case_of(HIGH_TECH, "local.example.first-unit")
    assert response.url == f"/policies/cases/{case.pk}/"
    assert case.state == "draft" and case.application["enterprise"]["name"].startswith("成都芯谷")
    assert case.application["figures"]["main_revenue"] == "280400000.00"  # pre-filled
    act = f"/policies/cases/{case.pk}/act/"
    client.post(act, {"action": "save", "contact": "王芳", "phone": "028-1", "statement": "属实"})
    upload = SimpleUploadedFile("认定证书.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    client.post(f"/policies/cases/{case.pk}/attach/", {"file": upload})
    bad = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(f"/policies/cases/{case.pk}/attach/", {"file": bad}, follow=True)
    assert "不支持的附件类型" in response.content.decode()
    assert case.attachments.count() == 1
    client.post(act, {"action": "submit"})
    case.refresh_from_db()
    assert case.state == "submitted" and case.prereview["verdict"] == "undetermined"
    assert any("人工审核" in r for r in case.prereview["missing"])

    reviewer = delivered["analyst"]
    client.force_login(reviewer)
    client.post(act, {"action": "assign", "reviewer": reviewer.pk})
    page = client.get(f"/policies/cases/{case.pk}/").content.decode()
    assert 'id="declare"' in page and 'id="decide"' not in page
    client.post(act, {"action": "declare", "conflict": "no", "statement": "无利害关系"})
    client.post(act, {"action": "return", "reason": "请补充目录文件"})
    assert case_of(HIGH_TECH, "local.example.first-unit").state == "correction"
    client.force_login(chips)
    client.post(act, {"action": "submit", "statement": "已补充目录文件"})
    client.force_login(reviewer)
    client.post(act, {"action": "assign", "reviewer": reviewer.pk})
    client.post(act, {"action": "declare", "conflict": "no"})
    stale = case_of(HIGH_TECH, "local.example.first-unit").version - 1
    response = client.post(
        act, {"action": "approve", "reason": "ok", "version": stale}, follow=True
    )
    assert "已被他人处理" in response.content.decode()
    client.post(act, {"action": "reject", "reason": "目录批次不符"})
    client.force_login(chips)
    client.post(act, {"action": "object", "reason": "属于2025年第二批目录"})
    client.force_login(delivered["admin"])
    client.post(act, {"action": "uphold", "reason": "复核：批次无误"})
    case = case_of(HIGH_TECH, "local.example.first-unit")
    # the formula award once the reviewer's check is confirmed: 20% of the unit's 1402万 sale
    # price, to the 1000 yuan (not a share of revenue)
    assert (case.state, case.award_computed) == ("approved", Decimal("2804000.00"))
    page = client.get(f"/policies/cases/{case.pk}/").content.decode()
    assert "复核：批次无误" in page and "认定证书.pdf" in page


def test_parameter_change_through_the_pages(delivered, client):
    client.force_login(delivered["analyst"])
    url = "/policies/library/local.example.rd-subsidy/propose/"
    client.post(url, {"name": "rate", "value": "15%", "effective_from": "2027-01-01", "reason": ""})
    assert not ParameterChange.objects.exists()  # a reason is required
    client.post(
        url, {"name": "rate", "value": "15%", "effective_from": "2027-01-01", "reason": "加大支持"}
    )
    change = ParameterChange.objects.get()
    page = client.get("/policies/library/local.example.rd-subsidy/").content.decode()
    assert "加大支持" in page and f"/policies/changes/{change.pk}/review/" not in page
    client.post(f"/policies/changes/{change.pk}/review/", {"decision": "approve"})
    assert ParameterChange.objects.get().status == "pending"  # an analyst cannot approve
    client.force_login(delivered["admin"])
    assert (
        f"/policies/changes/{change.pk}/review/"
        in client.get(url[: -len("propose/")]).content.decode()
    )
    client.post(f"/policies/changes/{change.pk}/review/", {"decision": "approve", "note": "同意"})
    assert ParameterChange.objects.get().status == "approved"
    assert "同意" in client.get("/policies/library/local.example.rd-subsidy/").content.decode()


def test_sandbox_counts_money_and_groups(delivered, client):
    client.force_login(delivered["analyst"])
    policy = Policy.objects.get(code="local.example.specialized-award")
    response = client.post(
        "/policies/sandbox/",
        {"policy": policy.code, "as_of": timezone.localdate().isoformat(), "p_amount": "40万元"},
    )
    page = response.content.decode()
    result = response.context["result"]
    assert (result.before["eligible"], result.after["eligible"]) == (1, 1)
    assert result.award_change == Decimal("100000")
    assert [g["group"] for g in result.by_district] == ["武侯区"]
    assert 'id="sandbox-data"' in page and "10 万元" in page
    draft = (Policy.objects.get(code="local.example.rd-subsidy").source).replace(
        "id: local.example.rd-subsidy", "id: city.draft"
    )
    result = client.post(
        "/policies/sandbox/", {"draft": draft, "as_of": dt.date(2026, 6, 30).isoformat()}
    ).context["result"]
    assert result.before["eligible"] == 0 and result.policy == "city.draft"
    response = client.post("/policies/sandbox/", {"draft": "id: x\nmode: what", "as_of": ""})
    assert response.status_code == 200 and response.context["result"] is None


def test_exports_are_excel(delivered, client):
    client.force_login(delivered["analyst"])
    for kind in ["unclaimed", "near-misses", "coverage", "district", "chain", "policy"]:
        response = client.get(f"/policies/export/{kind}.xlsx")
        assert response.status_code == 200, kind
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        assert book.active.max_row >= 1
    rows = list(
        openpyxl.load_workbook(
            io.BytesIO(client.get("/policies/export/unclaimed.xlsx").content)
        ).active.iter_rows(values_only=True)
    )
    assert rows[0][0] == "统一社会信用代码"
    assert any(r[1] == "成都川味食品有限公司" and r[5] == 300000 for r in rows[1:])


def test_ledger_page_resumes_an_interrupted_payment_run(delivered, client):
    from lianzhang.policies.models import PaymentOrder, PaymentRun

    case = case_of(FOOD, "local.example.specialized-award")
    services.confirm(case.pk, delivered["food"], "62220202")
    services.approve(case.pk, delivered["analyst"], "符合")
    services.allocate(case.policy, case.year, delivered["analyst"])
    run = services.create_payment_run(case.policy, case.year, delivered["analyst"])

    def crash(_case):
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        services.execute_payment_run(run, delivered["analyst"], crash)
    client.force_login(delivered["analyst"])
    ledger = f"/policies/money/{case.policy.code}/{case.year}/"
    assert (
        "interrupted" in client.get(ledger).content.decode()
        or "已中断" in client.get(ledger).content.decode()
    )
    client.post(ledger + "act/", {"action": "pay"})
    assert PaymentRun.objects.count() == 1 and PaymentRun.objects.get().finished_at
    assert PaymentOrder.objects.filter(case=case).count() == 1


def test_the_delivery_nav_follows_what_the_user_may_reach(delivered, client):
    def nav(user):
        client.force_login(user)
        page = client.get("/policies/library/").content.decode()
        start = page.index('id="delivery-nav"')
        return page[start : page.index("</p>", start)]

    firm = nav(delivered["food"])
    assert "/policies/mine/" in firm and "/policies/money/" not in firm
    district = nav(delivered["district"])
    assert "/policies/dashboard/" in district and "/policies/money/" not in district
    analyst = nav(delivered["analyst"])
    assert "/policies/money/" in analyst and "/policies/sandbox/" in analyst
    assert "/policies/mine/" not in analyst
