import datetime as dt
from decimal import Decimal

import pytest

from lianzhang.enterprises.models import Annual
from lianzhang.policies import matching, queries, services
from lianzhang.policies.models import Case, Policy

from .conftest import USCCS, make_matches, make_policy

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 30)


def test_my_policies_explain_in_plain_chinese(city):
    Annual.objects.create(enterprise_id=USCCS[0], year=2025, main_revenue=Decimal("19999999.99"))
    Annual.objects.create(enterprise_id=USCCS[1], year=2025, main_revenue=Decimal("30000000"))
    matching.sync_library()
    Policy.objects.exclude(code="cn.nbs.above-scale-industrial").update(active=False)
    [near] = queries.my_policies(USCCS[0], AS_OF)
    assert near.category == "near" and near.verdict == "ineligible"
    assert any("低于 2000 万元，差 0.01 元" in r for r in near.reasons), near.reasons
    [ok] = queries.my_policies(USCCS[1], AS_OF)
    assert ok.category == "eligible"
    # a qualifying policy says why it qualifies, not what it did not need
    assert ok.reasons and not any("不满足" in r or "低于" in r for r in ok.reasons), ok.reasons
    assert any("达到 2000 万元" in r for r in ok.reasons), ok.reasons
    assert queries.my_policies(USCCS[2], AS_OF)[0].category == "undetermined"


def test_a_ceiling_met_reads_not_above():
    staff = {"label": "职工人数", "passed": True, "value": 61.0, "threshold": 1000.0}
    assert queries.reason({**staff, "margin": 939.0, "unit": ""}) == "职工人数：61，不超过 1000"
    floor = {"label": "研发人员", "passed": True, "value": 30.0, "threshold": 10.0}
    assert queries.reason({**floor, "margin": 20.0, "unit": ""}) == "研发人员：30，达到 10"
    short = {"label": "研发人员", "passed": False, "value": 3.0, "threshold": 10.0}
    assert queries.reason({**short, "margin": -7.0, "unit": ""}) == "研发人员：3，低于 10，差 7"


def test_entitled_not_received_says_why(city, people):
    policy = make_policy("city.x", "automatic", budget="100")
    matches = make_matches(policy, list(city[:3]), ["100", "100", "100"], ["3", "2", "1"])
    run = matches[0].run
    run.finished_at = run.started_at
    run.save()
    cases = services.open_cases(matches[:2], 2026)
    services.confirm(cases[0].pk, people["firm"], "62220202")
    # the second enterprise's own login is not what this test is about
    Case.objects.filter(pk=cases[1].pk).update(state="confirmed", bank_account="62220202")
    for case in cases:
        services.approve(case.pk, people["analyst"])
    services.allocate(policy, 2026, people["analyst"])  # budget for one of the two
    services.execute_payment_run(
        services.create_payment_run(policy, 2026, people["analyst"]), people["analyst"]
    )
    listed = {row["uscc"]: row["reason"] for row in queries.entitled_not_received(run)}
    assert listed[USCCS[0]].startswith("已下达支付指令")
    assert listed[USCCS[1]] == "预算不足，未获分配"
    assert listed[USCCS[2]].startswith("尚未生成享受事项")
    [row] = queries.coverage(2026)
    assert (row["cases"], row["approved"], row["paid"]) == (2, 2, 0)
    by_district = {g["group"]: g for g in queries.amounts_by(2026, "district")}
    assert by_district["成都高新区"]["granted"] == Decimal("100")


def test_the_same_wording_on_the_my_policies_page() -> None:
    """reason() shows a count with its unit and money in one unit, as ``explain`` (issue 10)."""
    reason = queries.reason
    staff = {"label": "研发人员", "passed": False, "value": 19.0, "threshold": 20.0}
    assert reason({**staff, "margin": -1.0, "unit": "", "measure": "人"}) == (
        "研发人员：19 人，低于 20 人，差 1 人"
    )
    money = {"label": "营业收入", "passed": True, "value": 257521563.32, "threshold": 2e7}
    assert reason({**money, "margin": 237521563.32, "unit": "yuan", "measure": ""}) == (
        "营业收入：25752.156332 万元，达到 2000 万元"
    )
