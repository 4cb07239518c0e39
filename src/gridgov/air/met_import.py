"""Meteorology files (气象数据导入): `gridgov import-met FILE --kind forecast|observed`.

A CSV or Excel (.xlsx) file with the columns `station` or `region` (each row names one: a
station code, or a region code meaning every station under it), `time` (the valid hour, ISO
8601, no offset = China time, on the hour) and any of wd, ws, temp, rh, dewp, pres, rain
(air/met.py: the same parsing and checks as `import-readings`, a bad cell refuses its row
naming the column). Headers may be the key, the Chinese label or both ("风速 ws").

Every row is checked before anything is written (`read_met_file` → `MetFile`); then
- forecast (气象预报): `save_forecast` upserts MetForecast rows for the issue time, so the
  same forecast imported again changes nothing and a corrected one replaces its values;
- observed (气象实况): `save_observed` stores the rows as hourly factor values through the
  readings path (batches.from_records → ingest), exactly as `import-readings`' met columns.

`forecast_met` reads back, per station and hour, the latest forecast issued before a moment:
what a forecast model issued at that moment may use.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from django.db import transaction

from gridgov import inputs
from gridgov.air import met
from gridgov.air.batches import from_records, parse_time
from gridgov.air.ingest import IngestResult, check_rows, ingest, station_infos
from gridgov.air.met_forecast_models import MetForecast
from gridgov.air.models import CST, Station
from gridgov.core import sheets
from gridgov.errors import INVALID, DomainError
from gridgov.territory.models import Region

KINDS = ("forecast", "observed")
EXCEL = (".xlsx", ".xlsm")
MAX_ROWS = 200_000
HOUR = 3600
FORECAST_BEFORE = 24 * HOUR  # a valid hour may be up to a day before the issue (analysis)
FORECAST_AHEAD = 16 * 24 * HOUR  # … and up to 16 days after it
SPELLINGS: dict[str, tuple[str, ...]] = {
    "station": ("station", "站点", "站点编码"),
    "region": ("region", "区域", "区域代码"),
    "time": ("time", "时间", "预报时次"),
    "wd": ("wd", "风向"),
    "ws": ("ws", "风速"),
    "temp": ("temp", "温度", "气温"),
    "rh": ("rh", "湿度", "相对湿度"),
    "dewp": ("dewp", "露点", "露点温度"),
    "pres": ("pres", "气压"),
    "rain": ("rain", "降水", "降水量"),
}
MET_KEYS = tuple(k for k in SPELLINGS if met.is_met_column(k))


class MetFileError(DomainError, ValueError):
    """A meteorology file or argument that cannot be used as a whole (kind invalid)."""

    def __init__(self, message: str, field: str = "file") -> None:
        super().__init__(INVALID, message, field)


@dataclass(frozen=True)
class MetRow:
    """One checked row: its sheet row number, the stations it applies to, the valid hour, the
    raw met cells (for the readings path) and their parsed values by factor code."""

    row: int
    stations: tuple[int, ...]
    ts: int
    raw: dict[str, Any]
    values: dict[str, float]


@dataclass
class MetFile:
    rows: list[MetRow] = field(default_factory=list)
    errors: list[sheets.RowError] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # the met columns the file has

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def values(self) -> int:
        return sum(len(r.stations) * len(r.values) for r in self.rows)

    def fail(self, row: int, column: str, reason: str) -> None:
        self.errors.append(sheets.RowError(row, column, reason))


def parse_issued(text: str, now: dt.datetime) -> int:
    """--issued: an ISO date-time (no offset = China time), not in the future → epoch seconds."""
    text = (text or "").strip()
    try:
        inputs.check_text("issued", text, 40)
    except inputs.InputError as exc:
        raise MetFileError(exc.message, "issued") from None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise MetFileError(
            f"{text[:30]!r} is not a date and time (e.g. 2026-12-07T08:00+08:00)", "issued"
        ) from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=CST)
    if moment.year < 2000:
        raise MetFileError("the year must be 2000 or later", "issued")
    if moment > now + dt.timedelta(minutes=5):
        raise MetFileError("the issue time is in the future", "issued")
    return int(moment.timestamp())


def _lines(path: Path) -> Iterator[tuple[Any, ...]]:
    """The file's rows (header first) as tuples of cells, CSV or the first Excel sheet."""
    if path.suffix.lower() in EXCEL:
        try:
            book = sheets.open_book(path)
        except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
            raise MetFileError(f"not an Excel workbook (.xlsx): {type(exc).__name__}") from None
        try:
            yield from sheets.lines(book.worksheets[0])
        finally:
            book.close()
        return
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            yield from (tuple(line) for line in csv.reader(handle))
    except UnicodeDecodeError:
        raise MetFileError("not a UTF-8 CSV file") from None
    except csv.Error as exc:
        raise MetFileError(f"cannot read CSV: {exc}") from None


