from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from gridgov import inputs
from gridgov.core.actor import Account
from gridgov.people.admin import ScopedAdminMixin
from gridgov.sources.models import PollutionSource, SourceChange


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
