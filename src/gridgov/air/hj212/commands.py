"""Device control, the receiver's database side (runs in its database thread, never on the loop).

Every GRIDGOV_HJ212_COMMAND_SECONDS the loop hands `poll` what it has learnt since the last
poll (`ops`: the devices' answers, notices and automatic commands to log) and the stations whose
device is connected now. `poll` writes the answers, writes down the commands whose deadline has
passed (expired, failed), and claims the queued commands of connected devices with a
conditional update (queued → sent, with their QN), which the loop then writes on the devices'
connections. The web server and the receiver only meet in these rows.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone

from gridgov.air import device_control as control
from gridgov.air.device_models import OPEN_STATES, CommandKind, CommandState, DeviceCommand
from gridgov.air.hj212 import codec
from gridgov.air.models import CST

log = logging.getLogger("gridgov.hj212")

CLAIM_LIMIT = 500  # queued commands looked at per poll
Op = dict[str, Any]


@dataclass
class Outgoing:
    """A claimed command for the loop to send."""

    id: int
    station_id: int
    kind: str
    cn: str
    cp: str
    qn: str
    answer_seconds: float
    begin: int | None = None  # a history request's range (epoch seconds)
    end: int | None = None


def poll(online: Collection[int], ops: list[Op], claim: bool = True) -> list[Outgoing]:
    """Apply the loop's ops, write down what is overdue, claim what can be sent now."""
    close_old_connections()
    try:
        for op in ops:
            try:
                with transaction.atomic():
                    apply(op)
            except Exception:
                log.exception(
                    "device control: %s of station %s failed", op["op"], op.get("station")
                )
        now = timezone.now()
        sweep(now)
        return claim_due(online, now) if claim and online else []
    finally:
        connection.close()


def sweep(now: dt.datetime) -> None:
    """Queued past `expires_at` → expired; sent past `answer_by` → failed (as `state_of` reads
    them; the deadline is the time written)."""
    DeviceCommand.objects.filter(state=CommandState.QUEUED, expires_at__lte=now).update(
        state=CommandState.EXPIRED, finished_at=F("expires_at"), note=control.NOT_SENT
    )
    DeviceCommand.objects.filter(
        state__in=(CommandState.SENT, CommandState.ACKNOWLEDGED), answer_by__lte=now
    ).update(state=CommandState.FAILED, finished_at=F("answer_by"), note=control.NO_ANSWER)


def claim_due(online: Collection[int], now: dt.datetime) -> list[Outgoing]:
    queued = (
        DeviceCommand.objects.filter(state=CommandState.QUEUED, expires_at__gt=now)
        .select_related("station")
        .order_by("requested_at", "id")[:CLAIM_LIMIT]
    )
    out = []
    for command in queued:
        if command.station_id not in online:
            continue
        interval = command.station.interval_minutes
        cn, cp = control.packet_of(command, interval, now)
        qn = next_qn()
        seconds = control.answer_seconds(command, interval)
        claimed = DeviceCommand.objects.filter(pk=command.pk, state=CommandState.QUEUED).update(
            state=CommandState.SENT,
            cn=cn,
            qn=qn,
            sent_at=now,
            answer_by=now + dt.timedelta(seconds=seconds),
        )
        if not claimed:
            continue
        begin, end = _range(command.params) if command.kind == CommandKind.HISTORY else (None, None)
        out.append(
            Outgoing(command.pk, command.station_id, command.kind, cn, cp, qn, seconds, begin, end)
        )
    return out


def _range(params: dict[str, Any]) -> tuple[int | None, int | None]:
    try:
        begin = dt.datetime.fromisoformat(params["begin"])
        end = dt.datetime.fromisoformat(params["end"])
    except (KeyError, TypeError, ValueError):
        return None, None
    return int(begin.timestamp()), int(end.timestamp())


_qn_lock = threading.Lock()
_last_qn_ms = [0]


