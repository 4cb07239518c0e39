from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q

from gridgov.air.models import Alarm, AlarmRule, Gateway, Station, Target
from gridgov.people import scope
from gridgov.people.admin import ScopedAdminMixin


def station_scope(request: Any, qs: Any, prefix: str = "") -> Any:
    paths = scope.scope_paths(request.user)
    if paths is None:
        return qs
    q = Q(**{f"{prefix}grid__isnull": True})
    for p in paths:
        q |= Q(**{f"{prefix}grid__path__startswith": p})
    return qs.filter(q)


@admin.register(Station)
class StationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "grid", "interval_minutes", "active", "token_prefix"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name"]
    readonly_fields = ["grid", "token_prefix", "token_revoked_at"]
    fields = [
        "code",
        "name",
        "kind",
        "lat",
        "lon",
        "interval_minutes",
        "pollutants",
        "active",
        "grid",
        "token_prefix",
        "token_revoked_at",
    ]

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        return station_scope(request, qs)

    def save_model(self, request: Any, obj: Station, form: Any, change: bool) -> None:
        from gridgov.territory.locate import locate

        where = locate(obj.lat, obj.lon)
        obj.grid_id = where.grid.id if where.inside and where.grid else None
        super().save_model(request, obj, form, change)


@admin.register(Alarm)
class AlarmAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "station",
        "rule",
        "pollutant",
        "value",
        "started_at",
        "ended_at",
        "acknowledged_at",
    ]
    list_filter = ["rule__kind", "ended_at"]
    list_select_related = ["station", "rule"]
    readonly_fields = [
        "station",
        "grid",
        "rule",
        "pollutant",
        "value",
        "peak",
        "reference",
        "started_at",
        "last_seen_at",
        "ended_at",
        "acknowledged_at",
        "acknowledged_by",
    ]

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        return station_scope(request, qs, "station__")

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(Gateway)
class GatewayAdmin(admin.ModelAdmin):
    """Gateways and their stations; tokens are issued by `gridgov gateway-token NAME`."""

    list_display = ["name", "region", "active", "token_prefix", "token_revoked_at", "created_at"]
    list_filter = ["active"]
    filter_horizontal = ["stations"]
    readonly_fields = ["token_prefix", "token_revoked_at", "created_at"]


@admin.register(AlarmRule)
class AlarmRuleAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "station_kind",
        "pollutant",
        "threshold",
        "ratio",
        "minutes",
        "active",
    ]
    list_filter = ["kind", "active"]


@admin.register(Target)
class TargetAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["region", "metric", "start", "end", "value"]
    list_filter = ["metric"]

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        return qs.filter(region__in=scope.regions_for(request.user))