def _header(report: MetFile, header: tuple[Any, ...]) -> dict[int, str]:
    where = sheets.header_keys(header, SPELLINGS)
    unknown = [
        str(cell).strip()
        for i, cell in enumerate(header)
        if i not in where and str(cell or "").strip()
    ]
    if unknown:
        shown = ", ".join(inputs.printable(u[:30]) for u in unknown)
        raise MetFileError(f"unknown column(s): {shown}")
    seen: dict[str, int] = {}
    for i, key in where.items():
        if key in seen:
            raise MetFileError(f"column {key} is given twice")
        seen[key] = i
    if "time" not in seen:
        raise MetFileError("missing column: time")
    if "station" not in seen and "region" not in seen:
        raise MetFileError("missing column: station or region")
    report.columns = [k for k in MET_KEYS if k in seen]
    if not report.columns:
        raise MetFileError(f"no meteorology column ({', '.join(MET_KEYS)})")
    return where


def _places() -> tuple[dict[str, int], Callable[[str], tuple[int, ...] | None]]:
    """Station codes → ids, and a region code → its stations' ids (None: no such region)."""
    codes = dict(Station.objects.values_list("code", "pk"))
    found: dict[str, tuple[int, ...] | None] = {}

    def region(code: str) -> tuple[int, ...] | None:
        if code not in found:
            r = Region.objects.filter(code=code).only("path").first()
            found[code] = (
                None
                if r is None
                else tuple(
                    Station.objects.filter(grid__path__startswith=r.path)
                    .order_by("pk")
                    .values_list("pk", flat=True)
                )
            )
        return found[code]

    return codes, region


def _cell_code(report: MetFile, number: int, record: dict[str, Any], key: str) -> str:
    text = sheets.cell_text(record.get(key))
    try:
        inputs.check_text(key, text, 40)
    except inputs.InputError as exc:
        report.fail(number, key, exc.message)
        return ""
    return text


def _check_row(
    report: MetFile,
    number: int,
    record: dict[str, Any],
    codes: dict[str, int],
    region_of: Callable[[str], tuple[int, ...] | None],
) -> MetRow | None:
    before = len(report.errors)
    station = _cell_code(report, number, record, "station")
    region = _cell_code(report, number, record, "region")
    targets: tuple[int, ...] = ()
    if len(report.errors) > before:
        pass
    elif station and region:
        report.fail(number, "station", "give a station or a region, not both")
    elif station:
        if station not in codes:
            report.fail(number, "station", f"unknown station {station!r}")
        else:
            targets = (codes[station],)
    elif region:
        ids = region_of(region)
        if ids is None:
            report.fail(number, "region", f"unknown region {region!r}")
        elif not ids:
            report.fail(number, "region", f"region {region!r} has no stations")
        else:
            targets = ids
    else:
        report.fail(number, "station", "a station or a region is required")
    ts = 0
    raw_time = record.get("time")
    try:
        if isinstance(raw_time, str):
            inputs.check_text("time", raw_time.strip(), 40)
        ts = parse_time(raw_time)
        if ts % HOUR:
            raise ValueError("must be on the hour")
    except inputs.InputError as exc:
        report.fail(number, "time", exc.message)
    except (ValueError, TypeError) as exc:
        report.fail(number, "time", f"not an ISO 8601 hour ({exc})")
    values: dict[str, float] = {}
    raw: dict[str, Any] = {}
    for key in report.columns:
        cell = record.get(key)
        try:
            value = met.parse(key, cell)
        except ValueError as exc:
            report.fail(number, key, str(exc))
            continue
        raw[key] = cell
        if value is not None:
            values[met.code_of(key)] = value
    if len(report.errors) > before:
        return None
    return MetRow(number, targets, ts, raw, values)


