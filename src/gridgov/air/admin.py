from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.air.device_models import DeviceCommand
from gridgov.air.forward_models import ForwardCursor, ForwardStation, ForwardTarget
from gridgov.air.hj212 import devices
from gridgov.air.models import Alarm, AlarmRule, DeviceStatus, Gateway, Station, Target
from gridgov.core.scopes import under_paths
from gridgov.people import scope
from gridgov.people.admin import ScopedAdminMixin

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

T = TypeVar("T")


def station_scope(request: Any, qs: Any, prefix: str = "") -> Any:
    paths = scope.scope_paths(request.user)
    if paths is None:
        return qs
    return qs.filter(
        Q(**{f"{prefix}grid__isnull": True}) | under_paths(paths, f"{prefix}grid__path")
    )


def checked(check: Callable[[Any], T], value: Any) -> T:
    """`check(value)`, a device configuration error shown on the form's field."""
    try:
        return check(value)
    except devices.DeviceConfigError as exc:
        raise forms.ValidationError(str(exc)) from exc


def new_password_field(label: StrOrPromise, help_text: StrOrPromise) -> forms.CharField:
    """A write-only password cell: never shown, left empty keeps the current one."""
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=help_text,
    )


class NewPasswordMixin:
    """`new_password` cleaned to None when left empty (the current password stays), else the
    password it sets ("-": an empty one, for loggers that send `PW=`)."""

    cleaned_data: dict[str, Any]

    def clean_new_password(self) -> str | None:
        pw = self.cleaned_data.get("new_password") or ""
        return checked(devices.parse_pw_cell, pw) if pw else None


class StationForm(NewPasswordMixin, forms.ModelForm):
    """The station, with its HJ 212 device: a new access password (stored hashed; left empty,
    the current one stays), and the code aliases and unit factors checked before saving."""

    new_password = new_password_field(
        _("设置新的设备密码(PW)"), _("留空则保持现有密码；填 - 表示设备不带密码（PW=）")
    )

    class Meta:
        model = Station
        fields = [
            "code",
            "name",
            "kind",
            "lat",
            "lon",
            "interval_minutes",
            "pollutants",
            "active",
            "token_revoked_at",
            "mn",
            "crc_variant",
            "device_codes",
            "device_factors",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "crc_variant" in self.fields:  # left out of a form: the standard CRC
            self.fields["crc_variant"].required = False

    def clean_crc_variant(self) -> str:
        return self.cleaned_data.get("crc_variant") or "hj212"

    def clean_mn(self) -> str | None:
        mn = (self.cleaned_data.get("mn") or "").strip()
        return checked(devices.check_mn, mn) if mn else None

    def clean_device_codes(self) -> dict[str, str]:
        return checked(devices.clean_codes, self.cleaned_data.get("device_codes"))

    def clean_device_factors(self) -> dict[str, float]:
        return checked(devices.clean_factors, self.cleaned_data.get("device_factors"))


@admin.register(Station)
class StationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = StationForm
    list_display = [
        "code",
        "name",
        "kind",
        "grid",
        "interval_minutes",
        "active",
        "token_prefix",
        "mn",
    ]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name", "mn"]
    readonly_fields = ["grid", "token_prefix", "token_revoked_at", "has_password"]
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
        "mn",
        "has_password",
        "new_password",
        "crc_variant",
        "device_codes",
        "device_factors",
    ]

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        return station_scope(request, qs)

    @admin.display(description=_("设备密码"), boolean=True)
    def has_password(self, obj: Station) -> bool:
        return bool(obj.pw_hash)

    def save_model(self, request: Any, obj: Station, form: Any, change: bool) -> None:
        from gridgov.territory.locate import locate

        new_password = form.cleaned_data.get("new_password")
        if new_password is not None:
            obj.pw_hash = devices.hash_password(new_password)

        where = locate(obj.lat, obj.lon)
        obj.grid_id = where.grid.id if where.inside and where.grid else None
        super().save_model(request, obj, form, change)


@admin.register(DeviceStatus)
class DeviceStatusAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Written by the HJ 212 receiver; read-only here."""

    list_display = ["station", "connected", "peer", "last_packet_at", "packets", "answered"]
    list_filter = ["connected"]
    list_select_related = ["station"]
    search_fields = ["station__code", "station__name", "station__mn"]

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        return station_scope(request, qs, "station__")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


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


# --- forwarding to upper platforms (gridgov hj212-forward) ------------------------------------
# The upper platform's password is stored as given (it is sent in every packet, so it cannot be
# hashed) and shown masked: the form never renders it, and a blank field keeps it.


def masked(pw: str) -> str:
    """`••••` and the last character (enough to tell two apart; `(无)` for an empty one)."""
    return f"••••{pw[-1:]}" if pw else str(_("(无)"))


class ForwardStationForm(NewPasswordMixin, forms.ModelForm):
    new_password = new_password_field(
        _("设置上级平台密码(PW)"),
        _("留空则保持现有密码；填 - 表示不带密码（PW=）。明文保存：每个数据包都要发送它"),
    )

    class Meta:
        model = ForwardStation
        fields = ["target", "station", "mn", "since", "enabled"]

    def clean_mn(self) -> str:
        return checked(devices.check_mn, (self.cleaned_data.get("mn") or "").strip())


@admin.register(ForwardTarget)
class ForwardTargetAdmin(admin.ModelAdmin):
    list_display = ["name", "host", "port", "enabled", "minute", "hourly", "st", "rate"]
    list_filter = ["enabled"]
    search_fields = ["name", "host"]


@admin.register(ForwardStation)
class ForwardStationAdmin(admin.ModelAdmin):
    form = ForwardStationForm
    list_display = ["station", "target", "mn", "password", "since", "enabled"]
    list_filter = ["target", "enabled"]
    list_select_related = ["station", "target"]
    search_fields = ["station__code", "station__name", "mn"]
    readonly_fields = ["password"]
    fields = ["target", "station", "mn", "password", "new_password", "since", "enabled"]

    @admin.display(description=_("上级平台密码"))
    def password(self, obj: ForwardStation) -> str:
        return masked(obj.pw)

    def save_model(self, request: Any, obj: ForwardStation, form: Any, change: bool) -> None:
        new_password = form.cleaned_data.get("new_password")
        if new_password is not None:
            obj.pw = new_password
        super().save_model(request, obj, form, change)


@admin.register(ForwardCursor)
class ForwardCursorAdmin(admin.ModelAdmin):
    """Where each station's forwarding stands; written by `gridgov hj212-forward` only."""

    list_display = ["link", "kind", "acked_ts", "updated_at"]
    list_filter = ["kind"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(DeviceCommand)
class DeviceCommandAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """The device control log (设备控制): written by the pages, the API and the receiver; read-only
    here (commands are sent from the station page)."""

    list_display = ["requested_at", "station", "kind", "state", "cn", "qn", "automatic", "note"]
    list_filter = ["kind", "state", "automatic"]
    list_select_related = ["station"]
    search_fields = ["station__code", "station__name", "station__mn", "qn"]
    date_hierarchy = "requested_at"

    def scope_queryset(self, request: Any, qs: Any) -> Any:
        return station_scope(request, qs, "station__")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


from gridgov.air import upkeep_admin  # noqa: E402,F401  (operators, calibrations, issues)
