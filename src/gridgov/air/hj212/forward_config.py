"""Binding stations to an upper platform (`gridgov import-forward`): a CSV of station,mn,pw
[,since] — the station's code here, the MN and password the upper platform knows it by (`-`
for an empty password), and optionally the first data time to forward (YYYY-MM-DD or
YYYY-MM-DDTHH:MM, China time; blank: from the import on, or unchanged for a station already
bound). The password is stored as given: it is sent to the upper platform in every packet."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from dataclasses import dataclass, field

from django.db import transaction

from gridgov.air.forward_models import ForwardStation, ForwardTarget
from gridgov.air.hj212 import devices
from gridgov.air.models import CST, Station


@dataclass
class ForwardRow:
    station_id: int
    code: str
    mn: str
    pw: str
    since: int | None


@dataclass
class ForwardReport:
    rows: list[ForwardRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def parse_since(text: str) -> int:
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return int(dt.datetime.strptime(text, fmt).replace(tzinfo=CST).timestamp())
        except ValueError:
            continue
    raise devices.DeviceConfigError("since must be YYYY-MM-DD or YYYY-MM-DDTHH:MM (China time)")


def read_forward_csv(text: str, target: ForwardTarget | None) -> ForwardReport:
    """Checks every row (station known and once, MN valid and once, PW valid) and, for an
    existing target, which bindings it creates or changes."""
    report = ForwardReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in ("station", "mn", "pw") if c not in (reader.fieldnames or [])]
    if missing:
        report.problems.append(f"line 1: column(s) {', '.join(missing)} missing")
        return report
    stations = dict(Station.objects.values_list("code", "id"))
    seen_station: dict[str, int] = {}
    seen_mn: dict[str, int] = {}
    for number, row in enumerate(reader, start=2):
        code = (row.get("station") or "").strip()
        mn = (row.get("mn") or "").strip()
        pw = row.get("pw") or ""
        since_text = (row.get("since") or "").strip()
        try:
            if code not in stations:
                raise devices.DeviceConfigError(f"no station {code!r}")
            if code in seen_station:
                raise devices.DeviceConfigError(f"station {code} also on line {seen_station[code]}")
            devices.check_mn(mn)
            if mn in seen_mn:
                raise devices.DeviceConfigError(f"MN {mn} also on line {seen_mn[mn]}")
            pw = devices.parse_pw_cell(pw)
            since = parse_since(since_text) if since_text else None
        except devices.DeviceConfigError as exc:
            report.problems.append(f"line {number}: {exc}")
            continue
        seen_station[code], seen_mn[mn] = number, number
        report.rows.append(ForwardRow(stations[code], code, mn, pw, since))
    if target is not None and target.pk:
        current = {f.station_id: f for f in ForwardStation.objects.filter(target=target)}
        for r in report.rows:
            old = current.get(r.station_id)
            if old is None:
                report.created.append(r.code)
            elif (old.mn, old.pw) != (r.mn, r.pw) or (r.since is not None and r.since != old.since):
                report.changed.append(r.code)
            else:
                report.unchanged.append(r.code)
    else:
        report.created = [r.code for r in report.rows]
    return report


def apply_forward(target: ForwardTarget, report: ForwardReport) -> None:
    """Saves the target and its bindings (a station's MN moved between rows is freed first)."""
    now = int(time.time())
    with transaction.atomic():
        target.save()
        current = {f.station_id: f for f in ForwardStation.objects.filter(target=target)}
        mns = {r.mn for r in report.rows}
        # MNs taken by other stations of this target that the file gives away.
        ForwardStation.objects.filter(target=target, mn__in=mns).exclude(
            station_id__in=[r.station_id for r in report.rows if r.mn in mns]
        ).delete()
        for r in report.rows:
            old = current.get(r.station_id)
            if old is None:
                ForwardStation.objects.create(
                    target=target,
                    station_id=r.station_id,
                    mn=r.mn,
                    pw=r.pw,
                    since=now if r.since is None else r.since,
                )
            else:
                old.mn, old.pw = r.mn, r.pw
                if r.since is not None:
                    old.since = r.since
                old.save()
