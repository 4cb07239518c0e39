"""The station page's device control (设备控制): its buttons post here; the command log is read
by `control_context`. Thin: the rules are air/device_control.py's."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.air import device_control
from gridgov.air.device_models import CommandKind
from gridgov.air.models import Station
from gridgov.core.actor import Account
from gridgov.errors import FORBIDDEN, DomainError

PARAMS = ("which", "value", "begin", "end")
LOG_LENGTH = 20


def control_context(user: Account, station: Station) -> dict[str, Any]:
    """What the station page shows of device control: the buttons (with the permission), the
    last commands with their states, and the intervals the standard allows."""
    return {
        "can_control": bool(station.mn) and device_control.can_control(user),
        "commands": device_control.commands_of(user, station, LOG_LENGTH),
        "rtd_range": device_control.RTD_RANGE,
        "min_intervals": device_control.MIN_INTERVALS,
        "qn_rtn": device_control.QN_RTN,
        "exe_rtn": device_control.EXE_RTN,
    }


@login_required
@require_POST
def device_command(request: HttpRequest, code: str) -> HttpResponse:
    station = Station.objects.for_user(request.user).filter(code=code).first()
    if station is None:  # unknown or outside the scope: the same answer
        raise Http404(_("没有这个站点"))
    kind = request.POST.get("kind", "")
    params = {k: request.POST[k] for k in PARAMS if request.POST.get(k, "").strip()}
    back = reverse("air:station", args=[station.code]) + "#device-control"
    try:
        command = device_control.request_command(request.user, station, kind, params)
    except DomainError as exc:
        if exc.kind == FORBIDDEN:
            raise PermissionDenied(exc.message) from exc
        where = f"{exc.field}: " if exc.field else ""
        messages.error(request, _("命令未发出：") + where + exc.message)
        return redirect(back)
    messages.success(
        request,
        _("已排队：%(kind)s。设备在线时由接收服务下发，结果见下方记录。")
        % {"kind": CommandKind(command.kind).label},
    )
    return redirect(back)