def read_met_file(
    path: Path,
    issued: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> MetFile:
    """Check every row of a meteorology file (forecast when `issued` is given). Raises
    MetFileError for a file that cannot be read at all."""
    report = MetFile()
    rows = _lines(path)
    where: dict[int, str] = {}
    try:
        header = next(rows, None)
        if header is None:
            raise MetFileError("the file is empty")
        where.update(_header(report, header))
        codes, region_of = _places()
        seen: dict[tuple[int, int, str], int] = {}
        for number, record in sheets.records(rows, where):
            if number - 1 > MAX_ROWS:
                raise MetFileError(f"more than {MAX_ROWS:,} rows")
            checked = _check_row(report, number, record, codes, region_of)
            if progress is not None and number % 500 == 0:
                progress(number - 1)
            if checked is None:
                continue
            if issued is not None and not (
                issued - FORECAST_BEFORE <= checked.ts <= issued + FORECAST_AHEAD
            ):
                report.fail(number, "time", "more than a day before or 16 days after --issued")
                continue
            if _twice(report, checked, seen):
                continue
            report.rows.append(checked)
    except sheets.UnreadableCell as bad:
        report.fail(bad.row, bad.column(where), bad.reason)
    if progress is not None:
        progress(report.rows[-1].row - 1 if report.rows else 0)
    return report


def _twice(report: MetFile, row: MetRow, seen: dict[tuple[int, int, str], int]) -> bool:
    """Refuse a row giving a value that a row above already gave (e.g. a region's row and a
    station's row for the same hour)."""
    for station in row.stations:
        for code in row.values:
            first = seen.get((station, row.ts, code))
            if first is not None:
                report.fail(row.row, "time", f"the same station and hour as row {first}")
                return True
    for station in row.stations:
        for code in row.values:
            seen[(station, row.ts, code)] = row.row
    return False


# --- forecast ---------------------------------------------------------------------------------


def save_forecast(report: MetFile, issued: int) -> int:
    """Upsert the forecast's values in one transaction; the number of values written."""
    objs = [
        MetForecast(station_id=s, issued_at=issued, ts=r.ts, code=code, value=value)
        for r in report.rows
        for s in r.stations
        for code, value in r.values.items()
    ]
    with transaction.atomic():
        MetForecast.objects.bulk_create(
            objs,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["station", "ts", "issued_at", "code"],
            update_fields=["value"],
        )
    return len(objs)


@dataclass(frozen=True)
class ForecastHour:
    """The forecast a model may use for one station and hour: its issue time and its values
    by factor code (pressure in kPa)."""

    issued_at: int
    values: dict[str, float]


def forecast_met(
    station_ids: Iterable[int], t0: int, t1: int, issued_before: int
) -> dict[tuple[int, int], ForecastHour]:
    """Per (station id, hour) in [t0, t1): the values of the latest forecast issued strictly
    before `issued_before` that covers that station and hour (epoch seconds throughout).
    Hours no such forecast covers are absent."""
    rows = (
        MetForecast.objects.filter(
            station_id__in=list(station_ids), ts__gte=t0, ts__lt=t1, issued_at__lt=issued_before
        )
        .order_by("station_id", "ts", "issued_at")
        .values_list("station_id", "ts", "issued_at", "code", "value")
    )
    out: dict[tuple[int, int], ForecastHour] = {}
    for station, ts, issued_at, code, value in rows.iterator(chunk_size=5000):
        key = (station, ts)
        held = out.get(key)
        if held is None or held.issued_at < issued_at:  # ordered: a later issue replaces
            held = out[key] = ForecastHour(issued_at, {})
        held.values[code] = value
    return out


# --- observed ---------------------------------------------------------------------------------


def observed_batch(report: MetFile) -> tuple[Any, list[sheets.RowError]]:
    """The rows as a readings batch (hourly, meteorology only) through the readings path, with
    the errors that path finds (interval, future hours) named by the file's rows."""
    records: list[dict[str, Any]] = []
    row_of: list[int] = []
    ids: list[int] = []
    for r in report.rows:
        moment = dt.datetime.fromtimestamp(r.ts, CST)
        for station in r.stations:
            records.append({"time": moment, **r.raw})
            row_of.append(r.row)
            ids.append(station)
    position = iter(range(len(records)))  # from_records asks for each record's station in turn
    batch, errors = from_records(
        records, lambda _rec: ids[next(position)], first_row=0, strict_fields=False
    )
    rows = np.asarray(row_of, dtype=np.int64)
    infos = {k: replace(v, interval=60) for k, v in station_infos(sorted(set(ids))).items()}
    _bad, late = check_rows(batch, infos) if len(batch) else (None, [])
    problems = {sheets.RowError(int(rows[e.row]), e.field, e.message) for e in errors + late}
    batch.row = rows[batch.row]
    return (batch, infos), sorted(problems, key=lambda e: e.row)


def save_observed(prepared: Any) -> IngestResult:
    """Store a checked observed batch (`observed_batch`), all or nothing, without alarms."""
    batch, infos = prepared
    with transaction.atomic():
        return ingest(batch, infos, reject_all_on_error=True, evaluate_alarms=False)
