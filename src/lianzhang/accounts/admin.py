"""Django admin of accounts: profiles (role, district, enterprise) and API tokens.

The admin's own user forms (django.contrib.auth) check new passwords with
``AUTH_PASSWORD_VALIDATORS``, as ``lianzhang createuser`` does.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import ApiToken, Profile

STATE_LABELS = {"active": _("usable"), "expired": _("expired"), "revoked": _("revoked")}


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "role", "district", "enterprise"]
    list_filter = ["role", "district"]
    raw_id_fields = ["enterprise"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Tokens are issued with ``lianzhang token``; here they can be reviewed and revoked."""

    list_display = ["user", "name", "created_at", "expires_at", "last_used_at", "token_state"]
    list_filter = ["revoked_at", "expires_at"]
    readonly_fields = [
        "user",
        "name",
        "digest",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("state"))
    def token_state(self, token: ApiToken) -> str:
        return str(STATE_LABELS[token.state()])

    @admin.action(description=_("Revoke the selected API tokens"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        message = ngettext("%(count)d API token revoked.", "%(count)d API tokens revoked.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)
