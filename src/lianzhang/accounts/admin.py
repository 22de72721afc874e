"""Django admin of accounts: profiles (role, district, enterprise) and API tokens."""

from __future__ import annotations

from django.contrib import admin

from .models import ApiToken, Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "role", "district", "enterprise"]
    list_filter = ["role", "district"]
    raw_id_fields = ["enterprise"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Tokens are issued with ``lianzhang token``; here they can be reviewed and revoked."""

    list_display = ["user", "name", "created_at", "last_used"]
    readonly_fields = ["user", "name", "digest", "created_at", "last_used"]

    def has_add_permission(self, request: object) -> bool:
        return False
