"""Air endpoints: ingestion by station token; stations, series, AQI, assessment, targets,
rankings and alarms for accounts (scoped like everything else)."""

import csv
import datetime as dt
import io
import math
from typing import Any, Literal

import numpy as np
from django.conf import settings
from django.db import DataError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.params import functions as param

from gridgov import inputs
from gridgov.air import alarm_queries, aqi, periods
from gridgov.air import alarms as alarm_service
from gridgov.air.assessment import assess, rank, region_units, station_units, target_progress
from gridgov.air.batches import from_records
from gridgov.air.gateways import station_lookup
from gridgov.air.group_commit import committer
from gridgov.air.ingest import StationInfo, check_rows, ingest
from gridgov.air.models import CST, POLLUTANT_FIELDS, Alarm, AlarmRule, Station, Target
from gridgov.air.quality import PHYSICAL_MAX
from gridgov.air.reports import DAILY_COLUMNS, daily_rows, hourly_rows
from gridgov.air.schemas import (
    AckIn,
    AlarmOut,
    AqiIn,
    AqiOut,
    AssessmentOut,
    BulkAckIn,
    BulkAckOut,
    DailyRow,
    DeviceOut,
    HourlyRow,
    IngestOut,
    LatestOut,
    MinuteRow,
    RankingsOut,
    ReadingsIn,
    StationOut,
    StationToken,
    TargetOut,
    _device_state,
    alarm_out,
    device_out,
    station_out,
)
from gridgov.air.stats import RANK_METRICS
from gridgov.apikit import CSV, ApiError, download, error_body, errors
from gridgov.core.dbrouter import replica_reads
from gridgov.people.scope import visible_region
from gridgov.territory import ladder
from gridgov.territory.models import Region

router = Router()
ingest_router = Router()


@ingest_router.post(
    "/readings", response={200: IngestOut, **errors(400, 401, 413)}, auth=StationToken()
)
def post_readings(request: HttpRequest, payload: ReadingsIn) -> Any:
    """Store a batch from one station, or from a gateway for several of its stations (each
    reading then names its `station` code). Any malformed row rejects the whole batch (400)."""
    gateway = getattr(request, "gateway", None)
    if gateway is not None:
        allowed, station_of = station_lookup(gateway, payload.readings)
        infos = {s.pk: StationInfo.of(s) for s in allowed.values()}
    else:
        station: Station = request.station  # type: ignore[attr-defined]
        station_of = _own_station(station)
        infos = {station.pk: StationInfo.of(station)}
    batch, errors = from_records(payload.readings, station_of, first_row=0)
    if not errors:
        _, errors = check_rows(batch, infos)
    if not errors:
        try:
            if settings.GRIDGOV_INGEST_GROUP_COMMIT:
                result = committer.submit(batch, infos)
            else:
                result = ingest(batch, infos, reject_all_on_error=True)
        except (DataError, OverflowError) as exc:  # a value the database cannot hold
            raise BatchRejected(
                error_body(
                    "the readings could not be stored; nothing was stored",
                    [{"field": "readings", "message": str(exc)}],
                )
            ) from exc
        errors = result.errors
    if errors:
        body = error_body(
            f"{len(errors)} bad row(s); nothing was stored",
            [{"field": f"readings[{e.row}].{e.field}", "message": e.message} for e in errors],
        )
        raise BatchRejected(body)
    return {
        "stored": result.stored,
        "duplicates": result.duplicates,
        "flagged": result.flagged,
        "alarms": len(result.alarms),
        "errors": [],
    }


def _own_station(station: Station) -> Any:
    """A station's token posts its own readings: a `station` field, if sent, must name it."""

    def station_of(record: Any) -> int:
        code = record.get("station")
        if code is not None and str(code) != station.code:
            raise KeyError(f"this token posts only for station {station.code}")
        return station.pk

    return station_of


class BatchRejected(Exception):
    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(body["detail"])
        self.body = body


# --- stations and series ---------------------------------------------------------------------


def visible_stations(request: HttpRequest) -> Any:
    """Stations in the caller's scope, and reference stations outside every grid."""
    return alarm_queries.stations_for(request.user)


