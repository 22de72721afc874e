"""The treasury's side of a payment: the batch file it pays from, and the bank's returns.

A payment run orders money inside the platform; the treasury (国库集中支付) or the bank
pays from a file. ``write_treasury_file`` lists a policy-year's open orders with the
payee, account, bank, amount, purpose and a business reference (``LZ00000042``);
``import_bank_returns`` reads the bank's answer file back by that reference and settles
each order as paid or returned. The returns file is checked whole before anything is
written: an unknown reference, an amount that differs from the order, an unreadable result
or a return without a reason is a row error (in Chinese and English) and nothing is
settled. Importing the same returns again changes nothing (the orders are settled with
the same answer already); a different answer for a settled order is an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction

from lianzhang.core import bounds
from lianzhang.core.errors import LianzhangError
from lianzhang.core.tables import RowError, read_records

from .. import reports
from ..models import PaymentOrder, Policy
from .audit import audit
from .payments import settle

#: The batch file's columns, in the order the treasury's import templates use them.
TREASURY_HEADERS = (
    "业务参考号",
    "收款人名称",
    "收款账号",
    "开户行",
    "金额（元）",
    "用途",
    "统一社会信用代码",
)

#: header (Chinese or English) → field, for the returns file
RETURN_HEADERS = {
    "业务参考号": "reference",
    "reference": "reference",
    "结果": "result",
    "result": "result",
    "金额（元）": "amount",
    "金额": "amount",
    "amount": "amount",
    "原因": "note",
    "备注": "note",
    "note": "note",
}
PAID_WORDS = {"成功", "已支付", "支付成功", "paid", "success", "ok"}
RETURNED_WORDS = {"退回", "失败", "已退回", "退票", "returned", "failed"}


def treasury_rows(policy: Policy, year: int) -> list[list[Any]]:
    """The open (ordered, not yet answered) orders of a policy and year, oldest first."""
    bounds.check_year(year)
    orders = (
        PaymentOrder.objects.filter(
            case__policy=policy, case__year=year, status=PaymentOrder.Status.ORDERED
        )
        .select_related("case__enterprise")
        .order_by("pk")
    )
    purpose = f"{policy.title}（{year}年度）"
    return [
        [
            o.reference,
            o.payee_name or o.case.enterprise.name,
            o.bank_account,
            o.bank_name,
            o.amount,
            purpose,
            o.case.enterprise_id,
        ]
        for o in orders
    ]


def write_treasury_file(policy: Policy, year: int, path: Path | str, user: Any) -> int:
    """Write the batch file (.xlsx or .csv); returns the number of orders in it."""
    rows = treasury_rows(policy, year)
    reports.write_table(path, "国库支付", TREASURY_HEADERS, rows)
    total = sum((r[4] for r in rows), Decimal(0))
    with transaction.atomic():
        audit(
            user,
            "treasury_export",
            policy,
            data={"year": year, "orders": len(rows), "total": str(total)},
        )
    return len(rows)


@dataclass
class BankReturns:
    filename: str
    rows_read: int = 0
    paid: int = 0
    returned: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def written(self) -> bool:
        return not self.errors and self.rows_read > 0

    def summary(self) -> str:
        if not self.written:
            return (
                f"银行回单：发现 {len(self.errors)} 处错误，未登记任何结果 / bank returns: "
                f"{len(self.errors)} errors found, nothing was recorded"
            )
        return (
            f"银行回单：读取 {self.rows_read} 行，已支付 {self.paid}，退回 {self.returned}，"
            f"此前已登记 {self.unchanged} / bank returns: {self.paid} paid, "
            f"{self.returned} returned, {self.unchanged} already recorded"
        )


def import_bank_returns(path: Path | str, user: Any) -> BankReturns:
    """Settle the orders a returns file answers; nothing is recorded on any error."""
    path = Path(path)
    report = BankReturns(path.name)
    try:
        header, rows = read_records(path)
    except LianzhangError as e:
        report.errors.append(RowError(0, "", "", e.zh, e.en))
        return report
    columns: dict[str, str] = {}
    for h in header:
        name = RETURN_HEADERS.get(h.strip()) or RETURN_HEADERS.get(h.strip().lower())
        if name:
            columns[h] = name
    if not {"reference", "result"} <= set(columns.values()):
        report.errors.append(
            RowError(0, "", "", "缺少列：业务参考号、结果", "missing columns: reference, result")
        )
        return report
    answers: list[tuple[PaymentOrder, bool, str]] = []
    seen: set[str] = set()
    for number, raw in enumerate(rows, start=2):
        report.rows_read += 1
        values = {columns[h]: v.strip() for h, v in raw.items() if h in columns}
        answer = _answer(number, values, seen, report)
        if answer is not None:
            answers.append(answer)
    if report.errors:
        return report
    with transaction.atomic():  # all or nothing
        for order, paid, note in answers:
            settle(order.pk, user, paid=paid, note=note)
            if paid:
                report.paid += 1
            else:
                report.returned += 1
    return report


def _answer(
    number: int, values: dict[str, str], seen: set[str], report: BankReturns
) -> tuple[PaymentOrder, bool, str] | None:
    def bad(column: str, zh: str, en: str) -> None:
        report.errors.append(RowError(number, column, values.get(column, ""), zh, en))

    ref = values.get("reference", "").upper()
    if ref in seen:
        bad("reference", "同一业务参考号出现两次", "the same reference appears twice")
        return None
    seen.add(ref)
    order = None
    if ref.startswith("LZ") and ref[2:].isdigit():
        order = PaymentOrder.objects.filter(pk=int(ref[2:])).first()
    if order is None:
        bad("reference", "没有该业务参考号的支付指令", "no payment order has this reference")
        return None
    result = values.get("result", "").lower()
    if result not in PAID_WORDS | RETURNED_WORDS:
        bad("result", "结果应为“成功”或“退回”", "the result is “paid” or “returned”")
        return None
    paid = result in PAID_WORDS
    note = values.get("note", "")
    if not paid and not note:
        bad("note", "退回须写明原因", "a return needs its reason")
        return None
    if values.get("amount"):
        try:
            amount = Decimal(values["amount"].replace(",", ""))
        except InvalidOperation:
            amount = None
        if amount != order.amount:
            bad(
                "amount",
                f"金额与支付指令不符（指令 {order.amount} 元）",
                f"the amount differs from the order ({order.amount} yuan)",
            )
            return None
    if order.status != PaymentOrder.Status.ORDERED:
        if (order.status == PaymentOrder.Status.PAID) == paid:
            report.unchanged += 1  # the same answer, recorded before: nothing to do
            return None
        bad("result", "该指令已登记了不同的结果", "this order was already settled otherwise")
        return None
    return order, paid, note or "银行回单"
