"""Reading the files external systems hand over (fire-point lists, 12345 exports): CSV (UTF-8,
with or without BOM, or GB18030 as Chinese Excel saves it), JSON (a list of objects) and GeoJSON
(a FeatureCollection of Points: the geometry gives lon/lat, the properties the rest).

Headers are matched by alias (Chinese or English, case and spaces ignored); each cell is read by
the field's parser, and a bad cell is a `RowError` naming the row (the file's line: the header
is row 1) and the field, never a silent cut."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gridgov import inputs
from gridgov.core.workcal import CST

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.reason}"


class CellError(ValueError):
    pass


def _key(header: str) -> str:
    return re.sub(r"[\s_\-()（）]", "", header.strip().lstrip("\ufeff")).lower()


def header_map(headers: list[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """{field: the file's header} for every field one of whose aliases is a header."""
    by_key = {_key(h): h for h in headers if h}
    found = {}
    for name, names in aliases.items():
        for alias in names:
            if _key(alias) in by_key:
                found[name] = by_key[_key(alias)]
                break
    return found


def records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, {header: value}) of each record of a CSV, JSON or GeoJSON file."""
    data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        raise CellError(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if path.suffix.lower() in (".json", ".geojson"):
        yield from json_records(data)
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030", errors="strict")
        except UnicodeDecodeError as exc:
            raise CellError(
                f"the file is neither UTF-8 nor GB18030 text (a bad byte at {exc.start}); "
                "save it as UTF-8 CSV"
            ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    for i, row in enumerate(reader, start=2):
        if i > MAX_ROWS + 1:
            raise CellError(f"more than {MAX_ROWS} rows")
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue  # a blank line
        yield i, {k: v for k, v in row.items() if k is not None}


def json_records(data: bytes) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        doc = inputs.parse_json("file", data)
    except inputs.InputError as exc:
        raise CellError(exc.message) from None
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        items = doc.get("features") or []
    elif isinstance(doc, dict) and isinstance(doc.get("records"), list):
        items = doc["records"]
    else:
        items = doc
    if not isinstance(items, list):
        raise CellError("expected a list of records or a GeoJSON FeatureCollection")
    for i, item in enumerate(items[:MAX_ROWS], start=1):
        if not isinstance(item, dict):
            yield i, {}
            continue
        if item.get("type") == "Feature":
            props = dict(item.get("properties") or {})
            geometry = item.get("geometry") or {}
            coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
            if (
                isinstance(geometry, dict)
                and geometry.get("type") == "Point"
                and isinstance(coords, list)
                and len(coords) >= 2
            ):
                props.setdefault("lon", coords[0])
                props.setdefault("lat", coords[1])
            yield i, props
        else:
            yield i, item


# --- cells -----------------------------------------------------------------------------------


def text(value: Any, max_length: int) -> str:
    out = "" if value is None else str(value).strip()
    try:
        return inputs.check_text("cell", out, max_length)
    except inputs.InputError as exc:
        raise CellError(exc.message) from None


def number(value: Any, low: float, high: float) -> float:
    if isinstance(value, bool):
        raise CellError("not a number")
    try:
        out = float(str(value).strip()) if not isinstance(value, int | float) else float(value)
    except ValueError:
        raise CellError(f"{str(value)[:20]!r} is not a number") from None
    if not math.isfinite(out):
        raise CellError("must be a finite number")
    if not low <= out <= high:
        raise CellError(f"must be within {low:g}–{high:g}")
    return out


# VIIRS lists give the confidence as a letter: low, nominal, high.
CONFIDENCE_WORDS = {"l": 30.0, "low": 30.0, "低": 30.0, "n": 60.0, "nominal": 60.0, "中": 60.0,
                    "h": 90.0, "high": 90.0, "高": 90.0}  # fmt: skip


def confidence(value: Any) -> float | None:
    """0–100 (a percentage; a share 0–1 is scaled), or a VIIRS letter; blank: None."""
    raw = "" if value is None else str(value).strip().rstrip("%")
    if not raw:
        return None
    if raw.lower() in CONFIDENCE_WORDS:
        return CONFIDENCE_WORDS[raw.lower()]
    out = number(raw, 0, 100)
    return out * 100 if 0 < out < 1 else out


_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y%m%d %H%M%S",
    "%Y%m%d %H%M",
    "%Y%m%d%H%M%S",
    "%Y%m%d%H%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H时%M分%S秒",
    "%Y年%m月%d日%H时%M分",
)

# A date alone is refused where a time is asked: reading it as 00:00 would invent a detection
# time (a 00:00 fire point, a midnight 12345 call).
_DATE_ONLY = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日", "%Y.%m.%d")


def _date_only(raw: str) -> bool:
    for fmt in _DATE_ONLY:
        try:
            dt.datetime.strptime(raw, fmt)  # noqa: DTZ007 (a shape test only)
        except ValueError:
            continue
        return True
    return False


def when(value: Any, naive_tz: dt.tzinfo = CST) -> dt.datetime:
    """A date-time in one of the accepted forms (ISO 8601 with or without offset, YYYY/MM/DD
    HH:MM, YYYYMMDD HHMM, 2026年12月7日 13时25分, …); without an offset it is `naive_tz`
    (China time unless told)."""
    raw = "" if value is None else str(value).strip()
    if not raw:
        raise CellError("a time is required")
    if len(raw) > 40:
        raise CellError("not a date-time")
    if _date_only(raw):
        raise CellError(f"{raw[:25]!r} is a date without a time of day; give the time too")
    inputs_years = inputs.ANY_YEARS
    found: dt.datetime | None = None
    try:
        found = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        squeezed = re.sub(r"\s+", " ", raw)
        for fmt in _FORMATS:
            try:
                found = dt.datetime.strptime(squeezed, fmt)  # noqa: DTZ007 (zone set below)
                break
            except ValueError:
                continue
    if found is None:
        raise CellError(f"{raw[:25]!r} is not a date-time this importer reads")
    if not inputs_years[0] <= found.year <= inputs_years[1]:
        raise CellError(f"the year must be between {inputs_years[0]} and {inputs_years[1]}")
    return found if found.tzinfo else found.replace(tzinfo=naive_tz)


def cell(record: dict[str, Any], columns: dict[str, str], name: str) -> Any:
    header = columns.get(name)
    return None if header is None else record.get(header)


def checked_raw(record: dict[str, Any]) -> dict[str, Any]:
    """The record as it came (kept as the raw payload): JSON-safe scalars only."""
    out: dict[str, Any] = {}
    for k, v in record.items():
        key = str(k)[:60]
        if isinstance(v, float) and not math.isfinite(v):
            v = str(v)
        out[key] = v if isinstance(v, str | int | float | bool) or v is None else str(v)[:200]
    return json.loads(json.dumps(out, ensure_ascii=False))
