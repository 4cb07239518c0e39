"""The meeting record in the admin: read-only and scoped (meetings are written on their pages
and through the API, whose services check states and issue the commands)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from gridgov.meetings.models import AgendaItem, Attendee, Decision, Meeting, Statement, Step
from gridgov.people.admin import ScopedAdminMixin


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class AttendeeInline(_ReadOnlyInline):
    model = Attendee
    fields = ["region", "person", "role", "presence", "note"]


class AgendaInline(_ReadOnlyInline):
    model = AgendaItem
    fields = ["position", "text"]


class StatementInline(_ReadOnlyInline):
    model = Statement
    fields = ["position", "unit", "speaker", "text"]


class DecisionInline(_ReadOnlyInline):
    model = Decision
    fields = ["position", "text", "deadline", "command"]


class StepInline(_ReadOnlyInline):
    model = Step
    fields = ["at", "actor_name", "from_state", "to_state"]


@admin.register(Meeting)
class MeetingAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "kind", "starts_at", "convener", "state", "issued_at")
    list_filter = ("kind", "state")
    search_fields = ("title", "place")
    exclude = ("created_by",)
    inlines = [AttendeeInline, AgendaInline, StatementInline, DecisionInline, StepInline]

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        from gridgov.meetings import services  # here: not loaded at start-up

        return qs.filter(pk__in=services.meetings_for(request.user).values("pk"))

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
