"""Admin: the units' group robots (configured here: webhook and DingTalk secret), and the
delivery log read-only (targets masked), both scoped to the account's regions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gridgov.core.scopes import under_paths
from gridgov.inbox.models import Delivery, GroupRobot
from gridgov.people import scope
from gridgov.people.admin import ScopedAdminMixin


class GroupRobotForm(forms.ModelForm):
    """The robot's settings. The DingTalk secret is never written back into the page: left
    blank it keeps the stored one; "清除密钥" removes it."""

    webhook = forms.URLField(label=_("Webhook 地址"), max_length=500, assume_scheme="https")
    clear_secret = forms.BooleanField(label=_("清除密钥"), required=False)

    class Meta:
        model = GroupRobot
        fields = ["region", "name", "provider", "webhook", "secret", "kinds", "active"]
        widgets = {"secret": forms.PasswordInput(render_value=False)}
        help_texts = {"secret": _("钉钉“加签”安全设置的密钥；已设置的不再显示，留空则保留原值")}

    def clean_secret(self) -> str:
        secret = self.cleaned_data.get("secret") or ""
        if self.data.get(self.add_prefix("clear_secret")):
            return ""
        return secret or (self.instance.secret if self.instance.pk else "")


@admin.register(GroupRobot)
class GroupRobotAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = GroupRobotForm
    list_display = ["name", "region", "provider", "kinds", "active"]
    list_filter = ["provider", "active"]
    search_fields = ["name", "region__name"]
    autocomplete_fields = ["region"]

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        paths = scope.scope_paths(request.user)
        return qs if paths is scope.ALL else qs.filter(under_paths(paths, "region__path"))


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "channel",
        "shown_target",
        "kind",
        "shown_title",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "provider_id",
    ]
    list_filter = ["state", "channel", "urgent"]
    search_fields = ["title", "provider_id"]
    shown = (
        "created_at",
        "channel",
        "shown_target",
        "person",
        "robot",
        "kind",
        "urgent",
        "shown_title",
        "shown_text",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "provider_id",
        "sent_at",
    )
    fields = shown
    readonly_fields = shown

    @admin.display(description=_("接收"))
    def shown_target(self, obj: Delivery) -> str:
        return obj.masked_target

    # A row with neither a person nor a robot is a citizen's SMS (notify.text_citizen): its body
    # may hold the reporter's own signed link, so neither it nor an old row's title (its first
    # words) is shown to staff.
    @admin.display(description=_("标题"))
    def shown_title(self, obj: Delivery) -> str:
        return obj.title if obj.person_id or obj.robot_id else str(_("群众短信"))

    @admin.display(description=_("内容"))
    def shown_text(self, obj: Delivery) -> str:
        return obj.text if obj.person_id or obj.robot_id else str(_("（群众短信内容不显示）"))

    def get_queryset(self, request: Any) -> Any:
        return Delivery.objects.for_user(request.user).select_related("robot", "person")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
