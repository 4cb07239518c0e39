"""专班与物资 in the admin, every list scoped like the pages. Forces, members and rosters are
edited here; stock moves only through the ledger (services), so movements, allocations,
requests and hand-overs are read-only records."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from gridgov.forces.models import (
    Allocation,
    Depot,
    DutyShift,
    Handover,
    Membership,
    SupplyKind,
    SupplyMovement,
    SupplyRequest,
    TaskForce,
)
from gridgov.people.admin import ScopedAdminMixin


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["person", "home_unit", "posted_to"]
    fields = [
        "person", "role", "home_unit", "seconded", "posted_to", "start_date", "end_date", "notes",
    ]  # fmt: skip


@admin.register(TaskForce)
class TaskForceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "owner", "front", "leader", "established", "dissolved")
    list_filter = ("kind", "front")
    search_fields = ("name", "duties")
    autocomplete_fields = ["owner", "leader"]
    inlines = [MembershipInline]

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        from gridgov.forces import services  # here: not loaded at start-up

        return services.forces_for(request.user, qs)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # a force is dissolved (dated), never deleted: its record stays


@admin.register(DutyShift)
class DutyShiftAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("date", "shift", "force", "person", "leader")
    list_filter = ("shift", "force")
    date_hierarchy = "date"
    autocomplete_fields = ["person"]

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        from gridgov.forces import services  # here: not loaded at start-up

        return qs.filter(force__in=services.forces_for(request.user))

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        from gridgov.forces import services  # here: not loaded at start-up

        if db_field.related_model is TaskForce:
            kwargs["queryset"] = services.forces_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(SupplyKind)
class SupplyKindAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "whole", "front", "active")
    list_filter = ("front", "active")

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # the ledger names it: retire a kind with `active` instead


@admin.register(Depot)
class DepotAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "owner", "place", "active")
    list_filter = ("active",)
    search_fields = ("name", "place")
    autocomplete_fields = ["owner"]

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        from gridgov.forces import services  # here: not loaded at start-up

        return services.depots_for(request.user, qs)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class ReadOnly(ScopedAdminMixin, admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(SupplyMovement)
class SupplyMovementAdmin(ReadOnly):
    list_display = ("at", "depot", "kind", "quantity", "reason", "actor_name", "note")
    list_filter = ("reason", "kind")

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        from gridgov.forces import services  # here: not loaded at start-up

        return qs.filter(depot__in=services.depots_for(request.user))


@admin.register(Allocation)
class AllocationAdmin(ReadOnly):
    list_display = ("date", "kind", "quantity", "depot", "unit", "purpose")
    list_filter = ("kind",)

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        from gridgov.forces import services  # here: not loaded at start-up

        return services.allocations_for(request.user, qs)


@admin.register(SupplyRequest)
class SupplyRequestAdmin(ReadOnly):
    list_display = ("requested_at", "unit", "kind", "quantity", "status", "depot")
    list_filter = ("status", "kind")

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        from gridgov.forces import services  # here: not loaded at start-up

        return services.requests_for(request.user, qs)


@admin.register(Handover)
class HandoverAdmin(ReadOnly):
    list_display = ("at", "allocation", "quantity", "given_by", "received_by")

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        from gridgov.forces import services  # here: not loaded at start-up

        return qs.filter(allocation__in=services.allocations_for(request.user))
