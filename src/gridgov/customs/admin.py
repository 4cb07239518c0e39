"""村规民约与移风易俗 in the admin, every list scoped like the pages. Rules, meetings, councils
and limits are kept here too; registrations are read-only records (their check, work order and
follow-up are the services')."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from gridgov.customs.models import (
    AdoptionMeeting,
    Council,
    CouncilMember,
    Limit,
    Registration,
    RulesVersion,
)
from gridgov.people.admin import ScopedAdminMixin


class VillageScoped(ScopedAdminMixin):
    def scope_queryset(self, request: Any, qs: Any) -> Any:
        from gridgov.customs import services  # here: not loaded at start-up

        return qs.filter(community__in=services.villages_for(request.user))


@admin.register(AdoptionMeeting)
class AdoptionMeetingAdmin(VillageScoped, admin.ModelAdmin):
    list_display = ("community", "date", "kind", "attendance", "entitled", "votes_for")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("community__name", "notes")


@admin.register(RulesVersion)
class RulesVersionAdmin(VillageScoped, admin.ModelAdmin):
    list_display = ("community", "number", "title", "adopted", "meeting")
    search_fields = ("community__name", "title", "text")
    readonly_fields = ("file", "file_name", "file_type", "file_size", "created_by", "created_at")

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # a version is history: a new version replaces it


class CouncilMemberInline(admin.TabularInline):
    model = CouncilMember
    extra = 0
    autocomplete_fields = ["person"]
    fields = ["name", "person", "role", "start_date", "end_date"]


@admin.register(Council)
class CouncilAdmin(VillageScoped, admin.ModelAdmin):
    list_display = ("name", "community", "established")
    search_fields = ("name", "community__name")
    inlines = [CouncilMemberInline]


@admin.register(Limit)
class LimitAdmin(VillageScoped, admin.ModelAdmin):
    list_display = (
        "community", "kind", "max_tables", "max_guests", "max_cost", "max_days",
        "max_table_cost", "source", "effective_from", "effective_to",
    )  # fmt: skip
    list_filter = ("kind", "source")
    search_fields = ("community__name",)


@admin.register(Registration)
class RegistrationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "date", "kind", "community", "grid", "family_head", "tables", "guests", "cost",
        "flagged", "follow_up",
    )  # fmt: skip
    list_filter = ("kind", "flagged", "follow_up")
    date_hierarchy = "date"
    search_fields = ("family_head", "community__name", "grid__code")

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        from gridgov.customs import services  # here: not loaded at start-up

        return services.registrations_for(request.user, qs)

    def has_add_permission(self, request: Any) -> bool:
        return False  # registered through the pages, the phone, the API or the import

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
