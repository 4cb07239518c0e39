from __future__ import annotations

from typing import Any

from django.contrib import admin

from gridgov.people.admin import ScopedAdminMixin
from gridgov.sources import services
from gridgov.sources.models import PollutionSource, SourceChange


class SourceChangeInline(admin.TabularInline):
    model = SourceChange
    extra = 0
    can_delete = False
    readonly_fields = ("at", "action", "actor_name", "changes", "note")
    fields = readonly_fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(PollutionSource)
class PollutionSourceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "category", "status", "grid")
    list_filter = ("category", "status")
    search_fields = ("code", "name", "address")
    readonly_fields = (
        "code",
        "category",
        "lat",
        "lon",
        "grid",
        "version",
        "created_at",
        "updated_at",
    )
    exclude = ("min_lat", "max_lat", "min_lon", "max_lon", "region_path")
    raw_id_fields = ("responsible_post",)
    inlines = [SourceChangeInline]

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        return services.sources_for(request.user, qs)

    def has_add_permission(self, request: Any) -> bool:
        # New sources come through the registry page, the API or an Excel import, which
        # check the category's fields and locate the grids.
        return False