def get_station(request: HttpRequest, code: str) -> Station:
    """The station, or one 404 for an unknown code and for one outside the caller's scope."""
    station: Station | None = visible_stations(request).filter(code=code).first()
    if station is None:
        raise ApiError(404, f"no station with code {code!r}", field="code")
    return station


@router.get("/stations", response={200: list[StationOut], **errors(400, 401)})
def list_stations(request: HttpRequest, kind: str | None = None) -> Any:
    qs = visible_stations(request)
    if kind:
        qs = qs.filter(kind=kind)
    return [station_out(s) for s in qs.order_by("code")]


@router.get("/air/latest", response={200: list[LatestOut], **errors(401)})
def latest(request: HttpRequest) -> Any:
    """Every visible station's latest hour (real-time AQI) — what the live map draws."""
    from gridgov.air.aggregate import HOUR, fetch_hours, hourly_means

    stations = list(visible_stations(request).select_related("state", "device_status"))
    if not stations:
        return []
    last = {s.pk: getattr(getattr(s, "state", None), "last_ts", None) for s in stations}
    newest = max((t for t in last.values() if t is not None), default=None)
    out = []
    rows = (
        fetch_hours([s.pk for s in stations], newest - newest % HOUR - 2 * HOUR, newest + HOUR)
        if newest is not None
        else np.zeros((0, 15))
    )
    means = hourly_means(rows) if len(rows) else np.zeros((0, 6))
    by_station: dict[int, tuple[int, np.ndarray]] = {}
    for i, row in enumerate(rows):
        sid, ts = int(row[0]), int(row[1])
        if np.isfinite(means[i]).any() and (sid not in by_station or ts > by_station[sid][0]):
            by_station[sid] = (ts, means[i])
    # One report per standard over every station's values (arrays), not one per station.
    today = dt.datetime.now(CST).date()
    found_ts: list[int | None] = []
    matrix = np.full((len(stations), len(POLLUTANT_FIELDS)), np.nan)
    standards = []
    for k, s in enumerate(stations):
        found = by_station.get(s.pk)
        found_ts.append(found[0] if found else None)
        if found:
            matrix[k] = found[1]
        ts_k = found_ts[k]
        standards.append(
            aqi.standard_for(dt.datetime.fromtimestamp(ts_k, tz=CST).date() if ts_k else today)
        )
    records: list[dict[str, Any]] = [{} for _ in stations]
    for standard in set(standards):
        rows_k = [k for k, st in enumerate(standards) if st == standard]
        data = {p: matrix[rows_k, j] for j, p in enumerate(POLLUTANT_FIELDS)}
        report = aqi.hourly_report(data, standard)
        for i, k in enumerate(rows_k):
            records[k] = aqi.record(report, i)
    for k, s in enumerate(stations):
        latest_ts = found_ts[k]
        values = matrix[k]
        rec = records[k]
        out.append(
            {
                "code": s.code,
                "name": s.name,
                "kind": s.kind,
                "lat": s.lat,
                "lon": s.lon,
                "time": dt.datetime.fromtimestamp(latest_ts, tz=CST).isoformat()
                if latest_ts
                else None,
                "aqi": rec["aqi"],
                "level": rec["level"],
                "category": rec["category"],
                "colour": rec["colour"],
                "primary_pollutants": rec["primary_pollutants"],
                "values": {
                    p: (None if not math.isfinite(values[j]) else round(float(values[j]), 1))
                    for j, p in enumerate(POLLUTANT_FIELDS)
                },
                "device": _device_state(s),
            }
        )
    return out


def _date(value: str | None, default: dt.date, field: str) -> dt.date:
    return inputs.parse_date(field, value, default)


def _given_date(field: str, text: str | None) -> dt.date | None:
    """A date the request names, or None when it names none (the default is decided later)."""
    return inputs.parse_date(field, text) if text and text.strip() else None


def _standard(value: str | None) -> aqi.Standard | None:
    return aqi.Standard(value) if value else None


def csv_response(rows: list[dict[str, Any]], columns: list[str], name: str) -> HttpResponse:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:  # stored text (a station's name) as a sheet cell: escaped, never a formula
        writer.writerow({k: ("" if v is None else inputs.sheet_cell(v)) for k, v in row.items()})
    response = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


SERIES_ERRORS = errors(400, 401, 403, 404)
CSV_TOO = download(CSV, "the rows as JSON, or as a CSV file with format=csv")


