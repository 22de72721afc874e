"""政策兑现 with its safeguards in a real browser (issue 11): the enterprise confirms; two
departments sign off (联审) in their task queues; the bureau approves and publishes the
list (公示); a citizen objects on the public page without logging in and the bureau
answers; once the list has run out the bureau orders payment, downloads the treasury
file and uploads the bank's return; then the award is revoked (追回).

Headless system Chromium through Playwright against the live server.
"""

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from lianzhang.accounts.services import create_user
from lianzhang.appeals.models import Department, Handler
from lianzhang.policies import services
from lianzhang.policies.models import Case, Objection, PaymentOrder, Publicity, Recovery
from tests.conftest import needs_chromium

from .conftest import make_matches, make_policy

pytestmark = [pytest.mark.browser, needs_chromium]
PASSWORD = "pw-123456"


def login(browser, base, username):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}/login/?next=/policies/library/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_selector("#delivery-nav")
    return page


def test_joint_review_publicity_treasury_and_clawback(
    transactional_db, live_server, browser, tmp_path
):
    from lianzhang.enterprises.models import Enterprise

    from .conftest import USCCS

    firm = Enterprise.objects.create(
        uscc=USCCS[0], name="成都联审测试有限公司", district="成都高新区"
    )
    admin = create_user("boss", PASSWORD, "admin")
    create_user("ana", PASSWORD, "analyst")
    create_user("firm", PASSWORD, "enterprise", uscc=firm.pk)
    for code, name in (("jr-tax", "市税务局"), ("jr-market", "市市场监督管理局")):
        department = Department.objects.create(code=code, name=name, level="city")
        Handler.objects.create(
            user=create_user(f"u-{code}", PASSWORD, "department"), department=department
        )
    policy = make_policy("city.award", "automatic")
    wanted = [{"department": "jr-tax", "fields": ["tax_paid"]}, {"department": "jr-market"}]
    services.set_joint_review(policy, wanted, 5, admin, "须联审")
    services.set_publicity_days(policy, 1, admin, "公示 1 个工作日")
    [match] = make_matches(policy, [firm], ["120000"])
    [case] = services.open_cases([match], 2026)
    base = live_server.url

    enterprise = login(browser, base, "firm")
    enterprise.goto(f"{base}/policies/cases/{case.pk}/")
    enterprise.fill("input[name=bank_account]", "6222 0210 0123 4567")
    enterprise.click("button[value=confirm]")
    enterprise.wait_for_selector("#case-state[data-state=confirmed]")

    bureau = login(browser, base, "ana")
    bureau.goto(f"{base}/policies/cases/{case.pk}/")
    assert bureau.locator("#case-tasks li").count() == 2  # both departments asked at once
    bureau.fill("#decide textarea[name=reason]", "数据比对符合")
    bureau.click("#decide button[value=approve]")
    bureau.wait_for_selector(".flash.error")  # not before the departments signed off
    for code in ("jr-tax", "jr-market"):
        department = login(browser, base, f"u-{code}")
        department.goto(f"{base}/policies/tasks/")
        assert department.locator("#tasks tbody tr").count() == 1  # only its own task
        department.click("#tasks button[value=pass]")
        department.wait_for_selector(".flash.success")
    bureau.goto(f"{base}/policies/cases/{case.pk}/")
    bureau.fill("#decide textarea[name=reason]", "联审通过，数据比对符合")
    bureau.click("#decide button[value=approve]")
    bureau.wait_for_selector("#case-state[data-state=approved]")

    ledger = f"{base}/policies/money/{policy.code}/2026/"
    bureau.goto(ledger)
    bureau.click("#allocate")
    bureau.wait_for_selector(".flash.success")
    bureau.click("#publicize")
    bureau.wait_for_selector(".flash.success")
    listed = Publicity.objects.get()

    public = browser.new_context().new_page()  # anyone, no login
    public.goto(f"{base}/policies/publicity/{listed.pk}/")
    assert "成都联审测试有限公司" in public.content() and "6222" not in public.content()
    public.fill("#object input[name=name]", "王先生")
    public.fill("#object input[name=contact]", "13800000000")
    public.fill("#object textarea[name=text]", "该企业去年已停产")
    public.click("#object button.primary")
    public.wait_for_selector(".flash.success")
    assert Objection.objects.filter(resolved_at=None).count() == 1

    bureau.goto(ledger)
    bureau.fill("#publicity .objection input[name=reason]", "经现场核实，企业在产")
    bureau.click("#publicity button[value=dismiss_objection]")
    bureau.wait_for_selector(".flash.success")
    # the list runs out (a working day later)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Publicity.objects.update(starts_on=yesterday, ends_on=yesterday)

    bureau.goto(ledger)
    bureau.click("#pay")
    bureau.wait_for_selector(".flash.success")
    order = PaymentOrder.objects.get(case=case)
    with bureau.expect_download() as download:
        bureau.click("#treasury a.button")
    batch = tmp_path / "treasury.xlsx"
    download.value.save_as(batch)
    sheet = openpyxl.load_workbook(batch).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == order.reference and rows[1][1] == "成都联审测试有限公司"
    returns = tmp_path / "returns.csv"
    returns.write_text(
        f"业务参考号,结果,金额,原因\n{order.reference},成功,{rows[1][4]},\n", "utf-8"
    )
    bureau.set_input_files("#treasury input[type=file]", str(returns))
    bureau.click("#treasury form button")
    bureau.wait_for_selector(".flash.success")
    case.refresh_from_db()
    assert case.state == "paid"

    bureau.goto(f"{base}/policies/cases/{case.pk}/")
    bureau.fill("#revoke-form textarea[name=reason]", "核查发现研发费用数据不实")
    bureau.click("#revoke-form button")
    bureau.wait_for_selector("#case-state[data-state=revoked]")
    recovery = Recovery.objects.get(case=case)
    assert recovery.amount == Decimal("120000")
    bureau.goto(ledger)
    assert "核查发现研发费用数据不实" in bureau.locator("#recoveries").inner_text()
    assert bureau.locator("#reconciled").count() == 1  # the ledger still adds up
    enterprise.goto(f"{base}/policies/cases/{case.pk}/")
    assert "核查发现研发费用数据不实" in enterprise.content()
    assert Case.objects.get(pk=case.pk).state == "revoked"
