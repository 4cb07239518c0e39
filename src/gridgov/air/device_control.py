"""Device control (设备控制): what may be asked of a station's HJ 212 device, who may ask, and
what each state of a command means (the model: air/device_models.py).

Commands and what they send (HJ 212-2017):

| kind | CN | data area | the device answers |
| --- | --- | --- | --- |
| time_sync (校时) | 1012 | SystemTime = the platform's time when sent | 9011, 9012 |
| get_interval rtd (查询实时数据间隔) | 1061 | — | 9011, 1061 RtdInterval, 9012 |
| get_interval min (查询分钟数据间隔) | 1063 | — | 9011, 1063 MinInterval, 9012 |
| set_interval rtd | 1062 | RtdInterval: 30–3600 s | 9011, 9012 |
| set_interval min | 1064 | MinInterval: 1, 2, 3, 4, 5, 6, 10, 12, 15, 20 or 30 min | 9011, 9012 |
| history (补传历史数据) | 2051 (2061: hourly station) | BeginTime, EndTime | 9011, data, 9012 |

The transitions (`TRANSITIONS`) are the whole workflow. A queued command not sent by its
`expires_at` (GRIDGOV_HJ212_COMMAND_EXPIRE_MINUTES after it was asked for: the device stayed
offline, or no receiver ran) is expired; a sent one not finished by its `answer_by` has failed.
Both are computed from those columns when a command is read (`state_of`), so a page never shows a
stale "queued" because the receiver was down; the receiver writes them down as it polls.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov import inputs
from gridgov.air.device_models import (
    OPEN_STATES,
    CommandKind,
    CommandState,
    DeviceCommand,
)
from gridgov.air.hj212 import codec
from gridgov.air.models import CST, Station
from gridgov.core.actor import Account, recorded_user
from gridgov.errors import CONFLICT, FORBIDDEN, INVALID, DomainError

PERMISSION = "air.control_device"

# HJ 212-2017: the real-time data interval (RtdInterval) in seconds, 30 ≤ n ≤ 3600; the minute
# data interval (MinInterval) in minutes, one of these.
RTD_RANGE = (30, 3600)
MIN_INTERVALS = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30)
INTERVALS = {"rtd": ("1061", "1062", "RtdInterval"), "min": ("1063", "1064", "MinInterval")}
REQUESTED = (
    CommandKind.TIME_SYNC,
    CommandKind.GET_INTERVAL,
    CommandKind.SET_INTERVAL,
    CommandKind.HISTORY,
)

TRANSITIONS: dict[str, tuple[str, ...]] = {
    CommandState.QUEUED: (CommandState.SENT, CommandState.EXPIRED),
    # Sent back to the queue when the device's connection was gone before it went out.
    CommandState.SENT: (
        CommandState.ACKNOWLEDGED,
        CommandState.DONE,
        CommandState.FAILED,
        CommandState.QUEUED,
    ),
    CommandState.ACKNOWLEDGED: (CommandState.DONE, CommandState.FAILED),
    CommandState.DONE: (),
    CommandState.FAILED: (),
    CommandState.EXPIRED: (),
}

# The device's answers: 9011 QnRtn (请求应答) and 9012 ExeRtn (执行结果).
QN_RTN = {
    1: _("准备执行请求"),
    2: _("请求被拒绝"),
    3: _("PW错误"),
    4: _("MN错误"),
    5: _("ST错误"),
    6: _("Flag错误"),
    7: _("QN错误"),
    8: _("CN错误"),
    9: _("CRC校验错误"),
    100: _("未知错误"),
}
EXE_RTN = {
    1: _("执行成功"),
    2: _("执行失败，原因不明"),
    3: _("命令请求条件错误"),
    4: _("通讯超时"),
    5: _("系统繁忙不能执行"),
    6: _("系统故障"),
    100: _("没有数据"),
}
NO_DATA = 100
NO_ANSWER = "no answer from the device in time"
NOT_SENT = "not sent in time: the device was offline"


def can_control(user: Account) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_perm(PERMISSION))


def may(move_from: str, move_to: str) -> bool:
    return move_to in TRANSITIONS.get(move_from, ())


# --- asking -----------------------------------------------------------------------------------


def request_command(
    user: Account, station: Station, kind: str, params: dict[str, Any] | None = None
) -> DeviceCommand:
    """Queue a command for the station's device (the caller has checked the station is in the
    account's scope). Forbidden without air.control_device; invalid parameters name their field
    (``params.value`` …); a station without an MN is a conflict."""
    if not can_control(user):
        raise DomainError(FORBIDDEN, "this account may not control devices (air.control_device)")
    if kind not in REQUESTED:
        raise DomainError(INVALID, f"unknown command {str(kind)[:30]!r}", "kind")
    if not station.mn:
        raise DomainError(CONFLICT, f"station {station.code} has no HJ 212 device (MN)")
    now = timezone.now()
    cleaned = clean_params(station, kind, params or {}, now)
    return DeviceCommand.objects.create(
        station=station,
        kind=kind,
        params=cleaned,
        requested_by=recorded_user(user),
        requested_at=now,
        expires_at=now + expire_after(),
    )


def expire_after() -> dt.timedelta:
    return dt.timedelta(minutes=settings.GRIDGOV_HJ212_COMMAND_EXPIRE_MINUTES)


def clean_params(
    station: Station, kind: str, params: dict[str, Any], now: dt.datetime
) -> dict[str, Any]:
    """A command's parameters as stored, or DomainError(invalid) naming `params.<name>`."""
    known = {
        CommandKind.TIME_SYNC: set(),
        CommandKind.GET_INTERVAL: {"which"},
        CommandKind.SET_INTERVAL: {"which", "value"},
        CommandKind.HISTORY: {"begin", "end"},
    }[CommandKind(kind)]
    extra = sorted(k for k, v in params.items() if v is not None and k not in known)
    if extra:
        raise DomainError(INVALID, f"{kind} takes no {extra[0]!r}", f"params.{extra[0]}")
    if kind == CommandKind.TIME_SYNC:
        return {}
    if kind == CommandKind.HISTORY:
        return _history_range(station, params, now)
    which = params.get("which") or "rtd"
    if which not in INTERVALS:
        raise DomainError(
            INVALID, "which interval: rtd (real-time) or min (minute)", "params.which"
        )
    if kind == CommandKind.GET_INTERVAL:
        return {"which": which}
    return {"which": which, "value": check_interval(which, params.get("value"))}


