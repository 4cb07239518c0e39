"""赛马比拼 in the admin: the scorecards with their indicators inline (the command office
configures them); the stored snapshots read-only, their rows scoped to the account's regions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from gridgov.people import scope
from gridgov.people.admin import ScopedAdminMixin
from gridgov.racing.models import Indicator, Scorecard, Snapshot, SnapshotRow
from gridgov.territory.models import Region


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["position", "metric", "direction", "weight", "rule", "floor", "bands"]
        widgets = {"bands": forms.TextInput(attrs={"size": 30})}


class IndicatorInline(admin.TabularInline):
    model = Indicator
    form = IndicatorForm
    extra = 1


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    """Cards are the district's configuration: every account allowed to view them sees all."""

    list_display = ("name", "level", "period_kind", "active", "min_valid_days", "min_orders")
    list_filter = ("level", "period_kind", "active")
    search_fields = ("name",)
    inlines = [IndicatorInline]


class SnapshotRowInline(admin.TabularInline):
    model = SnapshotRow
    extra = 0
    fields = ("region", "rank", "total", "weight_covered")
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request: Any) -> Any:
        visible = scope.regions_for(request.user, Region.objects.all())
        return super().get_queryset(request).filter(region__in=visible).select_related("region")

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Snapshot)
class SnapshotAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Stored results, read-only (taken by `gridgov racing-snapshot` and the worker)."""

    list_display = ("scorecard", "start", "end", "ranked", "computed_at")
    list_filter = ("scorecard",)
    readonly_fields = ("scorecard", "start", "end", "computed_at", "ranked", "indicators")
    inlines = [SnapshotRowInline]

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        if scope.sees_everything(request.user):
            return qs
        visible = scope.regions_for(request.user, Region.objects.all())
        return qs.filter(rows__region__in=visible).distinct()

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
