"""Reads of the appeals module for other pages: the section of the enterprise file (一企一档)."""

from __future__ import annotations

from typing import Any

from .models import Appeal, AppealStatus


def enterprise_section(user: Any, uscc: str) -> dict[str, Any]:
    """The enterprise's appeals as its file shows them: counts and the latest twenty."""
    appeals = Appeal.objects.visible_to(user).filter(enterprise_id=uscc)
    return {
        "appeals": list(appeals.order_by("-received_at", "-id")[:20]),
        "total": appeals.count(),
        "open": appeals.filter(status__in=(AppealStatus.OPEN, AppealStatus.ESCALATED)).count(),
        "overdue": appeals.filter(overdue=True).count(),
    }
