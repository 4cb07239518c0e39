"""Stream readings from CSV or Parquet files into ingestion batches, in constant memory.

Columns: station,time,pm25,pm10,so2,no2,co,o3, optionally the meteorology columns wd, ws,
temp, rh, dewp, pres (hPa), rain (air/met.py: a bad value refuses its row, naming the column),
and any known factor beside the six by its HJ 212 code (a01001, a01002, a01006, a01007, a01008,
a34001, LA …: air/factors.py), stored with flag N. `time` is the start of the averaging interval,
ISO 8601; a time without an offset is China Standard Time. Empty = missing; "NaN" = a value the
instrument sent as not-a-number (stored, flagged). Parsing is columnar (pyarrow); a block with a
value pyarrow cannot read falls back to row-by-row parsing so that each bad row is named.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from gridgov.air import met, wind
from gridgov.air.batches import from_records
from gridgov.air.factors import Factors, canonical, is_factor_column
from gridgov.air.ingest import NCOL, Batch, RowError
from gridgov.air.models import POLLUTANT_FIELDS
from gridgov.errors import INVALID, DomainError

CST_SECONDS = 8 * 3600
REQUIRED = ("station", "time")
BLOCK_BYTES = 8 << 20


@dataclass
class Chunk:
    batch: Batch
    errors: list[RowError]
    rows: int  # rows read in this chunk
    progress: int  # bytes (CSV) or rows (Parquet) read so far


class FileError(DomainError, ValueError):
    """A readings file that cannot be read as a whole (kind invalid)."""

    def __init__(self, message: str) -> None:
        super().__init__(INVALID, message, "file")


def _times(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(epoch seconds, ok mask) for a string or timestamp column."""
    if pa.types.is_timestamp(column.type):
        seconds = pc.cast(column, pa.timestamp("s", tz=column.type.tz)).cast(pa.int64())
        values = seconds.to_numpy(zero_copy_only=False).astype(np.int64)
        ok = column.is_valid().to_numpy(zero_copy_only=False)
        if column.type.tz is None:
            values = values - CST_SECONDS
        return np.where(ok, values, 0), ok
    text = pc.utf8_replace_slice(column.cast(pa.string()), 10, 11, "T")
    with_zone = pc.strptime(text, format="%Y-%m-%dT%H:%M:%S%z", unit="s", error_is_null=True)
    naive = pc.strptime(text, format="%Y-%m-%dT%H:%M:%S", unit="s", error_is_null=True)
    z = with_zone.cast(pa.int64()).to_numpy(zero_copy_only=False)
    n = naive.cast(pa.int64()).to_numpy(zero_copy_only=False)
    z_ok = with_zone.is_valid().to_numpy(zero_copy_only=False)
    n_ok = naive.is_valid().to_numpy(zero_copy_only=False)
    values = np.where(z_ok, np.nan_to_num(z), np.nan_to_num(n) - CST_SECONDS).astype(np.int64)
    return values, z_ok | n_ok


