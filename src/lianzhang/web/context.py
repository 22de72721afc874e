"""Template context for every page: who is logged in and what the navigation may offer."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from lianzhang.accounts import access


def navigation(request: HttpRequest) -> dict[str, Any]:
    label = access.role_label(request.user)
    if label is None:
        return {}
    profile = getattr(request.user, "profile", None)
    return {
        "role_label": label,
        "user_district": profile.district if profile is not None else "",
        "can_import": access.can(request.user, "import"),
        "can_audit": access.is_bureau(request.user),
        "can_cultivate": access.is_bureau(request.user) or access.is_district(request.user),
    }