@router.get(
    "/stations/{code}/hourly",
    response={200: list[HourlyRow], **SERIES_ERRORS},
    openapi_extra=CSV_TOO,
)
def station_hourly(
    request: HttpRequest,
    code: str,
    start: str | None = param.Query(
        None, alias="from", description="YYYY-MM-DD (CST), default today"
    ),
    end: str | None = param.Query(None, alias="to", description="YYYY-MM-DD inclusive"),
    standard: Literal["2012", "2026"] | None = None,
    format: Literal["json", "csv"] = "json",
) -> Any:
    """Hourly means with the real-time AQI (实时报)."""
    station = get_station(request, code)
    today = dt.datetime.now(CST).date()
    first, last = _date(start, today, "from"), _date(end, today, "to")
    if last < first or (last - first).days > 92:
        raise ApiError(400, "to must be on or after from, at most 92 days later", field="to")
    t0 = int(dt.datetime.combine(first, dt.time(), CST).timestamp())
    t1 = int(dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), CST).timestamp())
    rows = hourly_rows(station.pk, station.code, t0, t1, _standard(standard))
    if format == "csv":
        return csv_response(rows, list(rows[0]) if rows else ["station"], f"{code}-hourly.csv")
    return rows


@router.get(
    "/stations/{code}/daily",
    response={200: list[DailyRow], **SERIES_ERRORS},
    openapi_extra=CSV_TOO,
)
def station_daily(
    request: HttpRequest,
    code: str,
    start: str | None = param.Query(None, alias="from"),
    end: str | None = param.Query(None, alias="to"),
    standard: Literal["2012", "2026"] | None = None,
    format: Literal["json", "csv"] = "json",
) -> Any:
    """Daily report (日报) rows, as `gridgov air daily` prints them."""
    station = get_station(request, code)
    today = dt.datetime.now(CST).date()
    last = _date(end, today, "to")
    first = _date(start, last - dt.timedelta(days=29), "from")
    if last < first or (last - first).days > 3660:
        raise ApiError(400, "to must be on or after from, within ten years", field="to")
    units = station_units([station.code])
    rows = daily_rows(units, first, last, _standard(standard))
    if format == "csv":
        return csv_response(rows, ["station", *DAILY_COLUMNS], f"{code}-daily.csv")
    return rows


@router.get(
    "/stations/{code}/minutes",
    response={200: list[MinuteRow], **SERIES_ERRORS},
    openapi_extra=CSV_TOO,
)
def station_minutes(
    request: HttpRequest,
    code: str,
    hours: int = param.Query(24, ge=1, le=72),
    format: Literal["json", "csv"] = "json",
) -> Any:
    """The raw readings of the last hours (values with their quality flags)."""
    from gridgov.air.models import Reading

    station = get_station(request, code)
    state = getattr(station, "state", None)
    end = state.last_ts if state else int(dt.datetime.now(dt.UTC).timestamp())
    qs = (
        Reading.objects.for_user(request.user)
        .filter(station=station, ts__gt=end - hours * 3600)
        .order_by("ts")
    )
    fields = ["ts", *[c for p in POLLUTANT_FIELDS for c in (p, f"{p}_flag")]]
    rows = [
        {
            "time": dt.datetime.fromtimestamp(r["ts"], tz=CST).isoformat(),
            **{k: v for k, v in r.items() if k != "ts"},
        }
        for r in qs.values(*fields)
    ]
    if format == "csv":
        return csv_response(rows, ["time", *fields[1:]], f"{code}-minutes.csv")
    return rows


DAILY_INPUTS = {"pm25", "pm10", "so2", "no2", "co", "o3_8h_max", "o3_1h_max"}
HOURLY_INPUTS = {"pm25", "pm10", "so2", "no2", "co", "o3", "o3_8h", "so2_24h"}


