"""The monthly flow indicators that growth is computed for (pure Python).

Each is a column of the values file holding one firm's flow for one month: money in yuan
(exact to the fen), electricity in kWh. Internally every value is an integer number of
hundredths of its unit (fen for money), so sums are exact and growth is an exact fraction.

``price`` says whether the figure is at current prices: without a deflator table by
industry (not built yet) every growth rate here is nominal and labelled 现价, including
工业增加值, whose published growth is real (价格缩减法, see docs/monitoring.en.md).

>>> indicator("value_added").zh
'工业增加值'
>>> indicator("electricity_kwh").unit
'千瓦时'
"""

from __future__ import annotations

from dataclasses import dataclass

from lianzhang.core.errors import ValidationError

#: Values are held as integer hundredths of the unit (fen for yuan).
SCALE = 100


@dataclass(frozen=True)
class Indicator:
    code: str
    zh: str
    en: str
    #: the unit of the values file's column
    unit: str
    #: money (yuan, shown with two decimals) or a physical quantity
    money: bool
    #: where the figure comes from (口径)
    source: str
    #: 现价 (nominal) until a deflator table exists
    price: str = "现价"
    #: a value may be below zero (profits)
    signed: bool = False


INDICATORS: tuple[Indicator, ...] = (
    Indicator("output_value", "工业总产值", "gross industrial output", "元", True, "统计局"),
    Indicator("value_added", "工业增加值", "industrial value added", "元", True, "统计局",
              signed=True),
    Indicator("revenue", "营业收入", "revenue", "元", True, "统计局"),
    Indicator("main_revenue", "主营业务收入", "main business revenue", "元", True, "统计局"),
    Indicator("total_profit", "利润总额", "total profit", "元", True, "统计局", signed=True),
    Indicator("electricity_kwh", "工业用电量", "industrial electricity", "千瓦时", False, "电力"),
    Indicator("tax_paid", "工业税收", "industrial tax", "元", True, "税务"),
    Indicator("investment", "工业投资", "industrial investment", "元", True, "统计局"),
    Indicator("renovation_investment", "技改投资", "technical renovation investment", "元", True,
              "统计局"),
)  # fmt: skip
BY_CODE = {i.code: i for i in INDICATORS}


def indicator(code: str) -> Indicator:
    """The indicator named ``code``; an unknown name is refused with the list of names."""
    try:
        return BY_CODE[code]
    except KeyError:
        names = ", ".join(BY_CODE)
        raise ValidationError(
            f"未知指标：{code!r}（可选：{names}）", f"unknown indicator: {code!r} ({names})"
        ) from None
