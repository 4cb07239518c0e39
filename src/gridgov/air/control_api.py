"""Device control endpoints (设备控制): queue a command for a station's HJ 212 device, and read
its command log. Sending needs air.control_device (the command office); reading, only that the
station is in the caller's scope. A station outside the scope is the same 404 as an unknown one.
The receiver (`gridgov hj212`) sends queued commands to devices that are online and writes their
answers (air/device_control.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Status
from ninja.params import functions as param

from gridgov.air import device_control
from gridgov.air.device_models import DeviceCommand
from gridgov.air.models import Station
from gridgov.apikit import ApiError, errors
from gridgov.errors import DomainError
from gridgov.schemas import Schema

router = Router()

Kind = Literal["time_sync", "get_interval", "set_interval", "history"]
State = Literal["queued", "sent", "acknowledged", "done", "failed", "expired"]


class DeviceCommandParamsIn(Schema):
    """The parameters a command takes (the others must be left out)."""

    which: Literal["rtd", "min"] | None = Field(
        default=None,
        description="get_interval/set_interval: rtd = real-time data interval (RtdInterval, "
        "CN=1061/1062, seconds), min = minute data interval (MinInterval, CN=1063/1064, "
        "minutes); rtd when absent",
    )
    value: int | None = Field(
        default=None,
        description="set_interval: RtdInterval 30–3600 seconds, or MinInterval one of 1, 2, 3, "
        "4, 5, 6, 10, 12, 15, 20, 30 minutes (HJ 212-2017)",
    )
    begin: dt.datetime | None = Field(
        default=None, description="history: the first interval asked for; no offset = Beijing time"
    )
    end: dt.datetime | None = Field(
        default=None,
        description="history: the last one, not in the future, at most "
        "GRIDGOV_HJ212_HISTORY_MAX_DAYS (7) days after `begin`",
    )


class DeviceCommandIn(Schema):
    kind: Kind = Field(
        description="time_sync (校时, CN=1012 with the platform's time), get_interval "
        "(查询上传间隔), set_interval (设置上传间隔), history (补传历史数据, CN=2051/2061)"
    )
    params: DeviceCommandParamsIn = Field(default_factory=DeviceCommandParamsIn)


class DeviceCommandOut(Schema):
    id: int
    station: str
    kind: Literal["time_sync", "get_interval", "set_interval", "history", "restart"] = Field(
        description="restart: a device's restart notice (CN=2081), logged with the commands"
    )
    params: dict[str, str | int | float] = Field(
        description="which, value (intervals); begin, end (history); offset (an automatic time "
        "sync: the device's clock, seconds ahead of the platform's)"
    )
    cn: str = Field(description="the HJ 212 command code sent (empty until sent)")
    qn: str = Field(description="the request's QN, echoed by the device's answers")
    state: State = Field(
        description="queued → sent → acknowledged (9011 QnRtn=1) → done (9012 ExeRtn=1); "
        "failed (refused, or no answer by answer_by); expired (not sent by expires_at)"
    )
    automatic: bool = Field(description="sent by the platform itself (a clock off, a reconnect)")
    requested_by: str | None
    requested_at: dt.datetime
    expires_at: dt.datetime
    sent_at: dt.datetime | None
    answer_by: dt.datetime | None
    acknowledged_at: dt.datetime | None
    finished_at: dt.datetime | None
    qn_rtn: int | None = Field(description="the device's request answer (9011 QnRtn)")
    exe_rtn: int | None = Field(description="the device's execution result (9012 ExeRtn)")
    answer: dict[str, str | int | float] = Field(
        description="what the device sent back: SystemTime and offset_seconds (1011), "
        "RtdInterval (1061), MinInterval (1063), received (history: its data packets in the "
        "range), RestartTime (a restart notice)"
    )
    note: str


def command_out(c: DeviceCommand, station: Station) -> dict[str, Any]:
    state = device_control.state_of(c)
    return {
        "id": c.pk,
        "station": station.code,
        "kind": c.kind,
        "params": c.params or {},
        "cn": c.cn,
        "qn": c.qn,
        "state": state,
        "automatic": c.automatic,
        "requested_by": c.requested_by.get_username() if c.requested_by else None,
        "requested_at": c.requested_at,
        "expires_at": c.expires_at,
        "sent_at": c.sent_at,
        "answer_by": c.answer_by,
        "acknowledged_at": c.acknowledged_at,
        "finished_at": c.finished_at,
        "qn_rtn": c.qn_rtn,
        "exe_rtn": c.exe_rtn,
        "answer": c.answer or {},
        "note": device_control.note_of(c, state),
    }


def _station(request: HttpRequest, code: str) -> Station:
    station = Station.objects.for_user(request.user).filter(code=code).first()
    if station is None:  # unknown or outside the caller's scope: one 404
        raise ApiError(404, f"no station with code {code!r}", field="code")
    return station


@router.post(
    "/air/stations/{code}/commands",
    response={201: DeviceCommandOut, **errors(400, 401, 403, 404, 409, 413)},
)
def send_command(request: HttpRequest, code: str, payload: DeviceCommandIn) -> Any:
    """Queue a command for the station's device; the receiver sends it once the device is
    online (within GRIDGOV_HJ212_COMMAND_SECONDS), else it expires after
    GRIDGOV_HJ212_COMMAND_EXPIRE_MINUTES. 403 without air.control_device; 409 for a station
    without an HJ 212 device (MN)."""
    station = _station(request, code)
    params = payload.params.model_dump(exclude_none=True)
    try:
        command = device_control.request_command(request.user, station, payload.kind, params)
    except DomainError as exc:  # named as the body's own fields (payload.params.value …)
        if exc.field is None:
            raise
        raise exc.about(f"payload.{exc.field}") from exc
    return Status(201, command_out(command, station))


@router.get(
    "/air/stations/{code}/commands",
    response={200: list[DeviceCommandOut], **errors(400, 401, 404)},
)
def list_commands(
    request: HttpRequest,
    code: str,
    limit: int = param.Query(50, ge=1, le=1000),
    offset: int = param.Query(0, ge=0, le=1_000_000),
) -> Any:
    """The station's command log, newest first (with the device's restart notices)."""
    station = _station(request, code)
    rows = (
        DeviceCommand.objects.for_user(request.user)
        .filter(station=station)
        .select_related("requested_by")[offset : offset + limit]
    )
    return [command_out(c, station) for c in rows]