@router.post("/aqi/calculate", response={200: AqiOut, **errors(400, 401, 413)})
def calculate(request: HttpRequest, payload: AqiIn) -> Any:
    allowed = DAILY_INPUTS if payload.report == "daily" else HOURLY_INPUTS
    for key, value in payload.concentrations.items():
        if key not in allowed:
            raise ApiError(
                400,
                f"unknown pollutant for a {payload.report} report: {key}",
                field=f"concentrations.{key}",
            )
        inputs.check_number(f"concentrations.{key}", value, 0, PHYSICAL_MAX)
    if not payload.concentrations:
        raise ApiError(400, "give at least one concentration", field="concentrations")
    if payload.standard:
        standard = aqi.Standard(payload.standard)
    else:
        standard = aqi.standard_for(payload.date or dt.datetime.now(CST).date())
    data = {k: np.array([payload.concentrations.get(k, np.nan)]) for k in allowed}
    compute = aqi.daily_report if payload.report == "daily" else aqi.hourly_report
    return aqi.record(compute(data, standard), 0)


# --- assessment, rankings, targets -----------------------------------------------------------


def requested_units(
    request: HttpRequest, level: str | None, region: str | None, station: str | None
) -> list[Any]:
    """The units a request asks about, limited to the caller's scope."""
    if station:
        return station_units([get_station(request, station).code])
    if region:
        return region_units([visible_region(request.user, region)])
    if level == "station" or level is None:
        codes = list(visible_stations(request).values_list("code", flat=True))
        return station_units(codes)
    unit_levels = ladder.unit_keys()  # city, district, street, community (those configured)
    if level not in unit_levels:
        words = ", ".join(["station", *reversed(unit_levels)])
        raise ApiError(400, f"level must be {words}", field="level")
    regions = Region.objects.for_user(request.user).active().filter(level=unit_levels[level])
    return region_units(list(regions.order_by("code")))