def _columnar(
    table: pa.Table | pa.RecordBatch, station_ids: dict[str, int], first_row: int
) -> tuple[Batch, list[RowError]] | None:
    """Fast path; None when a value column is not numeric (then rows are parsed one by one)."""
    n = table.num_rows
    values = np.full((n, NCOL), np.nan)
    nulls = np.ones((n, NCOL), dtype=bool)
    for j, p in enumerate(POLLUTANT_FIELDS):
        if p not in table.column_names:
            continue
        column = table.column(p)
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            try:
                column = pc.cast(column, pa.float64())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                return None
        elif not (
            pa.types.is_floating(column.type)
            or pa.types.is_integer(column.type)
            or pa.types.is_null(column.type)
        ):
            return None
        column = pc.cast(column, pa.float64())
        nulls[:, j] = ~column.is_valid().to_numpy(zero_copy_only=False)
        values[:, j] = column.fill_null(np.nan).to_numpy(zero_copy_only=False)
    nan_given = np.isnan(values) & ~nulls
    extra = [c for c in table.column_names if is_factor_column(c) and not met.is_met_column(c)]
    factors = _factor_columns(table, extra) if extra else None
    if extra and factors is None:
        return None
    met_names = [c for c in table.column_names if met.is_met_column(c)]
    met_errors: list[RowError] = []
    winds: np.ndarray | None = None
    if met_names:
        met_rows, met_errors, winds = _met_columns(table, met_names, first_row)
        if factors is None:
            factors = met_rows
        else:
            for mine, theirs in zip(factors, met_rows, strict=True):
                mine.update(theirs)
    ts, ts_ok = _times(table.column("time"))
    codes = table.column("station").cast(pa.string())
    encoded = (
        pc.dictionary_encode(codes).combine_chunks()
        if isinstance(codes, pa.ChunkedArray)
        else pc.dictionary_encode(codes)
    )
    dictionary = encoded.dictionary.to_pylist()
    lookup = np.array([station_ids.get(code, -1) for code in dictionary], dtype=np.int64)
    indices = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    station = np.where(indices >= 0, lookup[np.maximum(indices, 0)], -1)
    rows = np.arange(first_row, first_row + n, dtype=np.int64)
    errors = []
    for i in np.flatnonzero(station < 0):
        code = codes[int(i)].as_py()
        errors.append(RowError(int(rows[i]), "station", f"unknown station {code!r}"))
    for i in np.flatnonzero(~ts_ok):
        errors.append(RowError(int(rows[i]), "time", "not an ISO 8601 time"))
    errors.extend(met_errors)
    good = (station >= 0) & ts_ok
    if met_errors:
        good[np.array([e.row for e in met_errors], dtype=np.int64) - first_row] = False
    batch = Batch(station[good], ts[good], values[good], nan_given[good], rows[good])
    if winds is not None:
        batch.wind = winds[good]
    if factors is not None:
        kept: list[Factors | None] = [factors[i] for i in np.flatnonzero(good).tolist()]
        batch.factors = kept if any(kept) else None
    return batch, sorted(errors, key=lambda e: e.row)


