"""The forwarder's database side: targets and links, the readings after a cursor as HJ 212 data
areas, the acknowledgement log and cursors, and the late-data sweep. Runs in the forwarder's
database thread, never on its event loop."""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass, field

from django.db import close_old_connections, connection, transaction

from gridgov.air.forward_models import (
    ForwardCursor,
    ForwardLog,
    ForwardStation,
    ForwardTarget,
)
from gridgov.air.hj212 import codec
from gridgov.air.models import CST, POLLUTANT_FIELDS, Flag, HourlyAggregate, Reading

HOUR = 3600
# Platform columns → HJ 212-2017 ambient-air codes.
CODES = {
    "pm25": "a34004",
    "pm10": "a34002",
    "so2": "a21026",
    "no2": "a21004",
    "co": "a21005",
    "o3": "a05024",
}
CN = {"minute": "2051", "hourly": "2061"}


@dataclass(frozen=True)
class Link:
    """A station forwarded to a target (ForwardStation), with the kinds it sends."""

    id: int
    station_id: int
    mn: str
    pw: str
    since: int
    kinds: tuple[str, ...]


@dataclass
class Target:
    id: int
    name: str
    host: str
    port: int
    st: str
    rate: float
    links: dict[int, Link] = field(default_factory=dict)


@dataclass(eq=False)
class Item:
    """One interval of one link and kind on its way: its data area and where it stands."""

    link: Link
    kind: str
    ts: int
    cp: str
    digest: int
    done: bool = False  # nothing to send, or already acknowledged with this data area
    late: bool = False  # behind the cursor (corrected or stored late): does not move it
    qn: str = ""
    sent_at: dt.datetime | None = None
    acked_at: dt.datetime | None = None
    retries: int = 0
    last_sent: float = 0.0  # monotonic

    def packet(self, st: str) -> bytes:
        cn = CN[self.kind]
        flag = codec.FLAG_V2017 | codec.FLAG_ANSWER
        return codec.frame(
            codec.segment_text(
                qn=self.qn, st=st, cn=cn, pw=self.link.pw, mn=self.link.mn, flag=flag, cp=self.cp
            )
        )


def _release() -> None:
    close_old_connections()


def close_thread_connection() -> None:
    connection.close()


def load_targets(names: list[str] | None = None) -> dict[int, Target]:
    """The enabled targets and their enabled links (minute data only for stations reporting
    more often than hourly: an hourly station's readings are its hours)."""
    _release()
    targets = ForwardTarget.objects.filter(enabled=True)
    if names:
        targets = targets.filter(name__in=names)
    out: dict[int, Target] = {}
    kinds: dict[int, list[str]] = {}
    for t in targets:
        out[t.id] = Target(t.id, t.name, t.host, t.port, t.st, t.rate)
        kinds[t.id] = t.kinds
    links = ForwardStation.objects.filter(
        target_id__in=list(out), enabled=True, station__active=True
    ).select_related("station")
    for link in links:
        own = tuple(
            k for k in kinds[link.target_id] if k != "minute" or link.station.interval_minutes < 60
        )
        out[link.target_id].links[link.id] = Link(
            link.id, link.station_id, link.mn, link.pw, link.since, own
        )
    return out


def load_cursors(link_ids: list[int]) -> dict[tuple[int, str], int]:
    _release()
    rows = ForwardCursor.objects.filter(link_id__in=link_ids)
    return {(c.link_id, c.kind): c.acked_ts for c in rows}


