"""The air API's request and response schemas (ninja), and the functions that fill them."""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field
from ninja.security import HttpBearer

from gridgov.air import alarm_queries
from gridgov.air.gateways import TOKEN_PREFIX as GATEWAY_PREFIX
from gridgov.air.gateways import gateway_for_token
from gridgov.air.hj212 import devices
from gridgov.air.models import CST, Alarm, Station
from gridgov.air.stations import station_for_token
from gridgov.apikit import FieldErrorOut, InvalidToken
from gridgov.schemas import Schema


class StationToken(HttpBearer):
    """`Authorization: Bearer ggs_…` (a station's ingestion token) or `ggw_…` (a gateway's, for
    the readings of its stations)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if token.startswith(GATEWAY_PREFIX):
            gateway = gateway_for_token(token)
            if gateway is None:
                raise InvalidToken("invalid or revoked gateway token")
            request.gateway = gateway  # type: ignore[attr-defined]
            return gateway
        station = station_for_token(token)
        if station is None:
            raise InvalidToken("invalid or revoked station token")
        request.station = station  # type: ignore[attr-defined]
        return station


class ReadingsIn(Schema):
    model_config = {"extra": "forbid"}
    readings: list[dict[str, Any]] = Field(
        ...,
        min_length=1,
        max_length=10_000,
        description='[{"time": "2026-11-27T09:13:00+08:00", "pm25": 81, …}]; µg/m³, CO mg/m³; '
        'with a gateway token each reading also names its "station" code; optional "wd" (wind '
        'direction, degrees it comes from, 0–360) and "ws" (wind speed, m/s, 0–75): a value out '
        'of range is not used and never rejects the batch; optional "factors": the other '
        'factors it measured, {"a01001": 24.8, "LA": [57.9, "N"], …} (code: value, or '
        "[value, flag letter]; at most 64, none of the six pollutants), stored with a new "
        "reading and listed by GET /air/stations/{code}/factors",
    )


class IngestOut(Schema):
    stored: int
    duplicates: int
    flagged: int
    alarms: int
    errors: list[FieldErrorOut] = Field(description="always empty: a bad row rejects the batch")


class StationOut(Schema):
    code: str
    name: str
    kind: str
    lat: float
    lon: float
    interval_minutes: int
    pollutants: list[str]
    grid: str | None
    grid_name: str | None


def station_out(s: Station) -> dict[str, Any]:
    return {
        "code": s.code,
        "name": s.name,
        "kind": s.kind,
        "lat": s.lat,
        "lon": s.lon,
        "interval_minutes": s.interval_minutes,
        "pollutants": s.pollutants,
        "grid": s.grid.code if s.grid else None,
        "grid_name": s.grid.name if s.grid else None,
    }


class LatestOut(Schema):
    code: str
    name: str
    kind: str
    lat: float
    lon: float
    time: str | None
    aqi: int | None
    level: int | None
    category: str
    colour: str | None
    primary_pollutants: list[str]
    values: dict[str, float | None]
    device: Literal["online", "offline"] | None = Field(
        None, description="the station's HJ 212 device: connected now or not; null: none"
    )


class HourlyRow(Schema):
    """One hour of a station: means (µg/m³, CO mg/m³, rounded as HJ 663 says; null where the
    hour is not valid) and the real-time AQI (实时报)."""

    station: str
    time: dt.datetime = Field(description="start of the hour, CST")
    pm25: int | None
    pm10: int | None
    so2: int | None
    no2: int | None
    co: float | None
    o3: int | None
    o3_8h: int | None
    aqi: int | None
    level: int | None
    category: str
    colour: str | None
    primary_pollutants: str = Field(description="names joined with ';'")
    standard: Literal["2012", "2026"]


class DailyRow(Schema):
    """One day of a station: the daily report (日报); null where the day is not valid."""

    station: str
    date: dt.date
    pm25: int | None
    pm10: int | None
    so2: int | None
    no2: int | None
    co: float | None
    o3_8h_max: int | None
    o3_1h_max: int | None
    iaqi_pm25: int | None
    iaqi_pm10: int | None
    iaqi_so2: int | None
    iaqi_no2: int | None
    iaqi_co: int | None
    iaqi_o3: int | None
    aqi: int | None
    level: int | None
    category: str
    primary_pollutants: str = Field(description="names joined with ';'")
    standard: Literal["2012", "2026"]
    review: Literal["reviewed", "partial", "unreviewed"] = Field(
        description="审核状态: every station of the day approved by a data reviewer, some, none"
    )


class MinuteRow(Schema):
    """One raw reading with its quality flag bits (0 = no mark): 1 negative, 2 above range,
    4 not a number, 32 device flag other than N (invalid: left out of means); 8 stuck, 16 jump,
    8192 far from the neighbours, 16384 suspected tampering (suspect: counted); 64 confirmed and
    128 rejected by a data reviewer (they override the others); bits 8–12 the device's flag
    letter."""

    time: dt.datetime
    pm25: float | None
    pm25_flag: int
    pm10: float | None
    pm10_flag: int
    so2: float | None
    so2_flag: int
    no2: float | None
    no2_flag: int
    co: float | None
    co_flag: int
    o3: float | None
    o3_flag: int


# --- AQI calculator --------------------------------------------------------------------------


class AqiIn(Schema):
    model_config = {"extra": "forbid"}
    report: Literal["daily", "hourly"] = "daily"
    standard: Literal["2012", "2026"] | None = None
    date: dt.date | None = Field(None, description="date of the data; picks the standard")
    concentrations: dict[str, float] = Field(
        ...,
        description="daily: pm25, pm10, so2, no2, co (24-h means), o3_8h_max, o3_1h_max; "
        "hourly: pm25, pm10, so2, no2, co, o3 (1-h), o3_8h, so2_24h. µg/m³, CO mg/m³",
    )


class IaqiOut(Schema):
    pm25: int | None
    pm10: int | None
    so2: int | None
    no2: int | None
    co: int | None
    o3: int | None


class AqiOut(Schema):
    iaqi: IaqiOut = Field(description="individual AQI per pollutant; null where not given")
    aqi: int | None
    level: int | None
    level_name: str
    category: str
    category_en: str
    colour: str | None
    primary_pollutants: list[str]
    exceeding_pollutants: list[str]
    capped: bool = Field(description="a value above the top breakpoint")
    standard: Literal["2012", "2026"]


class AssessmentOut(Schema):
    """A unit's period statistics (HJ 663); null where there is no valid value."""

    code: str
    name: str
    start: dt.date
    end: dt.date
    valid_days: int
    required_days: int
    so2: float | None
    no2: float | None
    pm10: float | None
    pm25: float | None
    co_p95: float | None
    o3_8h_p90: float | None
    comprehensive_index: float | None
    good_days: int
    aqi_days: int
    good_day_ratio: float | None = Field(description="percent")
    days_by_level: dict[str, int] = Field(description='days per AQI level, "1" to "6"')
    limits: str
    year_on_year: dict[str, float] = Field(
        description="relative change against the same period a year before, by statistic"
    )
    enough_data: bool


