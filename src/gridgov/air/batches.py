"""Build ingestion batches from records (HTTP JSON, CSV/Parquet rows, the demo generator)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from gridgov.air import factors as registry
from gridgov.air import met, wind
from gridgov.air.factors import Factors
from gridgov.air.ingest import NCOL, Batch, RowError
from gridgov.air.models import CST, POLLUTANT_FIELDS
from gridgov.air.quality import PHYSICAL_MAX
from gridgov.inputs import READING_EARLIEST

WIND_FIELDS = ("wd", "ws")
FACTORS_FIELD = "factors"  # {"a01001": 24.8, "LA": [57.9, "N"], …}: air/factors.py
ALLOWED_FIELDS = {"time", *POLLUTANT_FIELDS, *WIND_FIELDS, FACTORS_FIELD}


def parse_time(value: Any) -> int:
    """ISO 8601 → epoch seconds; a time without an offset is China Standard Time."""
    if isinstance(value, dt.datetime):
        moment = value
    else:
        text = str(value).strip()
        if not text:
            raise ValueError("missing")
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CST)
    if moment < READING_EARLIEST:
        raise ValueError("before 2000-01-01: no monitoring data is that old")
    return int(moment.timestamp())


def parse_value(value: Any) -> tuple[float, bool]:
    """(value, given as not-a-number). None/"" = missing (NaN, False)."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return math.nan, False
    if isinstance(value, bool):
        raise ValueError("must be a number")
    if isinstance(value, str):
        text = value.strip().lower()
        if text in {"nan", "-nan", "+nan"}:
            return math.nan, True
        value = float(text)
    number = float(value)
    if math.isnan(number):
        return math.nan, True
    if math.isinf(number):
        raise ValueError("must be finite")
    if abs(number) > PHYSICAL_MAX:
        raise ValueError(f"{number:g} is not a physical concentration (at most {PHYSICAL_MAX:g})")
    return number, False


def parse_wind(value: Any) -> float:
    """A wind value: NaN when missing, not finite or out of range (never an error); a value
    that is not a number at all (text, true/false, an object) raises ValueError."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError("must be a number")
    try:
        number = float(value)
    except OverflowError:  # an integer too large for a float: out of range
        return math.nan
    return number


def from_records(
    records: Iterable[Mapping[str, Any]],
    station_of: Any,
    first_row: int = 1,
    strict_fields: bool = True,
) -> tuple[Batch, list[RowError]]:
    """Records (dicts with time and pollutant values) → Batch, plus parse errors by row.

    station_of(record) returns a station id, or raises KeyError with a message for the row.
    """
    stations: list[int] = []
    times: list[int] = []
    values: list[list[float]] = []
    nans: list[list[bool]] = []
    rows: list[int] = []
    winds: list[tuple[float, float]] = []
    any_wind = False
    extras: list[Factors | None] = []
    any_factors = False
    errors: list[RowError] = []
    for number, record in enumerate(records, start=first_row):
        if not isinstance(record, Mapping):
            errors.append(RowError(number, "reading", "must be an object"))
            continue
        row_errors: list[RowError] = []
        if strict_fields:
            for name in sorted(set(record) - ALLOWED_FIELDS - {"station"}):
                row_errors.append(RowError(number, name, "unknown field"))
        try:
            station = int(station_of(record))
        except KeyError as exc:
            row_errors.append(RowError(number, "station", str(exc.args[0])))
            station = -1
        try:
            ts = parse_time(record.get("time"))
        except (ValueError, TypeError) as exc:
            row_errors.append(RowError(number, "time", f"not an ISO 8601 time ({exc})"))
            ts = 0
        vals, flags = [], []
        for p in POLLUTANT_FIELDS:
            try:
                v, given_nan = parse_value(record.get(p))
            except (ValueError, TypeError) as exc:
                row_errors.append(RowError(number, p, f"not a number ({exc})"))
                v, given_nan = math.nan, False
            vals.append(v)
            flags.append(given_nan)
        pair = [math.nan, math.nan]
        for k, name in enumerate(WIND_FIELDS):
            if not strict_fields or record.get(name) is None:  # a file's: met columns below
                continue
            any_wind = True
            try:
                pair[k] = parse_wind(record.get(name))
            except (ValueError, TypeError) as exc:
                row_errors.append(RowError(number, name, f"not a number ({exc})"))
        extra: Factors = {}
        given_factors = record.get(FACTORS_FIELD)
        if given_factors is not None and (strict_fields or isinstance(given_factors, dict)):
            extra, problems = registry.parse_factors(given_factors)
            row_errors.extend(RowError(number, f, m) for f, m in problems)
        if not strict_fields:  # a file's factor columns (a01001, LA …: air/readers.py)
            for name in record:
                if met.is_met_column(name):  # wd, ws, temp …: air/met.py
                    try:
                        given_met = met.parse(name, record[name])
                    except ValueError as exc:
                        row_errors.append(RowError(number, name, str(exc)))
                        continue
                    if name.lower() in WIND_FIELDS:
                        any_wind = True
                        if given_met is not None:
                            pair[WIND_FIELDS.index(name.lower())] = given_met
                    elif given_met is not None:
                        extra[met.code_of(name)] = (given_met, "N")
                    continue
                if not registry.is_factor_column(name) or record[name] in (None, ""):
                    continue
                try:
                    measured = float(record[name])
                except (ValueError, TypeError):
                    row_errors.append(RowError(number, name, "not a number"))
                    continue
                if math.isfinite(measured):
                    extra[registry.canonical(name)] = (measured, "N")
        for code, given in zip((registry.DIRECTION, registry.SPEED), pair, strict=True):
            if math.isfinite(given) and code not in extra:  # wind is a factor too
                extra[code] = (given, "N")
        if row_errors:
            errors.extend(row_errors)
            continue
        any_factors = any_factors or bool(extra)
        extras.append(extra or None)
        stations.append(station)
        times.append(ts)
        values.append(vals)
        nans.append(flags)
        rows.append(number)
        winds.append(wind.clean_pair(pair[0], pair[1]))
    batch = Batch(
        np.array(stations, dtype=np.int64),
        np.array(times, dtype=np.int64),
        np.array(values, dtype=float).reshape(-1, NCOL),
        np.array(nans, dtype=bool).reshape(-1, NCOL),
        np.array(rows, dtype=np.int64),
        wind=np.array(winds, dtype=float).reshape(-1, 2) if any_wind else None,
        factors=extras if any_factors else None,
    )
    return batch, errors
