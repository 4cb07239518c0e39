"""新兴领域党建 in the admin, every list scoped like the pages. Everything here is a record the
services write together with its history (events, dated assignments, posts), so the admin only
reads: changes go through the pages and the API."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from gridgov.organisations.models import (
    Assignment,
    JointMeeting,
    Organisation,
    OrgEvent,
    Visit,
    Volunteer,
)
from gridgov.people.admin import ScopedAdminMixin


class ReadOnlyMixin(ScopedAdminMixin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = OrgEvent
    extra = 0
    fields = ("date", "kind", "grid", "party_org", "instructor", "note", "actor_name")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "credit_code", "industry", "grid", "party_org", "opened",
                    "closed")  # fmt: skip
    list_filter = ("kind", "social_form", "party_org")
    search_fields = ("name", "credit_code", "industry", "address")
    inlines = [EventInline]

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        from gridgov.organisations import services  # here: not loaded at start-up

        return services.organisations_for(request.user, qs)

    def get_fields(self, request: Any, obj: Any = None) -> Any:
        from gridgov.organisations import services  # here: not loaded at start-up

        hidden = {"id"}
        if not services.sees_contact(request.user):
            hidden |= {"contact", "contact_phone"}
        return [f.name for f in Organisation._meta.fields if f.name not in hidden]


@admin.register(OrgEvent)
class OrgEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("date", "organisation", "kind", "grid", "party_org", "instructor")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("organisation__name", "note")

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        from gridgov.organisations import services  # here: not loaded at start-up

        return qs.filter(organisation__in=services.organisations_for(request.user))


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("organisation", "instructor", "start_date", "end_date")
    search_fields = ("organisation__name", "instructor__name")

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        from gridgov.organisations import services  # here: not loaded at start-up

        return qs.filter(organisation__in=services.organisations_for(request.user))


@admin.register(Visit)
class VisitAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("date", "organisation", "instructor")
    date_hierarchy = "date"
    search_fields = ("organisation__name", "instructor__name", "notes")

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        from gridgov.organisations import services  # here: not loaded at start-up

        return qs.filter(organisation__in=services.organisations_for(request.user))


@admin.register(JointMeeting)
class JointMeetingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("date", "unit", "topic")
    date_hierarchy = "date"
    search_fields = ("topic", "minutes")

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        from gridgov.organisations import joint_meetings  # here: not loaded at start-up

        return joint_meetings.meetings_for(request.user, qs)


@admin.register(Volunteer)
class VolunteerAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("person", "group", "employer", "grid", "registered", "active")
    list_filter = ("group", "active")
    search_fields = ("person__name", "employer__name")

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        from gridgov.organisations import volunteering  # here: not loaded at start-up

        return volunteering.volunteers_for(request.user, qs)