def check_interval(which: str, value: object) -> int:
    """An upload interval the standard allows: RtdInterval 30–3600 s, MinInterval one of
    MIN_INTERVALS minutes."""
    field = "params.value"
    if value is None or isinstance(value, bool) or not isinstance(value, int | str):
        raise DomainError(INVALID, "the interval is required (a whole number)", field)
    text = str(value).strip()
    if not text.isdigit():
        raise DomainError(INVALID, f"{text[:20]!r} is not a whole number", field)
    number = int(text)
    if which == "rtd" and not RTD_RANGE[0] <= number <= RTD_RANGE[1]:
        raise DomainError(
            INVALID,
            f"the real-time interval (RtdInterval) must be {RTD_RANGE[0]}–{RTD_RANGE[1]} "
            f"seconds (HJ 212-2017), not {number}",
            field,
        )
    if which == "min" and number not in MIN_INTERVALS:
        allowed = ", ".join(str(n) for n in MIN_INTERVALS)
        raise DomainError(
            INVALID,
            f"the minute interval (MinInterval) must be one of {allowed} minutes "
            f"(HJ 212-2017), not {number}",
            field,
        )
    return number


def _history_range(station: Station, params: dict[str, Any], now: dt.datetime) -> dict[str, str]:
    moments = {}
    for name in ("begin", "end"):
        moments[name] = _moment(f"params.{name}", params.get(name))
    begin, end = moments["begin"], moments["end"]
    days = settings.GRIDGOV_HJ212_HISTORY_MAX_DAYS
    if end <= begin:
        raise DomainError(INVALID, "the end must be after the beginning", "params.end")
    if end > now:
        raise DomainError(INVALID, "the end must not be in the future", "params.end")
    if end - begin > dt.timedelta(days=days):
        raise DomainError(INVALID, f"at most {days:g} days of history at once", "params.begin")
    if begin < now - dt.timedelta(days=settings.GRIDGOV_HJ212_HISTORY_MAX_AGE_DAYS):
        raise DomainError(
            INVALID,
            f"at most {settings.GRIDGOV_HJ212_HISTORY_MAX_AGE_DAYS:g} days back",
            "params.begin",
        )
    return {"begin": begin.astimezone(CST).isoformat(), "end": end.astimezone(CST).isoformat()}