def _num(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def data_area(ts: int, values: dict[str, tuple[float, str]]) -> str:
    """`DataTime=…;a34004-Avg=v,a34004-Flag=N;…` ("" when there is no value to send)."""
    if not values:
        return ""
    groups = [f"DataTime={codec.stamp(dt.datetime.fromtimestamp(ts, CST))}"]
    for column, (value, letter) in values.items():
        code = CODES[column]
        groups.append(f"{code}-Avg={_num(value)},{code}-Flag={letter}")
    return ";".join(groups)


def _minute_rows(link: Link, lo: int, hi: int | None, limit: int | None) -> list[tuple[int, str]]:
    flags = [f"{p}_flag" for p in POLLUTANT_FIELDS]
    qs = Reading.objects.filter(station_id=link.station_id, ts__gt=lo, ts__gte=link.since)
    if hi is not None:
        qs = qs.filter(ts__lte=hi)
    rows = qs.order_by("ts").values_list("ts", *POLLUTANT_FIELDS, *flags)
    out: list[tuple[int, str]] = []
    n = len(POLLUTANT_FIELDS)
    for row in rows[:limit] if limit else rows:
        values: dict[str, tuple[float, str]] = {}
        for j, p in enumerate(POLLUTANT_FIELDS):
            v = row[1 + j]
            if v is not None and v == v:  # not NULL, not NaN
                values[p] = (float(v), Flag.device_letter(int(row[1 + n + j])) or "N")
        out.append((int(row[0]), data_area(int(row[0]), values)))
    return out


def _hourly_rows(link: Link, lo: int, hi: int, limit: int | None) -> list[tuple[int, str]]:
    sums = [x for p in POLLUTANT_FIELDS for x in (f"{p}_sum", f"{p}_n")]
    qs = HourlyAggregate.objects.filter(
        station_id=link.station_id, ts__gt=lo, ts__gte=link.since, ts__lte=hi
    )
    rows = qs.order_by("ts").values_list("ts", "need", *sums)
    out: list[tuple[int, str]] = []
    for row in rows[:limit] if limit else rows:
        need = max(1, int(row[1]))
        values: dict[str, tuple[float, str]] = {}
        for j, p in enumerate(POLLUTANT_FIELDS):
            total, n = row[2 + 2 * j], int(row[3 + 2 * j])
            if n >= need:  # the hour's mean is valid
                values[p] = (float(total) / n, "N")
        out.append((int(row[0]), data_area(int(row[0]), values)))
    return out


def _rows(
    link: Link, kind: str, lo: int, hi: int | None, limit: int | None, now: float, grace: float
) -> list[tuple[int, str]]:
    if kind == "hourly":
        newest = int(now - grace) - HOUR  # an hour is sent once it is over (and the grace)
        return _hourly_rows(link, lo, newest if hi is None else min(hi, newest), limit)
    return _minute_rows(link, lo, hi, limit)


def _acked(link: Link, kind: str, lo: int, hi: int | None) -> dict[int, tuple[int, bool]]:
    qs = ForwardLog.objects.filter(link_id=link.id, kind=kind, ts__gt=lo)
    if hi is not None:
        qs = qs.filter(ts__lte=hi)
    return {ts: (d, a is not None) for ts, d, a in qs.values_list("ts", "digest", "acked_at")}


def digest(cp: str) -> int:
    return zlib.crc32(cp.encode("ascii"))


def fetch(
    requests: list[tuple[Link, str, int]], limit: int, now: float, grace: float
) -> dict[tuple[int, str], list[Item]]:
    """For each (link, kind, after): the next `limit` intervals after `after`, as items; those
    the log holds as acknowledged with the same data area (sent before a restart) and those
    with nothing to send are `done`."""
    _release()
    out: dict[tuple[int, str], list[Item]] = {}
    for link, kind, after in requests:
        rows = _rows(link, kind, after, None, limit, now, grace)
        if not rows:
            out[(link.id, kind)] = []
            continue
        log = _acked(link, kind, after, rows[-1][0])
        items = []
        for ts, cp in rows:
            d = digest(cp)
            known = log.get(ts)
            items.append(Item(link, kind, ts, cp, d, done=not cp or known == (d, True)))
        out[(link.id, kind)] = items
    return out


def sweep(
    requests: list[tuple[Link, str, int, set[int]]], lookback: float, now: float, grace: float
) -> list[Item]:
    """Late data: for each (link, kind, cursor, busy), the intervals within `lookback` seconds
    behind the cursor whose data area the upper platform has not acknowledged (stored after
    the cursor passed them, or corrected since), except those in `busy` (on their way); and the
    log rows older than that window are deleted (the log's retention)."""
    _release()
    late: list[Item] = []
    for link, kind, cursor, busy in requests:
        lo = max(link.since - 1, int(cursor - lookback))
        ForwardLog.objects.filter(link_id=link.id, kind=kind, ts__lte=lo).delete()
        if cursor <= lo:
            continue
        log = _acked(link, kind, lo, cursor)
        for ts, cp in _rows(link, kind, lo, cursor, None, now, grace):
            d = digest(cp)
            if cp and ts not in busy and log.get(ts) != (d, True):
                late.append(Item(link, kind, ts, cp, d, late=True))
    return late


LogRow = tuple[int, str, int, str, int, dt.datetime, dt.datetime | None, int]


def record(logs: list[LogRow], cursors: dict[tuple[int, str], int]) -> None:
    """Writes what was sent and acknowledged and the cursors it moved, in one transaction (a
    cursor never gets ahead of its log)."""
    _release()
    with transaction.atomic():
        if logs:
            ForwardLog.objects.bulk_create(
                [
                    ForwardLog(
                        link_id=lid,
                        kind=k,
                        ts=ts,
                        qn=qn,
                        digest=d,
                        sent_at=s,
                        acked_at=a,
                        retries=r,
                    )
                    for lid, k, ts, qn, d, s, a, r in logs
                ],
                update_conflicts=True,
                unique_fields=["link", "kind", "ts"],
                update_fields=["qn", "digest", "sent_at", "acked_at", "retries"],
                batch_size=500,
            )
        if cursors:
            ForwardCursor.objects.bulk_create(
                [
                    ForwardCursor(link_id=lid, kind=k, acked_ts=ts)
                    for (lid, k), ts in cursors.items()
                ],
                update_conflicts=True,
                unique_fields=["link", "kind"],
                update_fields=["acked_ts", "updated_at"],
            )
