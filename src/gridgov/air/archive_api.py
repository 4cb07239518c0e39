"""A station's raw packets of a day over the API (原始报文存档, air/packet_archive.py)."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router
from ninja.params import functions as param

from gridgov import inputs
from gridgov.air import packet_archive as pa
from gridgov.air.models import CST, Station
from gridgov.apikit import ApiError, errors
from gridgov.schemas import Schema

router = Router()


class ArchivedPacketOut(Schema):
    n: int = Field(description="the record's number in the day's archive file")
    received_at: dt.datetime = Field(description="when the receiver read it (UTC, ms)")
    peer: str = Field(description="the device's address and port")
    outcome: str = Field(
        description="accepted (handed to storage; answered once stored), refused (see reason), "
        "device_answer, notice, upload, split_part"
    )
    reason: str = Field(description="why it was refused (crc, wrong_pw, malformed, …), else empty")
    raw: str = Field(
        description="the packet as text, CR LF at its end left out, other bytes that are not "
        "printable ASCII escaped (\\r, \\x1b …)"
    )
    raw_base64: str = Field(description="the packet's exact bytes as received, base64")
    receiver: str = Field(
        description="the archive name of the receiver that read it (GRIDGOV_HJ212_ARCHIVE_NAME; "
        "empty for a day file from before several receivers); `n` counts in that receiver's file"
    )


class ArchiveVerificationOut(Schema):
    ok: bool = Field(description="the day's chain and hashes are whole and match its checkpoint")
    records: int = Field(
        description="records of the day (every station, every receiver's chain) that verified"
    )
    head_hash: str = Field(description="hash of the day's last verified record")
    checkpoint_records: int | None = Field(description="records at the database checkpoint")
    sealed: bool = Field(description="the day is closed (a later day has begun)")
    bad_line: int | None = Field(description="the first bad line of the day's file")
    why: str = Field(description="what is wrong there")


class StationPacketsOut(Schema):
    station: str
    mn: str | None
    day: dt.date = Field(description="China time")
    packets: list[ArchivedPacketOut]
    verification: ArchiveVerificationOut


def verification_out(v: pa.Verification) -> dict[str, Any]:
    return {
        "ok": v.ok,
        "records": v.records,
        "head_hash": v.head,
        "checkpoint_records": v.checkpoint_records,
        "sealed": v.sealed,
        "bad_line": v.bad_line,
        "why": v.why,
    }


def packet_out(p: pa.ArchivedPacket) -> dict[str, Any]:
    return {
        "n": p.n,
        "received_at": p.received_at,
        "peer": p.peer,
        "outcome": p.outcome,
        "reason": p.reason,
        "raw": p.text,
        "raw_base64": base64.b64encode(p.raw).decode("ascii"),
        "receiver": p.receiver,
    }


@router.get(
    "/air/stations/{code}/packets",
    response={200: StationPacketsOut, **errors(400, 401, 404)},
)
def station_packets(
    request: HttpRequest,
    code: str,
    day: str | None = param.Query(None, description="YYYY-MM-DD (China time), default today"),
) -> Any:
    """The raw HJ 212 packets the receiver read from the station's device on a day (its current
    MN), as archived, with the day's verification (hash chain, database checkpoint). A station
    outside the caller's scope is 404, as an unknown one."""
    station = Station.objects.for_user(request.user).filter(code=code).first()
    if station is None:
        raise ApiError(404, f"no station with code {code!r}", field="code")
    when = inputs.parse_date("day", day, dt.datetime.now(CST).date())
    if pa.archive_dir() is None:
        raise ApiError(404, "the packet archive is off (GRIDGOV_PACKET_ARCHIVE_DIR)", field="day")
    if station.mn:
        packets, v = pa.packets_of(when, station.mn)
    else:
        packets, v = [], pa.verify_day(when)
    return {
        "station": station.code,
        "mn": station.mn or None,
        "day": when,
        "packets": [packet_out(p) for p in packets],
        "verification": verification_out(v),
    }
