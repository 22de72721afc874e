"""统一社会信用代码 (USCC) per GB 32100-2015.

Eighteen characters: registration authority (1), organisation type (1), division code (6),
organisation code body (9) and one check character. The alphabet omits I, O, Z, S, V.

>>> check_character("91350100M000100Y4")
'3'
>>> validate(" 91350100m000100y43 ")
'91350100M000100Y43'
>>> problem("91350100M000100Y4A")
'校验位应为 3，实为 A / check character should be 3, found A'
"""

from __future__ import annotations

from .errors import ValidationError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
VALUE = {c: i for i, c in enumerate(ALPHABET)}


def check_character(body: str) -> str:
    """The check character for the first 17 characters."""
    if len(body) != 17:
        raise ValueError("body must have 17 characters")
    total = sum(VALUE[c] * w for c, w in zip(body, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """What is wrong with ``code`` (Chinese / English), or None when it is valid."""
    if len(code) != 18:
        return f"应为 18 位，实为 {len(code)} 位 / must have 18 characters, found {len(code)}"
    for pos, c in enumerate(code, start=1):
        if c not in VALUE:
            hint = "（不使用 I、O、Z、S、V）" if c.isalpha() and c.isupper() else ""
            return (
                f"第 {pos} 位字符 {c!r} 不合法{hint} / character {pos} {c!r} is not allowed"
                " (digits and upper-case letters except I, O, Z, S, V)"
            )
    expected = check_character(code[:17])
    if code[17] != expected:
        return (
            f"校验位应为 {expected}，实为 {code[17]} / "
            f"check character should be {expected}, found {code[17]}"
        )
    return None


def normalise(code: str) -> str:
    """Strip blanks and upper-case; the contract stores USCCs upper-case."""
    return code.strip().replace(" ", "").upper()


def validate(code: str) -> str:
    """Return the normalised code or raise ValidationError saying which character is wrong."""
    norm = normalise(code)
    why = problem(norm)
    if why is not None:
        zh, _, en = why.partition(" / ")
        raise ValidationError(f"统一社会信用代码 {norm} {zh}", f"USCC {norm}: {en}")
    return norm


def make(body: str) -> str:
    """Complete a 17-character body with its check character (used by the demo generator)."""
    return body + check_character(body)
