"""Django admin of the registry, for back-office data only: day-to-day work happens on the
platform's pages."""

from __future__ import annotations

from django.contrib import admin

from .models import Annual, Award, CreditListing, Enterprise, Honour, ImportLog


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["uscc", "name", "district", "industry_code", "updated_at"]
    list_filter = ["district"]
    search_fields = ["uscc", "name"]


@admin.register(Annual)
class AnnualAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["enterprise", "year", "revenue", "main_revenue", "rd_expense", "employees"]
    list_filter = ["year"]
    search_fields = ["enterprise__uscc", "enterprise__name"]
    raw_id_fields = ["enterprise"]


@admin.register(Honour)
class HonourAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["enterprise", "title", "granted_on", "valid_until"]
    list_filter = ["title"]
    search_fields = ["enterprise__uscc", "enterprise__name"]
    raw_id_fields = ["enterprise"]


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["enterprise", "year", "kind", "rank", "name"]
    list_filter = ["kind", "year"]
    raw_id_fields = ["enterprise"]


@admin.register(ImportLog)
class ImportLogAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A record of what happened: read-only."""

    list_display = [
        "created_at",
        "table",
        "filename",
        "user",
        "rows_read",
        "error_count",
        "written",
    ]
    list_filter = ["table", "written"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(CreditListing)
class CreditListingAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["uscc", "name", "kind", "listed_on", "removed_on", "source"]
    list_filter = ["kind"]
    search_fields = ["uscc", "name", "reference"]
