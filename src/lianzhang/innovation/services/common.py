"""What every innovation use case shares: the audit ``Event`` each change leaves (appended to
its hash chain by ``lianzhang.audit``), the bureau
check, and the parsing of input fields (money exact to the fen, TRL 1–9, GB/T 4754 classes,
choices, ISO dates, required text) into values or bilingual ``ValidationError``s.

Private to the ``services`` package: its submodules import these helpers directly.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from lianzhang.accounts.access import is_bureau
from lianzhang.audit.chain import append
from lianzhang.core import gbt4754
from lianzhang.core.errors import PermissionDenied, ValidationError
from lianzhang.core.money import FEN

from ..models import Event


def _event(
    kind: str, obj: Any, action: str, by: Any, frm: str = "", to: str = "", why: str = ""
) -> None:
    append(
        Event,
        kind=kind,
        object_id=obj.pk,
        action=action,
        from_state=frm,
        to_state=to,
        by=by if getattr(by, "pk", None) else None,
        reason=why,
    )


def _require_bureau(user: Any) -> None:
    if not is_bureau(user):
        raise PermissionDenied(
            "只有经信局管理员或分析师可以执行此操作",
            "only bureau administrators and analysts may do this",
        )


def _money(value: Any, what_zh: str, what_en: str, *, allow_none: bool = True) -> Decimal | None:
    if value is None or value == "":
        if allow_none:
            return None
        raise ValidationError(f"{what_zh}必须填写", f"{what_en} is required")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except ArithmeticError:
        raise ValidationError(
            f"{what_zh}不是金额：{value}", f"{what_en} is not an amount: {value}"
        ) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError(
            f"{what_zh}必须是非负金额：{value}", f"{what_en} must be a non-negative amount"
        )
    if amount != amount.quantize(FEN):
        raise ValidationError(
            f"{what_zh}最多精确到分：{value}", f"{what_en} is exact to the fen: {value}"
        )
    return amount.quantize(FEN)


def _trl(value: Any, field: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        trl = int(value)
    except (TypeError, ValueError):
        trl = 0
    if not 1 <= trl <= 9 or str(value).strip() not in (str(trl), f"{trl}.0"):
        raise ValidationError(
            f"{field}应为 1–9 的技术成熟度等级（TRL），而不是 {value}",
            f"{field} must be a technology readiness level 1–9, not {value}",
        )
    return trl


def _industry(code: str) -> str:
    return gbt4754.validate_class(code) if code else ""


def _choice(value: Any, choices: Any, zh: str, en: str, default: str | None = None) -> str:
    value = value or default
    if value not in choices.values:
        raise ValidationError(
            f"{zh}无效：{value}（可选：{'、'.join(choices.values)}）",
            f"invalid {en}: {value} (one of {', '.join(choices.values)})",
        )
    return str(value)


def _date(value: Any, zh: str, en: str, *, required: bool = False) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise ValidationError(f"{zh}必须填写", f"{en} is required")
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(
            f"{zh}不是日期（YYYY-MM-DD）：{value}", f"{en} is not a date (YYYY-MM-DD): {value}"
        ) from None


def _text(value: str, zh: str, en: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(f"{zh}不能为空", f"{en} must not be empty")
    return value
