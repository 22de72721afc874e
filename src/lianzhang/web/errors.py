"""Platform errors as HTTP answers, in one place for the API and the pages.

``status_for`` maps the error classes of ``core.errors`` to status codes; the API site's
exception handler and ``RefusalMiddleware`` (pages) both use it, the web twin of what the
CLI does with the same errors. A refused request is logged as one line, never a traceback:
refusals are the platform working, not failing.
"""

from __future__ import annotations

import logging

from ninja import Schema

from lianzhang.core.errors import (
    Conflict,
    LianzhangError,
    NotFound,
    PermissionDenied,
    ValidationError,
)

log = logging.getLogger("lianzhang.refused")

STATUS: dict[type[LianzhangError], int] = {
    PermissionDenied: 403,
    NotFound: 404,
    Conflict: 409,
    ValidationError: 400,
}


def status_for(exc: LianzhangError) -> int:
    """The HTTP status of a platform error (400 for any kind without its own)."""
    return next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)


class Error(Schema):
    """The one error body of the API: the message in Chinese and in English."""

    error_zh: str
    error_en: str
