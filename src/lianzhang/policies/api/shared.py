"""What the delivery API's modules share: finding a policy and a visible case, the year."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Schema

from lianzhang.core.errors import NotFound, PermissionDenied
from lianzhang.web.bounded import Year

from ..models import Case, Policy


class YearIn(Schema):
    year: Year


def _policy(code: str) -> Policy:
    found = Policy.objects.filter(code=code).first()
    if found is None:
        raise NotFound(f"没有政策 {code}", f"no policy {code}")
    return found


def _visible_case(request: HttpRequest, case_id: int) -> Case:
    found: Case | None = (
        Case.objects.visible_to(request.user).select_related("policy").filter(pk=case_id).first()
    )
    if found is None:
        raise PermissionDenied(
            f"无权访问事项 {case_id}（或不存在）",
            f"case {case_id} is not accessible to you (or does not exist)",
        )
    return found
