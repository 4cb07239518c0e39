from __future__ import annotations

from typing import Any

from django.contrib import admin

from gridgov.emergency.models import Measure, Warning


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    """应急措施 are configured here by the command office (the defaults come from a migration)."""

    list_display = (
        "text",
        "level",
        "category",
        "grades",
        "kinds",
        "group",
        "suspend",
        "inspection_interval_days",
        "active",
    )
    list_filter = ("level", "category", "suspend", "active")
    search_fields = ("text", "text_en")


@admin.register(Warning)
class WarningAdmin(admin.ModelAdmin):
    """The record of warnings, read-only: they are declared and ended on the emergency page."""

    list_display = ("__str__", "level", "starts_at", "ends_at", "ended_early_at", "declared_by")
    list_filter = ("level",)
    exclude = ("commands",)

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