def _moment(field: str, value: object) -> dt.datetime:
    """An ISO date-time (no offset: Beijing time), through the input boundary's text rules."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            inputs.check_text(field, text, 40)
            inputs.check_date_text(field, text, inputs.QUERY_YEARS)
            moment = dt.datetime.fromisoformat(text)
        except inputs.InputError as exc:
            raise DomainError(INVALID, exc.message, field) from None
        except ValueError:
            raise DomainError(INVALID, f"{text[:25]!r} is not a date and time", field) from None
    else:
        raise DomainError(INVALID, "a date and time is required (YYYY-MM-DDTHH:MM)", field)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=CST)
    if moment.year < inputs.QUERY_YEARS[0]:
        raise DomainError(INVALID, f"the year must be {inputs.QUERY_YEARS[0]} or later", field)
    return moment


# --- what a command sends ---------------------------------------------------------------------


def packet_of(command: DeviceCommand, interval_minutes: int, now: dt.datetime) -> tuple[str, str]:
    """(CN, data area) of a command sent at `now` (a time sync carries `now` itself)."""
    kind, params = command.kind, command.params or {}
    if kind == CommandKind.TIME_SYNC:
        return "1012", f"SystemTime={codec.stamp(now)}"
    if kind == CommandKind.HISTORY:
        begin = dt.datetime.fromisoformat(params["begin"])
        end = dt.datetime.fromisoformat(params["end"])
        cn = "2061" if interval_minutes >= 60 else "2051"
        return cn, f"BeginTime={codec.stamp(begin)};EndTime={codec.stamp(end)}"
    get_cn, set_cn, name = INTERVALS[params.get("which", "rtd")]
    if kind == CommandKind.GET_INTERVAL:
        return get_cn, ""
    return set_cn, f"{name}={int(params['value'])}"


def answer_seconds(command: DeviceCommand, interval_minutes: int) -> float:
    """How long a sent command may take: GRIDGOV_HJ212_COMMAND_ANSWER_SECONDS, and for history
    a tenth of a second more per interval asked for (the device sends them all first)."""
    base = float(settings.GRIDGOV_HJ212_COMMAND_ANSWER_SECONDS)
    if command.kind != CommandKind.HISTORY:
        return base
    params = command.params or {}
    try:
        span = dt.datetime.fromisoformat(params["end"]) - dt.datetime.fromisoformat(params["begin"])
    except (KeyError, ValueError):
        return base
    return base + span.total_seconds() / (60 * max(interval_minutes, 1)) / 10


# --- reading ----------------------------------------------------------------------------------


def state_of(command: DeviceCommand, now: dt.datetime | None = None) -> str:
    """The state as of `now`: a queued command past its `expires_at` is expired, a sent one past
    its `answer_by` has failed, whether or not the receiver has written it yet."""
    now = now or timezone.now()
    if command.state == CommandState.QUEUED and now >= command.expires_at:
        return CommandState.EXPIRED
    if (
        command.state in (CommandState.SENT, CommandState.ACKNOWLEDGED)
        and command.answer_by is not None
        and now >= command.answer_by
    ):
        return CommandState.FAILED
    return str(command.state)


def note_of(command: DeviceCommand, state: str) -> str:
    if command.note:
        return command.note
    if state != command.state:
        return NOT_SENT if state == CommandState.EXPIRED else NO_ANSWER
    return ""


def commands_of(user: Account, station: Station, limit: int = 50) -> list[DeviceCommand]:
    """The station's command log, newest first, each with its `shown_state` and `shown_note`."""
    now = timezone.now()
    rows = list(
        DeviceCommand.objects.for_user(user)
        .filter(station=station)
        .select_related("requested_by")[:limit]
    )
    for row in rows:
        row.shown_state = state_of(row, now)  # type: ignore[attr-defined]
        row.shown_note = note_of(row, row.shown_state)  # type: ignore[attr-defined]
        row.shown_label = CommandState(row.shown_state).label  # type: ignore[attr-defined]
    return rows


def is_open(command: DeviceCommand) -> bool:
    return command.state in OPEN_STATES
