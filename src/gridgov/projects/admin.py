"""项目 in the admin, every list scoped like the pages. Facts are edited here; the spending
ledger and the status history are written only through the services, so they are read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from gridgov.people.admin import ScopedAdminMixin
from gridgov.projects.models import (
    Document,
    Milestone,
    Official,
    Project,
    Spending,
    StatusChange,
)


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["title", "planned", "done", "note"]


class OfficialInline(admin.TabularInline):
    model = Official
    extra = 0
    autocomplete_fields = ["person"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class SpendingInline(ReadOnlyInline):
    model = Spending
    fields = ["date", "amount", "note", "actor_name"]


class StatusChangeInline(ReadOnlyInline):
    model = StatusChange
    fields = ["date", "from_status", "to_status", "note", "actor_name"]


@admin.register(Project)
class ProjectAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "kind", "plan", "year", "status", "owner", "granted")
    list_filter = ("kind", "plan", "status", "year")
    search_fields = ("code", "name", "applicant")
    readonly_fields = ("status", "grid", "created_at", "updated_at", "created_by")
    autocomplete_fields = ["owner"]
    inlines = [MilestoneInline, OfficialInline, SpendingInline, StatusChangeInline]

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        from gridgov.projects import services  # here: not loaded at start-up

        return services.projects_for(request.user, qs)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # a project is terminated (dated), never deleted


class ChildAdmin(ScopedAdminMixin, admin.ModelAdmin):
    def scope_queryset(self, request: Any, qs: Any) -> Any:
        from gridgov.projects import services  # here: not loaded at start-up

        return qs.filter(project__in=services.projects_for(request.user))

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Spending)
class SpendingAdmin(ChildAdmin):
    list_display = ("project", "date", "amount", "note", "actor_name")
    date_hierarchy = "date"
    search_fields = ("project__code", "project__name", "note")


@admin.register(StatusChange)
class StatusChangeAdmin(ChildAdmin):
    list_display = ("project", "date", "from_status", "to_status", "actor_name")
    list_filter = ("to_status",)
    search_fields = ("project__code", "project__name")


@admin.register(Milestone)
class MilestoneAdmin(ChildAdmin):
    list_display = ("project", "title", "planned", "done")
    search_fields = ("project__code", "title")


@admin.register(Document)
class DocumentAdmin(ChildAdmin):
    list_display = ("project", "title", "original_name", "content_type", "size", "created_at")
    search_fields = ("project__code", "title", "original_name")
