"""`GET /api/v1/air/quality?month=YYYY-MM`: the sensor-quality month of the stations the caller
may see (quality_report)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router

from gridgov import inputs
from gridgov.air import calibration
from gridgov.air.colocation import Comparison, Fit
from gridgov.air.models import CST, Station
from gridgov.air.quality_report import default_api_month, month_quality, parse_month
from gridgov.air.sensor_quality import DAY, Counts, day_start_ts, operator_of
from gridgov.air.upkeep_models import Calibration
from gridgov.apikit import ApiError, errors
from gridgov.schemas import Schema

router = Router()


class RatesOut(Schema):
    """Rates in % (None: nothing expected or received), with the counts behind them."""

    online_rate: float | None = Field(description="intervals with a reading ÷ expected")
    capture_rate: float | None = Field(description="valid values ÷ expected values")
    qc_pass_rate: float | None = Field(description="values without quality flags ÷ received")
    expected: int
    present: int
    expected_values: int
    valid: int
    received: int
    passed: int


class DayRatesOut(RatesOut):
    day: dt.date


class StationQualityOut(Schema):
    rank: int
    station: str
    name: str
    kind: str
    operator: str
    interval_minutes: int
    month: RatesOut
    days: list[DayRatesOut]


class OperatorQualityOut(Schema):
    rank: int
    operator: str
    stations: int
    month: RatesOut


class BandOut(Schema):
    band: str = Field(description="relative humidity band: <50, 50–70, >70 or unknown")
    n: int
    bias: float | None


class HumidHourOut(Schema):
    hour: dt.datetime
    rh: float
    micro: float
    control: float


class CalibrationOut(Schema):
    """calibrated = slope × raw + intercept from valid_from (to valid_to)."""

    id: int
    pollutant: str
    slope: float
    intercept: float
    valid_from: dt.datetime
    valid_to: dt.datetime | None
    by: str | None
    note: str


class FitOut(Schema):
    pollutant: str
    n: int
    slope: float | None
    intercept: float | None
    r: float | None
    bias: float | None = Field(description="mean of micro − control over the paired hours")
    bands: list[BandOut]
    humid_hours: list[HumidHourOut] = Field(description="hours above 70 % RH: marked, kept")
    calibrated_bias: float | None
    calibrated_n: int
    calibration: CalibrationOut | None = Field(description="the calibration in force now")


class ColocationOut(Schema):
    station: str
    control: str | None
    distance_km: float | None
    fits: list[FitOut]


class QualityOut(Schema):
    month: str
    start: dt.date
    end: dt.date
    operators: list[OperatorQualityOut]
    stations: list[StationQualityOut]
    colocation: list[ColocationOut]


def rates_out(c: Counts) -> dict[str, Any]:
    return {
        "online_rate": c.online_rate,
        "capture_rate": c.capture_rate,
        "qc_pass_rate": c.qc_pass_rate,
        "expected": c.expected,
        "present": c.present,
        "expected_values": c.expected_values,
        "valid": c.valid,
        "received": c.received,
        "passed": c.passed,
    }


def fit_out(f: Fit) -> dict[str, Any]:
    return {
        "pollutant": f.pollutant,
        "n": f.n,
        "slope": f.slope,
        "intercept": f.intercept,
        "r": f.r,
        "bias": f.bias,
        "bands": [{"band": b.name, "n": b.n, "bias": b.bias} for b in f.bands],
        "humid_hours": [
            {
                "hour": dt.datetime.fromtimestamp(h.ts, tz=CST),
                "rh": h.rh,
                "micro": h.micro,
                "control": h.control,
            }
            for h in f.humid_hours
        ],
        "calibrated_bias": f.calibrated_bias,
        "calibrated_n": f.calibrated_n,
        "calibration": calibration_out(f.calibration) if f.calibration else None,
    }


def calibration_out(c: Calibration) -> dict[str, Any]:
    return {
        "id": c.pk,
        "pollutant": c.pollutant,
        "slope": c.slope,
        "intercept": c.intercept,
        "valid_from": c.valid_from,
        "valid_to": c.valid_to,
        "by": c.by.get_username() if c.by else None,
        "note": c.note,
    }


def colocation_out(c: Comparison) -> dict[str, Any]:
    return {
        "station": c.station.code,
        "control": c.control.code if c.control else None,
        "distance_km": c.distance_km,
        "fits": [fit_out(f) for f in c.fits],
    }


@router.get("/air/quality", response={200: QualityOut, **errors(400, 401)})
def quality(request: HttpRequest, month: str | None = None) -> Any:
    """Online, data capture and QC pass rates of the caller's stations for a month (default:
    this month to now; on a month's first day the previous month), per day and for the month,
    stations and operators ranked (capture rate, then online, then QC pass); and each
    micro-station's co-location comparison with its nearest control station."""
    now = timezone.now()
    today = now.astimezone(CST).date()
    chosen = parse_month(month, today) or default_api_month(today)
    q = month_quality(request.user, chosen, now)
    return {
        "month": q.label,
        "start": q.start,
        "end": q.end,
        "operators": [
            {
                "rank": k + 1,
                "operator": o.name,
                "stations": len(o.stations),
                "month": rates_out(o.total),
            }
            for k, o in enumerate(q.operators)
        ],
        "stations": [
            {
                "rank": k + 1,
                "station": r.station.code,
                "name": r.station.name,
                "kind": r.station.kind,
                "operator": operator_of(r.station),
                "interval_minutes": r.station.interval_minutes,
                "month": rates_out(r.total),
                "days": [{"day": d, **rates_out(c)} for d, c in sorted(r.days.items())],
            }
            for k, r in enumerate(q.stations)
        ],
        "colocation": [colocation_out(c) for c in q.colocation],
    }


class CalibratedValueOut(Schema):
    ts: dt.datetime
    raw: float | None = Field(description="the value as the device sent it (stored)")
    calibrated: float | None = Field(description="slope × raw + intercept; raw where none")
    calibration: int | None = Field(description="id of the calibration applied")


class CalibratedOut(Schema):
    station: str
    pollutant: str
    date: dt.date
    calibrations: list[CalibrationOut]
    values: list[CalibratedValueOut]


@router.get("/air/quality/calibrated", response={200: CalibratedOut, **errors(400, 401, 404)})
def calibrated(request: HttpRequest, station: str, date: str, pollutant: str = "pm25") -> Any:
    """A station's day (CST) of one pollutant: the stored raw values with their calibrated
    values beside them, and the station's calibrations of that pollutant."""
    found = Station.objects.for_user(request.user).filter(code=station).first()
    if found is None:
        raise ApiError(404, f"no station with code {station!r}", field="station")
    day = inputs.parse_date("date", date)
    start = day_start_ts(day)
    series = calibration.minute_series(found, pollutant, start, start + DAY)
    return {
        "station": found.code,
        "pollutant": pollutant,
        "date": day,
        "calibrations": [calibration_out(c) for c in calibration.in_force(found.pk, pollutant)],
        "values": [
            {
                "ts": dt.datetime.fromtimestamp(int(t), tz=CST),
                "raw": _number(r),
                "calibrated": _number(v),
                "calibration": int(k) or None,
            }
            for t, r, v, k in zip(
                series.ts, series.raw, series.calibrated, series.calibration, strict=True
            )
        ],
    }


def _number(value: float) -> float | None:
    return None if value != value else float(value)  # NaN: no value