class RankedOut(Schema):
    rank: int | None = Field(description="null: listed apart, not ranked")
    value: float | None


class RankRow(AssessmentOut, RankedOut):
    """The ranked value, then the unit's assessment."""


class RankingsOut(Schema):
    from_: dt.date = Field(alias="from")
    to: dt.date
    metric: str
    level: str
    ranked: list[RankRow]
    apart: list[RankRow] = Field(description="too few valid days, or no value: not ranked")


class TargetOut(Schema):
    region: str
    region_name: str
    metric: str
    target: float
    start: dt.date
    end: dt.date
    as_of: dt.date
    period_days: int
    elapsed_valid_days: int
    remaining_days: int
    current: float | None
    gap: float | None = Field(description="current − target")
    allowance: float | None = Field(
        description="what the remaining days may average (concentration targets)"
    )
    non_good_days_allowed: int | None = Field(description="good-day-ratio targets")
    on_track: bool
    days_left: int = Field(description="calendar days after as_of to the period's end")
    last_year: float | None = Field(
        description="the same days of last year: their mean (concentrations) or their "
        "non-good days (good-day ratio); null when there was too little data"
    )
    last_year_basis: Literal["unit", "district"] | None = Field(
        description="whose data last_year is: the unit's own, or its district's"
    )
    required_cut: float | None = Field(
        description="percent below last_year the rest of the period must be (negative: room)"
    )
    risk: Literal["achievable", "pressure", "high", "out_of_reach", "unknown"]
    risk_label: str


# --- alarms ----------------------------------------------------------------------------------


class AlarmOut(Schema):
    id: int
    station: str
    station_name: str
    grid: str | None
    rule: str
    kind: str
    pollutant: str
    value: float | None
    peak: float | None
    reference: float | None
    started_at: dt.datetime
    last_seen_at: dt.datetime
    ended_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None
    state: Literal["open", "acknowledged", "ended"]
    order: int | None = Field(
        None, description="the work order the alarm made, when the caller may see it"
    )


