"""Both delivery paths in a real browser on the demo city, to a payment and the dashboard.

Headless Chromium from the system through Playwright, against pytest-django's live
server. 免申即享: the enterprise confirms, the bureau approves, allocates, orders and
records the bank's answer. 申报: the enterprise applies from "my policies" with an
attachment, a reviewer is assigned, declares no conflict and approves, the bureau pays.
Deselect with ``-m "not browser"``.
"""

from decimal import Decimal

import pytest
from django.utils import timezone

from lianzhang.accounts.services import create_user
from lianzhang.enterprises.models import Annual
from lianzhang.policies.models import Case, Match, PaymentOrder
from tests.conftest import needs_chromium

from .conftest import load_demo_city

DEMO_PASSWORDS = {"qiye": "lianzhang-enterprise", "analyst": "lianzhang-analyst"}

pytestmark = [pytest.mark.browser, needs_chromium]


def login(browser, base, username, password):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}/login/?next=/policies/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button.primary")
    page.wait_for_selector("#delivery-nav")
    return page


def pay(page, base, case):
    """The bureau's money steps on the ledger page: allocate, order, the bank says paid."""
    page.goto(f"{base}/policies/money/{case.policy.code}/{case.year}/")
    page.click("#allocate")
    page.wait_for_selector(".flash.success")
    page.click("#pay")
    page.wait_for_selector(".flash.success")
    order = PaymentOrder.objects.get(case=case, status="ordered")
    row = page.locator("#orders tr", has=page.locator(f"input[name=order][value='{order.pk}']"))
    row.locator("button[value=paid]").click()
    page.wait_for_selector(".flash.success")
    assert page.locator("#reconciled").count() == 1  # the ledger still adds up


def test_both_delivery_paths_to_payment(transactional_db, live_server, browser, tmp_path):
    load_demo_city(size=200)
    base = live_server.url
    # --- 免申即享: the demo leaves qiye's first money case for qiye to confirm
    own = (
        Case.objects.filter(
            enterprise__users__user__username="qiye", state="eligible", award_computed__gt=0
        )
        .select_related("policy")
        .order_by("policy__code")
        .first()
    )
    assert own is not None, "the demo should leave qiye a case to confirm"
    firm = login(browser, base, "qiye", DEMO_PASSWORDS["qiye"])
    assert "/policies/mine/" in firm.url
    assert firm.locator("#group-eligible .reason").count() > 0  # reasons in plain Chinese
    firm.click(f"#group-eligible a.case-link[href='/policies/cases/{own.pk}/']")
    firm.fill("input[name=bank_account]", "6222 0210 0123 4567")
    firm.click("button[value=confirm]")
    firm.wait_for_selector("#case-state[data-state=confirmed]")

    bureau = login(browser, base, "analyst", DEMO_PASSWORDS["analyst"])
    bureau.goto(f"{base}/policies/cases/{own.pk}/")
    bureau.fill("#decide textarea[name=reason]", "数据比对符合，同意兑现")
    bureau.click("#decide button[value=approve]")
    bureau.wait_for_selector("#case-state[data-state=approved]")
    pay(bureau, base, own)
    own.refresh_from_db()
    assert own.state == "paid"
    firm.goto(f"{base}/policies/cases/{own.pk}/")
    assert firm.locator("#case-state").get_attribute("data-state") == "paid"

    # --- 申报: an enterprise that may qualify (a reviewer checks the 首台套 listing) applies
    taken = Case.objects.filter(policy__code="local.example.first-unit").values("enterprise_id")
    match = (
        Match.objects.filter(policy__code="local.example.first-unit", verdict="undetermined")
        .exclude(enterprise_id__in=taken)
        .order_by("enterprise_id")
        .first()
    )
    # the unit's sale price on record: the 首台套 award is a share of it (issue 10)
    Annual.objects.update_or_create(
        enterprise_id=match.enterprise_id,
        year=timezone.localdate().year - 1,
        defaults={"first_unit_sale_price": Decimal("5000000")},
    )
    create_user("shenbao", "pw-browser-1", "enterprise", uscc=match.enterprise_id)
    applicant = login(browser, base, "shenbao", "pw-browser-1")
    applicant.click("[data-policy='local.example.first-unit'] button.apply")
    applicant.wait_for_selector("#application-form")
    applicant.fill("input[name=contact]", "王芳")
    applicant.fill("input[name=phone]", "028-8765 4321")
    applicant.fill("input[name=bank_account]", "6222 0210 0123 4999")
    certificate = tmp_path / "首台套认定证书.pdf"
    certificate.write_bytes(b"%PDF-1.4 certificate")
    applicant.set_input_files("input[type=file]", str(certificate))
    applicant.click("form[enctype] button")
    applicant.wait_for_selector("#attachments")
    applicant.click("button[value=submit]")
    applicant.wait_for_selector("#case-state[data-state=submitted]")
    assert applicant.locator("#prereview li").count() >= 2  # the rules' explanation
    case = Case.objects.get(enterprise_id=match.enterprise_id, policy__code=match.policy.code)

    bureau.goto(f"{base}/policies/cases/{case.pk}/")
    bureau.click("#assign button[value=assign]")  # the analyst takes it
    bureau.wait_for_selector("#declare")
    bureau.click("#declare button[value=declare]")  # no conflict of interest
    bureau.fill("#decide textarea[name=reason]", "已核验首台（套）目录，材料齐全")
    bureau.click("#decide button[value=approve]")
    bureau.wait_for_selector("#case-state[data-state=approved]")
    case.refresh_from_db()
    assert case.award_computed and case.award_computed > 0  # the formula, once confirmed
    pay(bureau, base, case)
    case.refresh_from_db()
    assert case.state == "paid"

    # --- the bureau dashboard shows both payments
    bureau.goto(f"{base}/policies/dashboard/")
    bureau.wait_for_selector("#coverage-chart canvas")
    paid = int(bureau.locator("#kpi-paid").inner_text())
    # the dashboard shows the budget year (the demo also paid a 2024 round)
    assert paid == Case.objects.filter(state="paid", year=case.year).count() >= 2
    row = bureau.locator("#coverage tr", has_text=case.policy.title)
    assert row.locator("td").nth(6).inner_text() != "0"
