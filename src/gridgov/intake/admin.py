from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from gridgov.intake.models import ExternalEvent, HotlinePush, IntakeSystem


@admin.register(IntakeSystem)
class IntakeSystemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "prefix", "active", "last_used_at")
    readonly_fields = ("token_hash", "prefix", "last_used_at")
    actions = ["issue_token"]

    @admin.action(description="签发新令牌（旧令牌作废）")
    def issue_token(self, request: HttpRequest, queryset: QuerySet[IntakeSystem]) -> Any:
        """A new token per chosen system, shown once in the page's messages."""
        for system in queryset:
            raw = system.issue_token()
            self.message_user(
                request,
                _("%(code)s 的新令牌（只显示这一次）：%(token)s")
                % {"code": system.code, "token": raw},
                messages.WARNING,
            )


@admin.register(ExternalEvent)
class ExternalEventAdmin(admin.ModelAdmin):
    list_display = ("system", "external_id", "kind", "detected_at", "event", "merged", "refused")
    list_filter = ("system", "kind", "merged")
    raw_id_fields = ("event",)


@admin.register(HotlinePush)
class HotlinePushAdmin(admin.ModelAdmin):
    list_display = ("record", "status", "attempt", "ok", "error", "at", "next_at")
    list_filter = ("ok",)
