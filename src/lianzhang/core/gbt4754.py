"""GB/T 4754-2017 国民经济行业分类, shipped as package data (国家统计局 / GB/T 4754-2017).

>>> industry("3985").name
'电子专用材料制造'
>>> industry("3985").path()
['C', '39', '398', '3985']
>>> is_industrial("3985"), is_industrial("6513")
(True, False)
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .errors import ValidationError

#: 门类 counted as industry (工业) by NBS: mining, manufacturing, utilities.
INDUSTRIAL_SECTIONS = frozenset({"B", "C", "D"})


@dataclass(frozen=True)
class Industry:
    code: str
    name: str
    level: int
    parent: str
    section: str

    def path(self) -> list[str]:
        """Codes from the 门类 down to this code."""
        out = [self.code]
        node = self
        while node.parent:
            node = table()[node.parent]
            out.append(node.code)
        return out[::-1]


@cache
def table() -> dict[str, Industry]:
    text = resources.files("lianzhang.core").joinpath("data/gbt4754_2017.csv").read_text("utf-8")
    rows = csv.DictReader(text.splitlines())
    return {
        r["code"]: Industry(r["code"], r["name"], int(r["level"]), r["parent"], r["section"])
        for r in rows
    }


def industry(code: str) -> Industry:
    try:
        return table()[code]
    except KeyError:
        raise ValidationError(
            f"行业代码 {code!r} 不在 GB/T 4754-2017 中",
            f"industry code {code!r} is not in GB/T 4754-2017",
        ) from None


def validate_class(code: str) -> str:
    """A 4-digit 小类 code, or ValidationError saying what to write instead."""
    code = code.strip()
    if code.isdigit() and len(code) == 3 and ("0" + code) in table():
        code = "0" + code  # Excel drops the leading zero of 0111
    found = table().get(code)
    if found is None:
        raise ValidationError(
            f"行业代码 {code!r} 不在 GB/T 4754-2017 中（应为 4 位小类代码，如 3985）",
            f"industry code {code!r} is not in GB/T 4754-2017 (write a 4-digit class, e.g. 3985)",
        )
    if found.level != 4:
        raise ValidationError(
            f"行业代码 {code!r}（{found.name}）是{('门类', '大类', '中类')[found.level - 1]}，"
            "应填写 4 位小类代码",
            f"industry code {code!r} ({found.name}) is not a 4-digit class; write its class",
        )
    return code


def name(code: str) -> str:
    found = table().get(code)
    return found.name if found else ""


def is_industrial(code: str) -> bool:
    found = table().get(code)
    return found is not None and found.section in INDUSTRIAL_SECTIONS


def classes() -> list[Industry]:
    return [i for i in table().values() if i.level == 4]
