"""Admin: the configurable parts (the category taxonomy, deadlines) are edited here; orders are
listed read-only (they change only through transitions, on the desk or the API)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.people.admin import ScopedAdminMixin
from gridgov.workorders import lateness
from gridgov.workorders.models import Category, DeadlinePolicy, Transition, WorkOrder


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "parent", "line", "default_priority", "public", "active"]
    list_filter = ["parent", "line", "default_priority", "public", "active"]
    search_fields = ["name", "code", "name_en"]
    list_editable = ["default_priority", "public", "active"]


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "dispatch_minutes",
        "sign_minutes",
        "handle_minutes",
        "verify_minutes",
        "working_time",
        "warn_percent",
    ]
    list_filter = ["priority", "working_time"]


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    can_delete = False
    fields = ("at", "action", "from_state", "to_state", "actor_name", "assignee", "note")
    readonly_fields = ("at", "action", "from_state", "to_state", "actor_name", "assignee", "note")

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "state", "priority", "unit", "assignee", "due_at", "is_overdue"]
    list_filter = ["state", "priority"]
    search_fields = ["event__reference", "event__title"]
    inlines = [TransitionInline]
    list_select_related = ["event", "unit", "assignee"]

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        from gridgov.workorders.services import orders_for

        return orders_for(request.user, qs)

    @admin.display(boolean=True, description=_("超期"))
    def is_overdue(self, obj: WorkOrder) -> bool:
        return lateness.is_overdue(obj, timezone.now())

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # only transitions change an order

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # never deleted: voided
