"""What the sensor-quality page and API show for a month: each station's online, data capture
and QC pass rates (per day and for the month), the operators ranked by them, each
micro-station's co-location comparison with its nearest control station, and the open
maintenance issues — all over the stations the account may see (Station.objects.for_user)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from gridgov import inputs
from gridgov.air import calibration
from gridgov.air.colocation import Comparison, colocate
from gridgov.air.models import CST, Station, StationKind
from gridgov.air.sensor_quality import (
    OperatorRates,
    StationRates,
    by_operator,
    month_period,
    ranked,
    rates,
)
from gridgov.air.upkeep_models import MaintenanceIssue
from gridgov.core.actor import Account


def parse_month(text: str | None, today: dt.date) -> dt.date | None:
    """`YYYY-MM` → its first day (None when empty); refused when malformed or in the future."""
    if text is None or not text.strip():
        return None
    try:
        year, number = text.strip().split("-")
        if len(year) != 4 or len(number) != 2:
            raise ValueError(text)
        month = dt.date(int(year), int(number), 1)
    except ValueError:
        raise inputs.InputError("month", "a month is YYYY-MM, e.g. 2026-11") from None
    if month > today.replace(day=1):
        raise inputs.InputError("month", "the month has not begun")
    if month.year < 2000:
        raise inputs.InputError("month", "the month is before 2000")
    return month


def default_api_month(today: dt.date) -> dt.date:
    """The API's one month by default: this month, but on its first day (a few hours of data)
    the previous whole month."""
    first = today.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1) if today.day == 1 else first


def quality_stations(user: Account) -> QuerySet[Station]:
    """The active ambient stations the account may see."""
    return (
        Station.objects.for_user(user)
        .filter(active=True)
        .exclude(kind=StationKind.EMISSION)
        .select_related("operator", "grid")
        .defer("grid__geometry")
        .order_by("code")
    )


@dataclass
class MonthQuality:
    month: dt.date
    start: dt.date
    end: dt.date  # the last day counted (today for the current month)
    stations: list[StationRates]
    operators: list[OperatorRates]
    colocation: list[Comparison]

    @property
    def label(self) -> str:
        return f"{self.month.year}-{self.month.month:02d}"


def month_quality(
    user: Account, month: dt.date, now: dt.datetime | None = None, with_days: bool = True
) -> MonthQuality:
    now = now or timezone.now()
    today = now.astimezone(CST).date()
    start, end = month_period(month)
    end = min(end, today)
    stations = list(quality_stations(user))
    station_rates = ranked(rates(stations, start, end, now))
    if not with_days:
        for r in station_rates:
            r.days = {}
    micros = [s for s in stations if s.kind == StationKind.MICRO]
    controls = [s for s in stations if s.is_control]
    comparisons = colocate(micros, controls, start, end)
    in_force = calibration.current([m.pk for m in micros], now)
    for c in comparisons:
        for f in c.fits:
            f.calibration = in_force.get((c.station.pk, f.pollutant))
    return MonthQuality(month, start, end, station_rates, by_operator(station_rates), comparisons)


def open_issues(user: Account) -> QuerySet[MaintenanceIssue]:
    return (
        MaintenanceIssue.objects.filter(ended_at=None, station__in=Station.objects.for_user(user))
        .select_related("station")
        .order_by("-opened_at", "-pk")
    )
