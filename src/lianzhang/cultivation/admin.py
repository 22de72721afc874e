from django.contrib import admin

from .models import ListingCandidate, Target


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("year", "district", "tier", "count")
    list_filter = ("year", "tier")


@admin.register(ListingCandidate)
class ListingCandidateAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("enterprise", "stage", "board", "since")
    list_filter = ("stage",)
    raw_id_fields = ("enterprise",)
