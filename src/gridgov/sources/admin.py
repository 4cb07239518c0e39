from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.core.actor import Account
from gridgov.people.admin import ScopedAdminMixin
from gridgov.sources.models import (
    MonitorFinding,
    MonitorSettings,
    PollutionSource,
    SourceChange,
    SourceMonitor,
)


class SourceChangeInline(admin.TabularInline):
    model = SourceChange
    extra = 0
    can_delete = False
    readonly_fields = ("at", "action", "actor_name", "changes", "note")
    fields = readonly_fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class PollutionSourceForm(forms.ModelForm):
    """The admin's edit: its clean() runs the services' checks (category fields, geometry,
    grids, scope) so errors show on the form's fields; the admin saves through update_source."""

    user: Account = None  # set per request by the admin

    class Meta:
        model = PollutionSource
        fields = (
            "name",
            "address",
            "geometry",
            "status",
            "attributes",
            "responsible_post",
            "notes",
        )

    def clean(self) -> dict[str, Any]:
        from gridgov.sources import services  # here: not loaded at start-up

        data = super().clean() or {}
        if self.errors or self.instance.pk is None:
            return data
        post = data.get("responsible_post")
        self.source_input = services.SourceInput(
            category=self.instance.category,
            name=data.get("name") or "",
            geometry=data.get("geometry") or {},
            attributes=data.get("attributes") or {},
            address=data.get("address") or "",
            code=self.instance.code,
            status=data.get("status") or "",
            responsible_post_id=post.pk if post is not None else None,
            notes=data.get("notes") or "",
        )
        try:
            values = services._checked(self.source_input)
            grid_ids = values.pop("grid_ids")
            if self.user is not None:
                same = values["responsible_post_id"] == self.instance.responsible_post_id
                services.check_scope(self.user, {} if same else values, grid_ids)
        except (services.SourceError, inputs.InputError) as exc:
            name = exc.field.split(".")[0]
            self.add_error(name if name in self.fields else None, exc.message)
        return data


@admin.register(PollutionSource)
class PollutionSourceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = PollutionSourceForm
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
        from gridgov.sources import services  # here: not loaded at start-up

        return services.sources_for(request.user, qs)

    def has_add_permission(self, request: Any) -> bool:
        # New sources come through the registry page, the API or an Excel import, which
        # check the category's fields and locate the grids.
        return False

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user  # type: ignore[attr-defined]
        return form

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        from gridgov.sources import services  # here: not loaded at start-up

        services.update_source(obj.pk, form.source_input, request.user, note="admin", scoped=True)
        obj.refresh_from_db()


class SourceMonitorForm(forms.ModelForm):
    """The admin's edit runs the monitor service's checks (kind for the category, MN, circuit
    codes, thresholds) and saves through `monitor_services.save_monitor`, scoped."""

    user: Account = None  # set per request by the admin

    class Meta:
        model = SourceMonitor
        fields = (
            "source",
            "kind",
            "mn",
            "name",
            "pm10_limit",
            "tsp_limit",
            "noise_limit",
            "fume_limit",
            "production_codes",
            "treatment_codes",
            "running_current",
            "limit_lines",
            "active",
        )

    def clean(self) -> dict[str, Any]:
        from gridgov.sources import monitor_services

        data = super().clean() or {}
        source = data.get("source")
        if self.errors or source is None:
            return data
        self.monitor_input = monitor_services.MonitorInput(
            kind=data.get("kind") or "",
            mn=data.get("mn") or "",
            name=data.get("name") or "",
            production_codes=list(data.get("production_codes") or []),
            treatment_codes=list(data.get("treatment_codes") or []),
            limit_lines=data.get("limit_lines"),
            thresholds={k: data.get(k) for k in monitor_services.THRESHOLD_FIELDS},
            active=bool(data.get("active")),
        )
        try:
            if not monitor_services.sources_for(self.user).filter(pk=source.pk).exists():
                raise monitor_services.SourceError("source", _("污染源不在管辖范围内"))
            monitor_services.checked(source, self.monitor_input, self.instance.pk)
        except monitor_services.SourceError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data


@admin.register(SourceMonitor)
class SourceMonitorAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = SourceMonitorForm
    list_display = ("mn", "kind", "source", "name", "active")
    list_filter = ("kind", "active")
    search_fields = ("mn", "name", "source__code", "source__name")
    raw_id_fields = ("source",)

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        from gridgov.sources import services

        return qs.filter(source__in=services.sources_for(request.user).values("pk"))

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user  # type: ignore[attr-defined]
        return form

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        from gridgov.sources import monitor_services

        saved = monitor_services.save_monitor(
            form.cleaned_data["source"].pk,
            form.monitor_input,
            request.user,
            pk=obj.pk if change else None,
        )
        obj.pk = saved.pk
        obj.refresh_from_db()


@admin.register(MonitorSettings)
class MonitorSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "category",
        "kind",
        "pm10_limit",
        "tsp_limit",
        "noise_limit",
        "fume_limit",
        "running_current",
    )
    list_filter = ("kind",)


@admin.register(MonitorFinding)
class MonitorFindingAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("hour", "rule", "source", "monitor", "value", "limit", "order_id")
    list_filter = ("rule",)
    search_fields = ("source__code", "source__name", "monitor__mn")
    readonly_fields = [f.name for f in MonitorFinding._meta.fields]

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        from gridgov.sources import services

        return qs.filter(source__in=services.sources_for(request.user).values("pk"))

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
