"""人民调解 in the admin, every list scoped like the pages. Committees and trainings (with their
attendance) are edited here; cases are written only by the services (intake, sessions,
outcome, agreement, follow-ups keep their history), so the admin shows them read-only, with
parties' ID numbers masked (the case page shows them to those permitted)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gridgov.mediation.models import Attendance, Case, CaseStep, Committee, Party, Training
from gridgov.people.admin import ScopedAdminMixin


@admin.register(Committee)
class CommitteeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "unit", "director", "phone", "active")
    list_filter = ("active",)
    search_fields = ("name", "address")
    autocomplete_fields = ["unit", "director"]

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        from gridgov.mediation import services  # here: not loaded at start-up

        return services.committees_for(request.user, qs)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # cases name it: retire it with `active` instead


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    autocomplete_fields = ["person"]

    def get_queryset(self, request: Any) -> Any:
        from gridgov.mediation import services  # here: not loaded at start-up

        mediators = services.mediators_for(request.user)
        return super().get_queryset(request).filter(person__in=mediators)


@admin.register(Training)
class TrainingAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("date", "topic", "place", "organiser", "hours")
    date_hierarchy = "date"
    search_fields = ("topic", "place")
    autocomplete_fields = ["organiser"]
    inlines = [AttendanceInline]

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        from gridgov.mediation import services  # here: not loaded at start-up

        return services.trainings_for(request.user, qs)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class PartyInline(ReadOnlyInline):
    model = Party
    fields = ["role", "name", "phone", "shown_id", "address"]
    readonly_fields = ["shown_id"]

    @admin.display(description=_("身份证号码"))
    def shown_id(self, obj: Party) -> str:
        from gridgov.mediation import services  # here: not loaded at start-up

        return services.mask_id(obj.id_number)  # the case page shows it to those permitted


class StepInline(ReadOnlyInline):
    model = CaseStep
    fields = ["at", "actor_name", "action", "from_state", "to_state", "note"]


@admin.register(Case)
class CaseAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("number", "title", "kind", "state", "source", "committee", "received_on")
    list_filter = ("state", "kind", "source", "outcome", "judicial")
    search_fields = ("number", "title")
    date_hierarchy = "received_on"
    inlines = [PartyInline, StepInline]
    exclude = ["region_path"]

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        from gridgov.mediation import services  # here: not loaded at start-up

        return services.cases_for(request.user, qs).select_related("committee", "grid")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
