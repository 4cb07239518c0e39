"""The territory's admin pages (regions, boundary versions, work lines). They live in people
because each is cut to the editor's scope, which the territory, below people, cannot know;
`gridgov.people.admin` imports this module so that the admin site finds them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied

from gridgov.people import scope
from gridgov.people.admin import ScopedAdminMixin
from gridgov.territory.models import BoundaryVersion, Region, WorkLine

if TYPE_CHECKING:
    from gridgov.territory.services import RegionSpec


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "kind", "lines", "geometry"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        from gridgov.territory.services import validate_plan

        spec = self.to_spec()
        report = validate_plan([spec])
        for problem in report.problems:
            field = problem.field if problem.field in self.fields else None
            self.add_error(field, f"{problem.code}: {problem.reason}")
        return data

    def to_spec(self) -> RegionSpec:
        from gridgov.territory.services import RegionSpec

        d = self.cleaned_data
        geometry: Any = d.get("geometry") or {}
        if isinstance(geometry, str):
            geometry = json.loads(geometry)
        return RegionSpec(
            code=d.get("code") or self.instance.code,
            name=d["name"],
            level=d["level"],
            parent_code=d["parent"].code if d.get("parent") else None,
            geometry=geometry,
            kind=d.get("kind") or "",
            lines=[line.code for line in d.get("lines") or []],
        )


class BoundaryVersionInline(admin.TabularInline):
    model = BoundaryVersion
    extra = 0
    can_delete = False
    fields = ("version", "valid_from", "valid_to", "reason", "changed_by")
    readonly_fields = ("version", "valid_from", "valid_to", "reason", "changed_by")

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = RegionForm
    list_display = ["code", "name", "level", "kind", "parent", "version", "retired_at"]
    list_filter = ["level", "kind", "retired_at"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    inlines = [BoundaryVersionInline]

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        return scope.regions_for(request.user, qs)

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # regions are retired, never deleted

    def save_model(self, request: Any, obj: Region, form: Any, change: bool) -> None:
        parent = form.cleaned_data.get("parent")
        if parent is not None and not scope.can_see_region(request.user, parent):
            raise PermissionDenied
        if change and not scope.can_see_region(request.user, obj):
            raise PermissionDenied
        from gridgov.territory.services import apply_plan

        apply_plan([form.to_spec()], user=request.user, reason="admin")
        saved = Region.objects.get(code=obj.code)
        obj.pk = saved.pk

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        # Lines were written by apply_plan; only the (read-only) inline formsets remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(WorkLine)
class WorkLineAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "sort_order"]
