"""Checklists and plans are configured here; inspections and rectifications are read here (they
are written only by services.record_inspection), scoped to the account's sources."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from gridgov.inspections.models import (
    ChecklistItem,
    Inspection,
    InspectionItem,
    InspectionPlan,
    Rectification,
)
from gridgov.people.admin import ScopedAdminMixin


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ("text", "category", "code", "rectify_days", "active", "sort_order")
    list_filter = ("category", "active")
    list_editable = ("rectify_days", "active", "sort_order")
    search_fields = ("text", "code")


@admin.register(InspectionPlan)
class InspectionPlanAdmin(admin.ModelAdmin):
    list_display = ("category", "interval_days", "emergency_interval_days", "active")
    list_editable = ("interval_days", "emergency_interval_days", "active")


class ItemInline(admin.TabularInline):
    model = InspectionItem
    extra = 0
    can_delete = False
    readonly_fields = ("item", "passed", "note")

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ("at", "source", "inspector", "result", "distance_m", "far")
    list_filter = ("result", "far")
    search_fields = ("source__name", "source__code")
    date_hierarchy = "at"
    exclude = ("user", "submission_key", "region_path")
    inlines = [ItemInline]

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        from gridgov.inspections import services  # here: not loaded at start-up

        return services.inspections_for(request.user, qs)


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = ("source", "due_date", "state", "closed_at", "order")
    list_filter = ("state",)
    search_fields = ("source__name", "source__code")
    exclude = ("region_path",)

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        from gridgov.inspections import services  # here: not loaded at start-up

        return services.rectifications_for(request.user, qs)
