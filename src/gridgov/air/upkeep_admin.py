"""Admin of the stations' upkeep: operators, calibration records, maintenance issues (read-only,
written by the maintenance sweep). Imported by air/admin.py."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from gridgov.air.models import Station
from gridgov.air.upkeep_models import Calibration, MaintenanceIssue, StationOperator
from gridgov.core.actor import recorded_user
from gridgov.people.admin import ScopedAdminMixin


def _scoped(request: Any, qs: Any, prefix: str = "") -> Any:
    from gridgov.air.admin import station_scope

    return station_scope(request, qs, prefix)


class _StationScoped(ScopedAdminMixin, admin.ModelAdmin):
    def scope_queryset(self, request: Any, qs: Any) -> Any:
        return _scoped(request, qs, "station__")

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.related_model is Station:
            kwargs["queryset"] = _scoped(request, Station.objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(StationOperator)
class StationOperatorAdmin(_StationScoped):
    list_display = ["station", "name", "contact"]
    search_fields = ["station__code", "station__name", "name"]
    list_select_related = ["station"]


@admin.register(Calibration)
class CalibrationAdmin(_StationScoped):
    """Calibration records: the readings keep their raw values; calibrated values are computed
    when read. Who entered a record is recorded."""

    list_display = ["station", "pollutant", "slope", "intercept", "valid_from", "valid_to", "by"]
    list_filter = ["pollutant"]
    list_select_related = ["station", "by"]
    search_fields = ["station__code", "station__name"]
    readonly_fields = ["by", "created_at"]

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.by = recorded_user(request.user)
        super().save_model(request, obj, form, change)


@admin.register(MaintenanceIssue)
class MaintenanceIssueAdmin(_StationScoped):
    """Opened and ended by the maintenance sweep; read-only here."""

    list_display = ["station", "kind", "detail", "opened_at", "ended_at", "order_reference"]
    list_filter = ["kind"]
    list_select_related = ["station"]
    search_fields = ["station__code", "station__name"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
