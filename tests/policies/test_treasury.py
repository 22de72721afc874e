"""Payment through the treasury: the payee must be the registered name, the batch file
carries each open order, and the bank's returns settle them all or not at all (issue 11)."""

from decimal import Decimal

import openpyxl
import pytest

from lianzhang.policies import services
from lianzhang.policies.models import AuditEvent, Case, PaymentOrder

from .conftest import make_matches, make_policy

pytestmark = pytest.mark.django_db


def _ordered(city, people, payees):
    """One approved, funded and ordered case per payee (None: the registered name)."""
    policy = make_policy("city.award", "automatic")
    matches = make_matches(policy, city[: len(payees)], ["100000.50"] * len(payees))
    cases = services.open_cases(matches, 2026)
    firms = {c.enterprise_id: c for c in cases}
    from lianzhang.accounts.services import create_user

    for i, (case, payee) in enumerate(zip(cases, payees, strict=True)):
        user = create_user(f"f{i}", "pw-123456", "enterprise", uscc=case.enterprise_id)
        name = payee if payee is not None else ""
        services.confirm(case.pk, user, "62220202020202" + f"{i:02d}", name, "工商银行成都高新支行")
        services.approve(case.pk, people["analyst"])
    services.allocate(policy, 2026, people["analyst"])
    run = services.create_payment_run(policy, 2026, people["analyst"])
    services.execute_payment_run(run, people["analyst"])
    return policy, firms


def test_a_payee_other_than_the_registered_name_is_held_until_an_exception_is_recorded(
    city, people
):
    policy, _ = _ordered(city, people, [None, "成都测试1（有限公司）", "张三"])
    states = dict(Case.objects.values_list("enterprise__name", "state"))
    # the registered name, also written with full-width brackets or spaces, is paid
    assert states["成都测试0有限公司"] == "ordered"
    assert states["成都测试2有限公司"] == "held"
    held = Case.objects.get(enterprise__name="成都测试2有限公司")
    reason = AuditEvent.objects.filter(action="hold", object_id=str(held.pk)).get().reason
    assert "张三" in reason and "成都测试2有限公司" in reason and "payee" in reason
    assert PaymentOrder.objects.filter(case=held).count() == 0
    services.release(held.pk, people["analyst"], "企业更名，附更名通知书", payee_exception=True)
    services.assign(held.pk, people["analyst"], people["reviewer"])
    services.declare(held.pk, people["reviewer"], conflict=False)
    services.decide(held.pk, people["reviewer"], "approve", "ok")
    services.allocate(policy, 2026, people["analyst"])
    run = services.create_payment_run(policy, 2026, people["analyst"])
    assert services.execute_payment_run(run, people["analyst"]) == 1
    assert PaymentOrder.objects.get(case=held).payee_name == "张三"


def test_the_treasury_file_lists_open_orders_with_reference_payee_and_exact_amount(
    city, people, tmp_path
):
    policy, _ = _ordered(city, people, [None, None])
    path = tmp_path / "t.xlsx"
    assert services.write_treasury_file(policy, 2026, path, people["analyst"]) == 2
    rows = list(openpyxl.load_workbook(path).active.values)
    assert rows[0][:5] == ("业务参考号", "收款人名称", "收款账号", "开户行", "金额（元）")
    first = PaymentOrder.objects.order_by("pk").first()
    assert rows[1][0] == first.reference and rows[1][1] == "成都测试0有限公司"
    assert rows[1][3] == "工商银行成都高新支行" and Decimal(str(rows[1][4])) == Decimal("100000.50")
    assert "（2026年度）" in rows[1][5]
    event = AuditEvent.objects.get(action="treasury_export")
    assert event.data["orders"] == 2 and event.data["total"] == "200001.00"


def _returns(tmp_path, lines, name="r.csv"):
    path = tmp_path / name
    path.write_text("业务参考号,结果,金额（元）,原因\n" + "".join(lines), encoding="utf-8")
    return path


def test_bank_returns_settle_every_order_or_none(city, people, tmp_path):
    policy, _ = _ordered(city, people, [None, None, None])
    a, b, c = PaymentOrder.objects.order_by("pk")
    bad = _returns(
        tmp_path,
        [
            f"{a.reference},成功,100000.50,\n",
            f"{b.reference},退回,100000.50,\n",  # no reason
            f"{c.reference},成功,100000.00,\n",  # amount differs
            "LZ99999999,成功,1,\n",  # unknown
            f"{a.reference},成功,100000.50,\n",  # twice
        ],
    )
    report = services.import_bank_returns(bad, people["analyst"])
    assert not report.written
    assert {(e.row, e.column) for e in report.errors} == {
        (3, "note"),
        (4, "amount"),
        (5, "reference"),
        (6, "reference"),
    }
    assert set(PaymentOrder.objects.values_list("status", flat=True)) == {"ordered"}
    good = _returns(
        tmp_path,
        [
            f'{a.reference.lower()},成功,"100,000.50",\n',
            f"{b.reference},退回,100000.50,账户已销户\n",
            f"{c.reference},paid,,\n",
        ],
    )
    report = services.import_bank_returns(good, people["analyst"])
    assert (report.written, report.paid, report.returned) == (True, 2, 1)
    assert Case.objects.get(pk=b.case_id).state == "payment_returned"
    again = services.import_bank_returns(good, people["analyst"])
    assert (again.written, again.paid, again.unchanged) == (True, 0, 3)
    flipped = _returns(tmp_path, [f"{b.reference},成功,,\n"], name="f.csv")
    assert not services.import_bank_returns(flipped, people["analyst"]).written
    ledger = services.reconcile(policy, 2026)
    assert ledger.paid == Decimal("200001.00") and ledger.problems == []


def test_treasury_and_returns_from_the_command_line(city, people, tmp_path):
    from click.testing import CliRunner

    from lianzhang.cli.main import cli

    policy, _ = _ordered(city, people, [None])
    out = tmp_path / "t.csv"
    result = CliRunner().invoke(
        cli, ["delivery", "treasury-export", policy.code, "--year", "2026", str(out)]
    )
    assert result.exit_code == 0 and "1 payments written" in result.output
    assert "成都测试0有限公司" in out.read_text("utf-8-sig")
    order = PaymentOrder.objects.get()
    ok = _returns(tmp_path, [f"{order.reference},成功,100000.50,\n"])
    result = CliRunner().invoke(cli, ["delivery", "bank-returns", str(ok)])
    assert result.exit_code == 0 and "已支付 1" in result.output
    bad = _returns(tmp_path, ["LZ99999999,成功,,\n"], name="b.csv")
    result = CliRunner().invoke(cli, ["delivery", "bank-returns", str(bad)])
    assert result.exit_code == 1 and "没有该业务参考号" in result.output
