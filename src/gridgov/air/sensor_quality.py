"""Sensor quality (设备运行质量) per station, per day and per month, computed when read from the
readings themselves (nothing stored, so a late reading or a reviewer's decision shows at once).

For a station with an interval of `m` minutes and `k` monitored pollutants, over a period:

- **expected intervals**: the period's intervals of `m` minutes (CST days: 1,440 / m a day)
  that have *ended* by now — today counts only its elapsed intervals, a future day none;
- **online rate** (在线率) = intervals with a reading row (any value, valid or not) ÷ expected
  intervals: whether the station reported at all;
- **data capture rate** (数据获取率) = valid values ÷ (expected intervals × k): values of the
  monitored pollutants that count in means (quality.counted with the station kind's mask, a
  reviewer's decision included) over all the values the station should have delivered;
- **QC pass rate** (质控通过率) = received values without any automatic quality flag (invalid or
  suspect: negative, above range, not a number, device flag, stuck, jump, far from neighbours)
  and not rejected by a reviewer ÷ received values (a value sent as not-a-number is received).

A rate is None when its denominator is 0 (nothing expected or received yet).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from gridgov.air.models import CST, POLLUTANT_FIELDS, Flag, Station
from gridgov.air.quality import counted_sql, exclusion_mask

DAY = 86400
CST_OFFSET = 8 * 3600
EPOCH = dt.date(1970, 1, 1)


@dataclass
class Counts:
    """The counts behind the three rates, added up over days and stations."""

    expected: int = 0  # intervals expected (ended by now)
    present: int = 0  # intervals with a reading row
    expected_values: int = 0  # expected × monitored pollutants
    valid: int = 0  # values that count in means
    received: int = 0  # values received (a not-a-number included)
    passed: int = 0  # received values without automatic flags, not rejected

    def add(self, other: Counts) -> None:
        self.expected += other.expected
        self.present += other.present
        self.expected_values += other.expected_values
        self.valid += other.valid
        self.received += other.received
        self.passed += other.passed

    @property
    def online_rate(self) -> float | None:
        return _share(min(self.present, self.expected), self.expected)

    @property
    def capture_rate(self) -> float | None:
        return _share(min(self.valid, self.expected_values), self.expected_values)

    @property
    def qc_pass_rate(self) -> float | None:
        return _share(self.passed, self.received)


def _share(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 2) if whole else None


@dataclass
class StationRates:
    """A station's counts over a period, and per day."""

    station: Station
    total: Counts = field(default_factory=Counts)
    days: dict[dt.date, Counts] = field(default_factory=dict)


def day_start_ts(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(), tzinfo=CST).timestamp())


def expected_intervals(day: dt.date, interval_minutes: int, now: float) -> int:
    """The intervals of `day` (CST) that have ended by `now`."""
    step = max(int(interval_minutes), 1) * 60
    start = day_start_ts(day)
    end = min(start + DAY, int(now))
    return max(0, (end - start) // step)


def monitored(station: Station) -> list[str]:
    return [p for p in POLLUTANT_FIELDS if p in (station.pollutants or POLLUTANT_FIELDS)]


def _counts_sql(pollutants: list[str], mask: int) -> str:
    """Per (station, CST day): rows, valid values, received values, passed values."""
    received = [f"({p} IS NOT NULL OR ({p}_flag & {Flag.NOT_A_NUMBER}) <> 0)" for p in pollutants]
    valid = [f"({p} IS NOT NULL AND {counted_sql(f'{p}_flag', mask)})" for p in pollutants]
    bad = Flag.AUTOMATIC | Flag.REJECTED
    passed = [
        f"({r} AND ({p}_flag & {bad}) = 0)" for r, p in zip(received, pollutants, strict=True)
    ]

    def total(conditions: list[str]) -> str:
        return " + ".join(f"SUM(CASE WHEN {c} THEN 1 ELSE 0 END)" for c in conditions) or "0"

    # Column names from POLLUTANT_FIELDS and numbers only.
    return (
        f"SELECT station_id, (ts + {CST_OFFSET}) / {DAY} AS d, COUNT(*), "  # noqa: S608
        f"{total(valid)}, {total(received)}, {total(passed)} FROM air_reading "
        "WHERE station_id IN ({ids}) AND ts >= %s AND ts < %s GROUP BY station_id, d"
    )


def rates(
    stations: Iterable[Station],
    start: dt.date,
    end: dt.date,
    now: dt.datetime | None = None,
) -> list[StationRates]:
    """Each station's counts for the days start..end (inclusive, CST), per day and in total."""
    moment = (now or timezone.now()).timestamp()
    stations = list(stations)
    out = {s.pk: StationRates(s) for s in stations}
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    for s in stations:
        k = len(monitored(s))
        for day in days:
            expected = expected_intervals(day, s.interval_minutes, moment)
            out[s.pk].days[day] = Counts(expected=expected, expected_values=expected * k)
    groups: dict[tuple[tuple[str, ...], int], list[int]] = defaultdict(list)
    for s in stations:
        groups[(tuple(monitored(s)), exclusion_mask(s.kind))].append(s.pk)
    lo, hi = day_start_ts(start), day_start_ts(end) + DAY
    for (pollutants, mask), ids in groups.items():
        sql = _counts_sql(list(pollutants), mask).format(ids=",".join(["%s"] * len(ids)))
        with connection.cursor() as cursor:
            cursor.execute(sql, [*ids, lo, hi])
            found = cursor.fetchall()
        for sid, d, rows, valid, received, passed in found:
            day = EPOCH + dt.timedelta(days=int(d))
            counts = out[int(sid)].days.get(day)
            if counts is None:
                continue
            counts.present += int(rows)
            counts.valid += int(valid or 0)
            counts.received += int(received or 0)
            counts.passed += int(passed or 0)
    for r in out.values():
        for counts in r.days.values():
            r.total.add(counts)
    return [out[s.pk] for s in stations]


def month_period(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of `month`'s month."""
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def default_months(today: dt.date) -> list[dt.date]:
    """The months the quality page shows by default: this month to date, and on a month's
    first day (when this month holds only today's first hours) the previous month too."""
    first = today.replace(day=1)
    if today.day == 1:
        return [first, (first - dt.timedelta(days=1)).replace(day=1)]
    return [first]


UNREGISTERED = "未登记运维单位"


@dataclass
class OperatorRates:
    name: str
    stations: list[StationRates]
    total: Counts


def operator_of(station: Station) -> str:
    op = getattr(station, "operator", None)
    return op.name if op is not None else UNREGISTERED


def by_operator(station_rates: list[StationRates]) -> list[OperatorRates]:
    """The stations' counts added up per operator (each operator's stations ranked too)."""
    grouped: dict[str, list[StationRates]] = defaultdict(list)
    for r in station_rates:
        grouped[operator_of(r.station)].append(r)
    out = []
    for name, members in grouped.items():
        total = Counts()
        for r in members:
            total.add(r.total)
        out.append(OperatorRates(name, ranked(members), total))
    return sorted(out, key=lambda o: _key(o.total, o.name))


def _key(c: Counts, name: str) -> tuple[float, float, float, str]:
    """Best first: capture rate, then online rate, then QC pass rate (unknown last)."""
    return (
        -(c.capture_rate if c.capture_rate is not None else -1.0),
        -(c.online_rate if c.online_rate is not None else -1.0),
        -(c.qc_pass_rate if c.qc_pass_rate is not None else -1.0),
        name,
    )


def ranked(station_rates: list[StationRates]) -> list[StationRates]:
    return sorted(station_rates, key=lambda r: _key(r.total, r.station.code))