def alarm_out(a: Alarm, order: alarm_queries.OrderRef | None = None) -> dict[str, Any]:
    return {
        "state": alarm_queries.state_of(a),
        "order": order.id if order is not None and order.visible else None,
        "id": a.pk,
        "station": a.station.code,
        "station_name": a.station.name,
        "grid": a.grid.code if a.grid else None,
        "rule": a.rule.name,
        "kind": a.rule.kind,
        "pollutant": a.pollutant,
        "value": a.value,
        "peak": a.peak,
        "reference": a.reference,
        "started_at": a.started_at,
        "last_seen_at": a.last_seen_at,
        "ended_at": a.ended_at,
        "acknowledged_at": a.acknowledged_at,
        "acknowledged_by": a.acknowledged_by.get_username() if a.acknowledged_by else None,
    }


class BulkAckIn(Schema):
    ids: list[int] = Field(
        ..., min_length=1, max_length=alarm_queries.BULK_LIMIT, description="alarm ids"
    )
    note: str = Field("", max_length=200, description="one note for every alarm")


class BulkAckOut(Schema):
    acknowledged: int = Field(description="alarms acknowledged by this request")
    alarms: list[AlarmOut] = Field(description="every alarm named, as it now is")


class AckIn(Schema):
    note: str = Field("", max_length=200)


# --- HJ 212 devices ----------------------------------------------------------------------------


def _device_state(s: Station) -> str | None:
    status = getattr(s, "device_status", None)
    if status is not None:
        return "online" if status.connected else "offline"
    return "offline" if s.mn else None


class DeviceFaultOut(Schema):
    at: str = Field(description="when it was refused (ISO 8601)")
    reason: str
    raw: str = Field(description="the packet as received (at most 2,048 bytes)")


class DeviceOut(Schema):
    station: str
    station_name: str
    kind: str
    mn: str | None
    connected: bool = Field(description="a connection to the HJ 212 receiver is open now")
    peer: str = Field(description="the device's address (host:port) as last seen")
    connected_at: dt.datetime | None
    disconnected_at: dt.datetime | None
    last_packet_at: dt.datetime | None
    last_reading: dt.datetime | None = Field(description="start of the newest stored reading")
    packets: int
    answered: int
    rejections: dict[str, int] = Field(description="packets refused, by reason")
    crc_variant: str = Field(
        description="the CRC accepted besides the standard's: hj212 (none), modbus or swapped"
    )
    empty_password: bool = Field(description="the station's device sends an empty PW")
    variants: dict[str, int] = Field(
        description="packets that needed a tolerated variant, by variant (crc_modbus, "
        "crc_swapped, length_with_crc, header_2005_no_qn, header_2005_no_flag, empty_pw)"
    )
    untracked: dict[str, int] = Field(
        description="factor codes beside the six pollutants and wind that the device sends, "
        "with the packets that carried each (no rule uses them yet; their values are stored: "
        "GET /air/stations/{code}/factors)"
    )
    recent_faults: list[DeviceFaultOut] = Field(
        description="the last refused packets of this device (newest last, at most 5)"
    )


def device_out(s: Station) -> dict[str, Any]:
    status = getattr(s, "device_status", None)
    state = getattr(s, "state", None)
    return {
        "station": s.code,
        "station_name": s.name,
        "kind": s.kind,
        "mn": s.mn,
        "connected": bool(status and status.connected),
        "peer": status.peer if status else "",
        "connected_at": status.connected_at if status else None,
        "disconnected_at": status.disconnected_at if status else None,
        "last_packet_at": status.last_packet_at if status else None,
        "last_reading": dt.datetime.fromtimestamp(state.last_ts, tz=CST) if state else None,
        "packets": status.packets if status else 0,
        "answered": status.answered if status else 0,
        "rejections": {str(k): int(v) for k, v in (status.rejections or {}).items()}
        if status
        else {},
        "crc_variant": s.crc_variant,
        "empty_password": bool(s.mn) and devices.check_password("", s.pw_hash),
        "variants": _counts(status.variants if status else None),
        "untracked": _counts(status.untracked if status else None),
        "recent_faults": [
            {k: str(f.get(k, "")) for k in ("at", "reason", "raw")}
            for f in (status.faults or [] if status else [])
            if isinstance(f, dict)
        ],
    }


def _counts(value: object) -> dict[str, int]:
    return {str(k): int(v) for k, v in value.items()} if isinstance(value, dict) else {}
