from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from gridgov.people import scope
from gridgov.people.models import ApiToken, Person, Post, PostType
from gridgov.territory.models import Region


class ScopedAdminMixin:
    """Admin pages list, open and save only objects in the account's scope."""

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        """Each admin says how its rows map to regions; by default an admin shows nothing."""
        return qs.none()

    def get_queryset(self, request: Any) -> Any:
        qs = super().get_queryset(request)  # type: ignore[misc]
        return self.scope_queryset(request, qs)

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.related_model is Region:
            kwargs["queryset"] = scope.regions_for(request.user, Region.objects.active())
        elif db_field.related_model is Person:
            kwargs["queryset"] = scope.people_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]


class PostInline(admin.TabularInline):
    model = Post
    extra = 0
    autocomplete_fields = ["region"]
    fields = ["post_type", "region", "start_date", "end_date", "notes"]

    def get_queryset(self, request: Any) -> Any:
        return scope.posts_for(request.user, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.related_model is Region:
            kwargs["queryset"] = scope.regions_for(request.user, Region.objects.active())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Person)
class PersonAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "phone", "masked_id", "user"]
    search_fields = ["name", "phone"]
    inlines = [PostInline]
    raw_id_fields = ["user"]

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        return scope.people_for(request.user, qs)

    @admin.display(description=_("身份证号码"))
    def masked_id(self, obj: Person) -> str:
        return obj.id_number_masked

    def get_fields(self, request: Any, obj: Any = None) -> Any:
        fields = ["name", "phone", "id_number", "notes", "user"]
        if (
            obj is not None
            and obj.id_number
            and not request.user.has_perm("people.view_full_id_number")
        ):
            fields[2] = "masked_id"
        return fields

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return ["masked_id"]


@admin.register(Post)
class PostAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["person", "post_type", "region", "start_date", "end_date"]
    list_filter = ["post_type", "region__level"]
    search_fields = ["person__name", "person__phone", "region__code", "region__name"]
    autocomplete_fields = ["region", "person"]
    list_select_related = ["person", "post_type", "region"]

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        return scope.posts_for(request.user, qs)

    def save_model(self, request: Any, obj: Post, form: Any, change: bool) -> None:
        if not scope.can_see_region(request.user, obj.region):
            raise PermissionDenied
        super().save_model(request, obj, form, change)


@admin.register(PostType)
class PostTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "level", "rank", "responsible", "group"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["key_hash", "prefix", "created_at", "last_used_at"]

    def get_queryset(self, request: Any) -> Any:
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(user=request.user)


from gridgov.people import region_admin  # noqa: E402, F401  (registers the territory's admin pages)