def _period(start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
    """Explicit ends as given; with neither, the month to date (the previous month on a
    month's first days, `periods.default_period`)."""
    first, last = periods.resolve(_given_date("from", start), _given_date("to", end))
    if last < first or (last - first).days > 3660:
        raise ApiError(400, "to must be on or after from, within ten years", field="to")
    return first, last


PERIOD_DOC = (
    "YYYY-MM-DD (CST). With neither from nor to: the month to date, or the previous month "
    "on a month's first three days; with to alone: from its month's first day"
)


@router.get("/air/assessment", response={200: list[AssessmentOut], **errors(400, 401, 403, 404)})
def assessment(
    request: HttpRequest,
    start: str | None = param.Query(None, alias="from", description=PERIOD_DOC),
    end: str | None = param.Query(None, alias="to", description="YYYY-MM-DD inclusive (CST)"),
    level: str | None = param.Query(
        None, description="station, community, street, district or city"
    ),
    region: str | None = None,
    station: str | None = None,
    standard: Literal["2012", "2026"] | None = None,
) -> Any:
    with replica_reads():
        first, last = _period(start, end)
        units = requested_units(request, level, region, station)
        return [a.as_dict() for a in assess(units, first, last, _standard(standard))]


@router.get("/air/rankings", response={200: RankingsOut, **errors(400, 401)}, by_alias=True)
def rankings(
    request: HttpRequest,
    start: str | None = param.Query(None, alias="from", description=PERIOD_DOC),
    end: str | None = param.Query(None, alias="to", description="YYYY-MM-DD inclusive (CST)"),
    level: str | None = param.Query(
        None,
        description="station, community, street, district or city; default: the level below the "
        "caller's unit",
    ),
    metric: str = param.Query("pm25", description=", ".join(RANK_METRICS)),
) -> Any:
    with replica_reads():
        if metric not in RANK_METRICS:
            raise ApiError(400, f"metric must be one of {', '.join(RANK_METRICS)}", field="metric")
        first, last = _period(start, end)
        level = level or periods.default_level(request.user)
        results = assess(requested_units(request, level, None, None), first, last)
        ranked, apart = rank(results, metric)

        def row(r: Any) -> dict[str, Any]:
            return {
                "rank": r.rank,
                "value": None if not math.isfinite(r.value) else r.value,
                **r.assessment.as_dict(),
            }

        return {
            "from": first.isoformat(),
            "to": last.isoformat(),
            "metric": metric,
            "level": level,
            "ranked": [row(r) for r in ranked],
            "apart": [row(r) for r in apart],
        }


@router.get("/air/targets", response={200: list[TargetOut], **errors(400, 401)})
def targets(request: HttpRequest, as_of: str | None = None) -> Any:
    day = _date(as_of, dt.datetime.now(CST).date(), "as_of")
    qs = Target.objects.for_user(request.user).select_related("region")
    return [target_progress(t, day).as_dict() for t in qs.filter(start__lte=day)]


def visible_alarms(request: HttpRequest) -> Any:
    return alarm_queries.alarms_for(request.user)


def alarms_out(request: HttpRequest, alarms: list[Alarm]) -> list[dict[str, Any]]:
    orders = alarm_queries.orders_of(request.user, alarms)
    return [alarm_out(a, orders[a.pk]) for a in alarms]


@router.get("/alarms", response={200: list[AlarmOut], **errors(400, 401, 403, 404)})
def list_alarms(
    request: HttpRequest,
    open: bool | None = param.Query(None, description="only open (true) or ended (false) alarms"),
    station: str | None = None,
    state: Literal["open", "acknowledged", "ended"] | None = param.Query(
        None, description="open: not acknowledged and not ended"
    ),
    unit: str | None = param.Query(None, description="a street or community code in scope"),
    rule: int | None = param.Query(None, ge=1, description="an alarm rule's id"),
    limit: int = param.Query(200, ge=1, le=1000),
) -> Any:
    """Alarms in scope: open first, then acknowledged, then ended; newest first in each."""
    qs = visible_alarms(request)
    if open is not None:
        qs = qs.filter(ended_at__isnull=open)
    f = alarm_queries.AlarmFilter(state=state or alarm_queries.ALL)
    if station:
        f.station = get_station(request, station)
    if unit:
        f.unit = alarm_queries.filter_units(request.user).filter(code=unit).first()
        if f.unit is None:
            raise ApiError(404, f"no street or community {unit!r}", field="unit")
    if rule is not None:
        f.rule = AlarmRule.objects.for_user(request.user).filter(pk=rule).first()
        if f.rule is None:
            raise ApiError(404, f"no alarm rule {rule}", field="rule")
    qs = alarm_queries.ordered(alarm_queries.filtered(qs, f))
    return alarms_out(request, list(qs[:limit]))


@router.post(
    "/alarms/acknowledge",
    response={200: BulkAckOut, **errors(400, 401, 403, 404, 413)},
)
def acknowledge_many(request: HttpRequest, payload: BulkAckIn) -> Any:
    """Acknowledge several alarms with one note, all or nothing: if any id is unknown or outside
    the caller's scope, the answer is 404 naming them and no alarm is acknowledged."""
    alarms, changed = alarm_queries.acknowledge_many(request.user, payload.ids, payload.note)
    fresh = list(visible_alarms(request).filter(pk__in=[a.pk for a in alarms]).order_by("pk"))
    return {"acknowledged": changed, "alarms": alarms_out(request, fresh)}


@router.post(
    "/alarms/{alarm_id}/acknowledge",
    response={200: AlarmOut, **errors(400, 401, 403, 404, 413)},
)
def acknowledge(request: HttpRequest, alarm_id: int, payload: AckIn) -> Any:
    alarm = visible_alarms(request).filter(pk=alarm_id).first()
    if alarm is None:  # unknown or outside the caller's scope: one 404
        raise ApiError(404, f"no alarm {alarm_id}", field="alarm_id")
    done = alarm_service.acknowledge_as(request.user, alarm, payload.note)
    return alarms_out(request, [visible_alarms(request).get(pk=done.pk)])[0]


@router.get("/ingest/devices", response={200: list[DeviceOut], **errors(400, 401, 404)})
def list_devices(
    request: HttpRequest,
    station: str | None = param.Query(None, description="one station's device (its code)"),
    connected: bool | None = param.Query(None, description="only devices online (true) or not"),
) -> Any:
    """The HJ 212 devices of the stations the caller may see: connected now or not, the last
    packet, packets answered and refused by reason (written by `gridgov hj212`)."""
    qs = (
        visible_stations(request)
        .filter(Q(mn__isnull=False) | Q(device_status__isnull=False))
        .select_related("device_status", "state")
    )
    if station:
        qs = qs.filter(pk=get_station(request, station).pk)
    if connected is not None:
        qs = (
            qs.filter(device_status__connected=True)
            if connected
            else qs.exclude(device_status__connected=True)
        )
    return [device_out(s) for s in qs.order_by("code")]
