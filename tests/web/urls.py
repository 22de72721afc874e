"""The platform's URLs plus pages that refuse on purpose, for the refusal tests."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path

from lianzhang.core import errors
from lianzhang.web.urls import handler403, handler404, urlpatterns  # noqa: F401

REFUSALS = {
    "conflict": errors.Conflict("该事项已被他人处理", "someone else handled this case first"),
    "invalid": errors.ValidationError("金额必须为正数", "the amount must be positive"),
    "missing": errors.NotFound("没有这项政策", "no such policy"),
    "denied": errors.PermissionDenied(
        "只有局内人员可以执行此操作", "only bureau staff may do this"
    ),
    "django-denied": PermissionDenied(),
    "django-missing": Http404("No thing matches the given query."),
    "failure": RuntimeError("a real bug"),
}


def refuse(request, kind):
    raise REFUSALS[kind]


urlpatterns = [*urlpatterns, path("refuse/<str:kind>/", refuse, name="refuse")]
