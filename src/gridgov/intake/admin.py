from django.contrib import admin

from gridgov.intake.models import ExternalEvent, HotlinePush, IntakeSystem


@admin.register(IntakeSystem)
class IntakeSystemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "prefix", "active", "last_used_at")
    readonly_fields = ("token_hash", "prefix", "last_used_at")


@admin.register(ExternalEvent)
class ExternalEventAdmin(admin.ModelAdmin):
    list_display = ("system", "external_id", "kind", "detected_at", "event", "merged", "refused")
    list_filter = ("system", "kind", "merged")
    raw_id_fields = ("event",)


@admin.register(HotlinePush)
class HotlinePushAdmin(admin.ModelAdmin):
    list_display = ("record", "status", "attempt", "ok", "error", "at", "next_at")
    list_filter = ("ok",)
