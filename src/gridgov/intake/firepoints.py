"""Satellite fire points (卫星遥感火点) as the provincial ecology department distributes them:
a CSV (or JSON / GeoJSON of Points) per pass or per day.

Columns accepted (any one alias per field; case, spaces, `_`, `-` and brackets ignored):

| field      | aliases                                                   | required |
|------------|-----------------------------------------------------------|----------|
| id         | 编号, 火点编号, 火点ID, id, fid, fire_id, point_id             | yes      |
| lon        | 经度, lon, lng, longitude, x                               | yes      |
| lat        | 纬度, lat, latitude, y                                     | yes      |
| time       | 时间, 发现时间, 监测时间, 过境时间, time, datetime, observed_at    | yes (*) |
| date       | 日期, date, acq_date                                       | with clock |
| clock      | 时刻, acq_time (HHMM)                                      | with date |
| confidence | 可信度, 置信度, confidence (0–100, 0–1, or l/n/h)            | no       |
| satellite  | 卫星, 卫星名称, 传感器, satellite, sensor                       | no       |
| land type  | 地类, 土地类型, 土地利用类型, land_type, landuse                  | no       |
| address    | 地址, 位置, 乡镇, address, location, town                      | no       |

Times: ISO 8601 (with or without offset), `YYYY-MM-DD HH:MM[:SS]`, `YYYY/MM/DD HH:MM`,
`YYYYMMDD HHMM`, `2026年12月07日 13:25`, `2026年12月07日13时25分`; without an offset they are
China time (`--utc`: UTC, as NASA FIRMS lists give acq_date/acq_time). Farmland land types
(耕地, 农田, 旱地, 水田) file under 秸秆焚烧, any other under 露天焚烧; no land type: 秸秆焚烧.

Points are taken in time order, so repeats merge into the earliest point's event whatever the
file's order. (*) or date + clock. A bad row is reported (row and field) and counted as
refused; the others go on."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gridgov.core.workcal import CST
from gridgov.intake import rows
from gridgov.intake.batch import take_many
from gridgov.intake.models import IntakeSystem
from gridgov.intake.take import Detection

ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("编号", "火点编号", "火点ID", "id", "fid", "fire_id", "point_id"),
    "lon": ("经度", "lon", "lng", "longitude", "x"),
    "lat": ("纬度", "lat", "latitude", "y"),
    "time": ("时间", "发现时间", "监测时间", "过境时间", "time", "datetime", "observed_at"),
    "date": ("日期", "date", "acq_date"),
    "clock": ("时刻", "acq_time"),
    "confidence": ("可信度", "置信度", "confidence"),
    "satellite": ("卫星", "卫星名称", "传感器", "satellite", "sensor"),
    "land_type": ("地类", "土地类型", "土地利用类型", "land_type", "landuse"),
    "address": ("地址", "位置", "乡镇", "address", "location", "town"),
}


@dataclass
class ImportSummary:
    counts: Counter[str] = field(default_factory=Counter)  # created, merged, outside, …
    errors: list[rows.RowError] = field(default_factory=list)

    @property
    def refused(self) -> int:
        return self.counts["refused"] + len(self.errors)

    def line(self) -> str:
        c = self.counts
        return (
            f"imported {c['created']}, merged {c['merged']}, outside {c['outside']}, "
            f"refused {self.refused}, already known {c['repeated']}"
        )


def detection(
    record: dict[str, Any], columns: dict[str, str], naive_tz: dt.tzinfo = CST
) -> Detection:
    """One row as a Detection; rows.CellError (with `.field`) for a bad cell."""
    get = lambda name: rows.cell(record, columns, name)  # noqa: E731
    current = "id"
    try:
        external_id = rows.text(get("id"), 64)
        if not external_id:
            raise rows.CellError("an id is required")
        current = "lon"
        lon = rows.number(get("lon"), -180, 180)
        current = "lat"
        lat = rows.number(get("lat"), -90, 90)
        current = "time"
        if "time" in columns:
            detected_at = rows.when(get("time"), naive_tz)
        else:
            detected_at = _date_and_clock(get("date"), get("clock"), naive_tz)
        current = "confidence"
        confidence = rows.confidence(get("confidence"))
        current = "satellite"
        satellite = rows.text(get("satellite"), 64)
        current = "land_type"
        land_type = rows.text(get("land_type"), 40)
        current = "address"
        address = rows.text(get("address"), 200)
    except rows.CellError as exc:
        if not getattr(exc, "field", ""):  # the date/clock pair names its own column
            exc.field = current  # type: ignore[attr-defined]
        raise
    return Detection(
        external_id=external_id,
        kind="fire",
        detected_at=detected_at,
        lat=lat,
        lon=lon,
        confidence=confidence,
        device=satellite,
        land_type=land_type,
        address=address,
        raw=rows.checked_raw(record),
    )


def _date_and_clock(date: Any, clock: Any, naive_tz: dt.tzinfo) -> dt.datetime:
    """FIRMS' acq_date + acq_time (HHMM, or H:MM): both required, never an invented 00:00;
    a CellError names its column (`date` or `clock`)."""

    def refuse(name: str, reason: str) -> rows.CellError:
        exc = rows.CellError(reason)
        exc.field = name  # type: ignore[attr-defined]
        return exc

    try:
        day = rows.text(date, 20)
    except rows.CellError as exc:
        raise refuse("date", str(exc)) from None
    try:
        digits = rows.text(clock, 8).replace(":", "")
    except rows.CellError as exc:
        raise refuse("clock", str(exc)) from None
    if not day:
        raise refuse("date", "a date is required (with the clock column)")
    if not digits:
        raise refuse("clock", "a clock time (HHMM) is required: without it the hour is unknown")
    if not digits.isdigit() or len(digits) > 4:
        raise refuse("clock", f"{digits[:8]!r} is not a clock time (HHMM)")
    digits = digits.zfill(4)
    if int(digits[:2]) > 23 or int(digits[2:]) > 59:
        raise refuse("clock", f"{digits!r} is not a clock time (HHMM)")
    try:
        return rows.when(f"{day} {digits[:2]}:{digits[2:]}", naive_tz)
    except rows.CellError as exc:
        raise refuse("date", str(exc)) from None


def import_file(
    system: IntakeSystem,
    path: Path,
    *,
    utc: bool = False,
    now: dt.datetime | None = None,
    progress: Callable[[int, int], Any] | None = None,
) -> ImportSummary:
    """Read and take every fire point of the file (see the module's doc)."""
    summary = ImportSummary()
    found: list[Detection] = []
    columns: dict[str, str] | None = None
    naive_tz: dt.tzinfo = dt.UTC if utc else CST
    for number, record in rows.records(path):
        if columns is None:
            columns = rows.header_map(list(record), ALIASES)
            missing = [n for n in ("id", "lon", "lat") if n not in columns]
            if "time" not in columns and not {"date", "clock"} <= columns.keys():
                missing.append("time")
            if missing:
                raise rows.CellError(
                    "missing column(s): " + ", ".join(f"{m} ({ALIASES[m][0]})" for m in missing)
                )
        if not record:
            summary.errors.append(rows.RowError(number, "row", "not an object"))
            continue
        try:
            d = detection(record, rows.header_map(list(record), ALIASES), naive_tz)
        except rows.CellError as exc:
            summary.errors.append(rows.RowError(number, getattr(exc, "field", "row"), str(exc)))
            continue
        d.raw["_row"] = number
        found.append(d)
    if progress is not None:
        progress(0, len(found))
    for result in take_many(system, found, now=now):
        if result.error is not None:
            row = result.detection.raw["_row"]
            summary.errors.append(
                rows.RowError(row, result.error.field or "row", result.error.message)
            )
        else:
            summary.counts[result.outcome] += 1
    if progress is not None:
        progress(len(found), len(found))
    summary.errors.sort(key=lambda e: e.row)
    return summary