def _factor_columns(table: pa.Table | pa.RecordBatch, names: list[str]) -> list[Factors] | None:
    """Each row's factors from the factor columns (finite values, flag N); None when a column
    is not numeric (the block is then parsed row by row, naming the bad rows)."""
    rows: list[Factors] = [{} for _ in range(table.num_rows)]
    for name in names:
        column = table.column(name)
        try:
            column = pc.cast(column, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
        data = column.fill_null(np.nan).to_numpy(zero_copy_only=False)
        code = canonical(name)
        for i in np.flatnonzero(np.isfinite(data)).tolist():
            rows[i][code] = (float(data[i]), "N")
    return rows


def _met_columns(
    table: pa.Table | pa.RecordBatch, names: list[str], first_row: int
) -> tuple[list[Factors], list[RowError], np.ndarray | None]:
    """Each row's meteorology (wd, ws, temp …: air/met.py) as factors, the bad cells as row
    errors naming their column, and the (n, 2) wind for the latest-wind store (None without
    wd/ws). Each distinct cell is parsed once."""
    n = table.num_rows
    rows: list[Factors] = [{} for _ in range(n)]
    errors: list[RowError] = []
    winds = np.full((n, 2), np.nan)
    has_wind = False
    for name in names:
        column = name.lower()
        code = met.code_of(column)
        wind_col = {"wd": wind.WD, "ws": wind.WS}.get(column)
        has_wind = has_wind or wind_col is not None
        seen: dict[object, tuple[float | None, str]] = {}
        for i, raw in enumerate(table.column(name).to_pylist()):
            if raw is None:
                continue
            known = seen.get(raw)
            if known is None:
                try:
                    known = (met.parse(column, raw), "")
                except ValueError as exc:
                    known = (None, str(exc))
                if raw == raw:  # NaN is never found again: not cached
                    seen[raw] = known
            value, problem = known
            if problem:
                errors.append(RowError(first_row + i, name, problem))
            elif value is not None:
                rows[i][code] = (value, "N")
                if wind_col is not None:
                    winds[i, wind_col] = value
    if has_wind:
        winds[:, wind.WD] = [wind.clean_direction(v) for v in winds[:, wind.WD].tolist()]
    return rows, errors, winds if has_wind else None


def _by_rows(
    table: pa.Table | pa.RecordBatch, station_ids: dict[str, int], first_row: int
) -> tuple[Batch, list[RowError]]:
    def station_of(record: dict[str, Any]) -> int:
        code = str(record.get("station") or "")
        if code not in station_ids:
            raise KeyError(f"unknown station {code!r}")
        return station_ids[code]

    return from_records(table.to_pylist(), station_of, first_row=first_row, strict_fields=False)


def _check_columns(names: list[str]) -> None:
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise FileError(f"missing column(s): {', '.join(missing)}")
    unknown = sorted(
        n
        for n in set(names) - {*REQUIRED, *POLLUTANT_FIELDS}
        if not is_factor_column(n) and not met.is_met_column(n)
    )
    if unknown:
        raise FileError(f"unknown column(s): {', '.join(unknown)}")
    codes: dict[str, str] = {}
    for n in names:
        if met.is_met_column(n) or is_factor_column(n):
            code = (met.code_of(n) if met.is_met_column(n) else canonical(n)).lower()
            if code in codes:
                raise FileError(f"columns {codes[code]} and {n} are the same factor: keep one")
            codes[code] = n


def _chunks(
    blocks: Iterator[pa.RecordBatch], station_ids: dict[str, int], progress: Any
) -> Iterator[Chunk]:
    row = 2  # row 1 is the header
    for block in blocks:
        parsed = _columnar(block, station_ids, row) or _by_rows(block, station_ids, row)
        yield Chunk(parsed[0], parsed[1], block.num_rows, progress())
        row += block.num_rows


def read_csv(path: Path, station_ids: dict[str, int]) -> Iterator[Chunk]:
    stream = open(path, "rb")  # noqa: SIM115  (closed by the generator below)
    try:
        reader = pcsv.open_csv(
            stream,
            read_options=pcsv.ReadOptions(block_size=BLOCK_BYTES),
            convert_options=pcsv.ConvertOptions(
                null_values=[""],
                strings_can_be_null=True,
                column_types={"station": pa.string(), "time": pa.string()},
            ),
        )
    except pa.ArrowInvalid as exc:
        stream.close()
        raise FileError(f"cannot read CSV: {exc}") from exc
    try:
        _check_columns(reader.schema.names)
        blocks = iter(reader)
        while True:
            try:
                block = next(blocks)
            except StopIteration:
                return
            except pa.ArrowInvalid as exc:
                raise FileError(f"cannot read CSV: {exc}") from exc
            yield from _chunks(iter([block]), station_ids, stream.tell)
    finally:
        stream.close()


def read_parquet(path: Path, station_ids: dict[str, int], rows: int = 200_000) -> Iterator[Chunk]:
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise FileError(f"cannot read Parquet: {exc}") from exc
    _check_columns(parquet.schema_arrow.names)
    done = 0

    def progress() -> int:
        return done

    for block in parquet.iter_batches(batch_size=rows):
        done += block.num_rows
        yield from _chunks(iter([block]), station_ids, progress)


def total_size(path: Path) -> int:
    """Progress total: bytes for CSV, rows for Parquet."""
    if path.suffix.lower() == ".parquet":
        return int(pq.ParquetFile(path).metadata.num_rows)
    return path.stat().st_size


def read_file(path: Path, station_ids: dict[str, int]) -> Iterator[Chunk]:
    if path.suffix.lower() == ".parquet":
        return read_parquet(path, station_ids)
    return read_csv(path, station_ids)