def next_qn() -> str:
    """A QN (the time to the millisecond) never handed out before by this process."""
    with _qn_lock:
        ms = max(int(time.time() * 1000), _last_qn_ms[0] + 1)
        _last_qn_ms[0] = ms
    return codec.qn_now(dt.datetime.fromtimestamp(ms / 1000, CST))


# --- the loop's ops ---------------------------------------------------------------------------


def apply(op: Op) -> None:
    kind = op["op"]
    if kind == "answer":
        answer(op)
    elif kind == "log":
        DeviceCommand.objects.create(
            station_id=op["station"],
            kind=op["kind"],
            params=op.get("params", {}),
            cn=op["cn"],
            qn=op.get("qn", ""),
            state=op["state"],
            automatic=True,
            requested_at=op["at"],
            expires_at=op["at"],
            sent_at=op["at"] if op["state"] == CommandState.SENT else None,
            answer_by=op.get("answer_by"),
            finished_at=op["at"] if op["state"] == CommandState.DONE else None,
            answer=op.get("answer", {}),
            note=op.get("note", "")[:200],
        )
    elif kind == "requeue":
        DeviceCommand.objects.filter(pk=op["id"], state=CommandState.SENT).update(
            state=CommandState.QUEUED, qn="", sent_at=None, answer_by=None
        )
    elif kind == "auto_sync":
        auto_time_sync(op["station"], op["offset"], op["at"])


def auto_time_sync(station_id: int, offset: float, at: dt.datetime) -> DeviceCommand | None:
    """Queue a time sync for a device whose clock is `offset` seconds off, unless one was queued
    automatically within GRIDGOV_HJ212_CLOCK_SYNC_MINUTES or one is still open."""
    since = at - dt.timedelta(minutes=settings.GRIDGOV_HJ212_CLOCK_SYNC_MINUTES)
    syncs = DeviceCommand.objects.filter(station_id=station_id, kind=CommandKind.TIME_SYNC)
    if (
        syncs.filter(automatic=True, requested_at__gt=since).exists()
        or syncs.filter(state__in=OPEN_STATES).exists()
    ):
        return None
    return DeviceCommand.objects.create(
        station_id=station_id,
        kind=CommandKind.TIME_SYNC,
        params={"offset": round(offset, 1)},
        automatic=True,
        requested_at=at,
        expires_at=at + control.expire_after(),
        note=f"device clock off by {offset:+.0f} s",
    )


def answer(op: Op) -> None:
    """A device's answer to a command it was sent (by station and QN): 9011 QnRtn, an upload of
    the value asked for, 9012 ExeRtn."""
    row = (
        DeviceCommand.objects.select_for_update()
        .filter(
            station_id=op["station"],
            qn=op["qn"],
            state__in=(CommandState.SENT, CommandState.ACKNOWLEDGED),
        )
        .order_by("-id")
        .first()
    )
    if row is None:  # finished already (a late answer), or not ours
        return
    at: dt.datetime = op["at"]
    if op.get("answer"):
        row.answer = {**(row.answer or {}), **op["answer"]}
    qn_rtn, exe_rtn = op.get("qn_rtn"), op.get("exe_rtn")
    if qn_rtn is not None:
        row.qn_rtn = qn_rtn
        if qn_rtn == 1:
            if control.may(row.state, CommandState.ACKNOWLEDGED):
                row.state, row.acknowledged_at = CommandState.ACKNOWLEDGED, at
        else:
            row.state, row.finished_at = CommandState.FAILED, at
            row.note = f"QnRtn={qn_rtn} {control.QN_RTN.get(qn_rtn, '')}".strip()
    if exe_rtn is not None and control.is_open(row):
        row.exe_rtn = exe_rtn
        row.finished_at = at
        if exe_rtn == 1 or (exe_rtn == control.NO_DATA and row.kind == CommandKind.HISTORY):
            row.state = CommandState.DONE
            row.note = str(control.EXE_RTN[exe_rtn]) if exe_rtn != 1 else row.note
        else:
            row.state = CommandState.FAILED
            row.note = f"ExeRtn={exe_rtn} {control.EXE_RTN.get(exe_rtn, '')}".strip()
    row.save()
