"""One base error for the whole platform.

Every error says what is wrong, where, and how to fix it, in Chinese and English.
The CLI and the web turn these into one clear line or message in one place.
"""

from __future__ import annotations


class LianzhangError(Exception):
    """Base of every error the platform raises on purpose."""

    def __init__(self, zh: str, en: str | None = None) -> None:
        self.zh = zh
        self.en = en or zh
        super().__init__(f"{zh} / {self.en}" if en else zh)


class ValidationError(LianzhangError):
    """A value does not meet the data contract."""


class NotFound(LianzhangError):
    """A named thing does not exist."""


class PermissionDenied(LianzhangError):
    """The user may not see or change this."""


class Conflict(LianzhangError):
    """Someone else changed the thing first, or the action does not fit its current state."""
