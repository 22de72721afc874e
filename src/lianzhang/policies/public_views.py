"""The public 公示 pages: no login. Who got how much under which policy, and a form to object.

Only the enterprise's name, the policy and the amount are shown (never an account, a payee
or a USCC); the objection form asks for a name and contact details, as 公示 notices do.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianzhang.core.errors import LianzhangError

from . import services
from .models import Publicity
from .pages import say


def publicity_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    lists = Publicity.objects.select_related("policy").order_by("-starts_on", "-pk")[:50]
    return render(request, "policies/public_list.html", {"lists": lists, "today": today})


def publicity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    publicity = Publicity.objects.select_related("policy").filter(pk=pk).first()
    if publicity is None:
        raise Http404(_("No such list."))
    today = timezone.localdate()
    entries = publicity.cases.select_related("enterprise").order_by("enterprise__name")
    context = {
        "publicity": publicity,
        "entries": entries,
        "open": today <= publicity.ends_on,  # from publication, as file_objection
    }
    return render(request, "policies/public_detail.html", context)


@require_POST
def publicity_object(request: HttpRequest, pk: int) -> HttpResponse:
    post = request.POST
    try:
        case_id = int(post.get("case", ""))
    except ValueError:
        case_id = 0
    try:
        services.file_objection(
            pk, case_id, post.get("name", ""), post.get("contact", ""), post.get("text", "")
        )
        messages.success(request, _("Your objection is recorded; the bureau will answer it."))
    except LianzhangError as exc:
        say(request, exc)
    return redirect("policies:public", pk=pk)
