"""The registry in Excel: one template per category, import (check every row, then write all or
nothing through the services), export in the same columns so that export → import round-trips.

Columns: the shared ones (code, name, address, lat, lon or a geometry cell holding GeoJSON or WKT
for lines and areas, status, responsible post id or a person's phone, notes), then the category's
fields in its schema's order. Headers are "中文 key"; either word names the column. Choice cells
take the code or the Chinese label; lists are comma-separated; booleans are 是/否.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely.wkt
from django.db import transaction
from django.utils import translation
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from shapely.errors import ShapelyError
from shapely.geometry import mapping

from gridgov import inputs
from gridgov.core import sheets
from gridgov.core.sheets import LIST_SPLIT, YES, RowError
from gridgov.inputs import sheet_row
from gridgov.people.models import Post
from gridgov.sources import categories
from gridgov.sources.models import PollutionSource, Status
from gridgov.sources.services import (
    TRACKED,
    SourceError,
    SourceInput,
    _checked,
    check_scope,
    create_source,
    update_source,
)
from gridgov.territory import extent

SHARED: list[tuple[str, str]] = [
    ("code", "编号"),
    ("name", "名称"),
    ("address", "地址"),
    ("lat", "纬度"),
    ("lon", "经度"),
    ("geometry", "位置GeoJSON或WKT"),
    ("status", "状态"),
    ("responsible", "责任岗位ID或手机号"),
    ("notes", "备注"),
]
NO = sheets.NO | {""}
MOBILE = re.compile(r"^1\d{10}$")
MAX_ROWS = 100_000


@dataclass
class SourceRow:
    row: int
    action: str  # create, update, unchanged
    data: SourceInput
    existing_id: int | None = None
    changed: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    category: str
    rows: list[SourceRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


def _zh(text: Any) -> str:
    with translation.override("zh-hans"):
        return str(text)


def columns(category: str) -> list[tuple[str, str]]:
    """(key, Chinese header word) of every column of the category's sheet."""
    specs = categories.field_specs(category)
    return SHARED + [(s.name, _zh(s.label).replace(" ", "")) for s in specs]


def headers(category: str) -> list[str]:
    return [f"{label} {key}" for key, label in columns(category)]


def _header_map(category: str, header: Iterable[Any]) -> dict[int, str]:
    """Column index → key, for headers "中文 key", "中文" or "key"."""
    return sheets.header_keys(header, {key: (key, label) for key, label in columns(category)})


def _choice_map(pairs: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """Accepted spellings → code: the code, its Chinese and its English label."""
    out: dict[str, str] = {}
    for code, label in pairs:
        out[code.lower()] = code
        for language in ("zh-hans", "en"):
            with translation.override(language):
                out[str(label).strip().lower()] = code
    return out


STATUS_MAP = _choice_map(Status.choices)


# ------------------------------------------------------------------------------ reading --


_text = sheets.cell_text


def _number(spec_kind: str, value: Any) -> int | float:
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, int | float):
        number: int | float = value
    else:
        text = _text(value).replace(",", "")
        number = (
            int(text) if spec_kind == "int" and re.fullmatch(r"[+-]?\d+", text) else float(text)
        )
    if spec_kind == "int":
        if isinstance(number, float):
            if not number.is_integer():
                raise ValueError("not a whole number")
            number = int(number)
        inputs.check_int("value", number)
    else:
        inputs.check_number("value", float(number))
    return number


def _date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = _text(value).replace("/", "-").replace(".", "-")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date (YYYY-MM-DD): {text[:20]!r}") from None
    inputs.check_date("date", day, inputs.ANY_YEARS)
    return day.isoformat()


def _cell(spec: categories.FieldSpec, value: Any) -> Any:
    """One category cell → the JSON value the schema checks (ValueError: why not)."""
    empty = value is None or (isinstance(value, str) and not value.strip())
    if spec.kind == "bool":
        text = _text(value).lower()
        if isinstance(value, bool):
            return value
        if text in YES:
            return True
        if text in NO:
            return False if not empty else spec.default
        raise ValueError(f"是 or 否, not {text[:20]!r}")
    if empty:
        return spec.default if spec.default is not None else ("" if spec.kind == "text" else None)
    if spec.kind in ("int", "float"):
        return _number(spec.kind, value)
    if spec.kind == "choice":
        mapping_ = _choice_map(
            (c, categories.CHOICE_LABELS.get(spec.name, {}).get(c, c)) for c in spec.choices
        )
        code = mapping_.get(_text(value).lower())
        if code is None:
            raise ValueError(f"one of {', '.join(spec.choice_label(c) for c in spec.choices)}")
        return code
    if spec.kind in ("choices", "texts", "dates"):
        parts = [p.strip() for p in LIST_SPLIT.split(_text(value)) if p.strip()]
        if spec.kind == "texts":
            return parts
        if spec.kind == "dates":
            return [_date(p) for p in parts]
        mapping_ = _choice_map(
            (c, categories.CHOICE_LABELS.get(spec.name, {}).get(c, c)) for c in spec.choices
        )
        out = []
        for part in parts:
            code = mapping_.get(part.lower())
            if code is None:
                allowed = ", ".join(spec.choice_label(c) for c in spec.choices)
                raise ValueError(f"{part[:20]!r}: each one of {allowed}")
            out.append(code)
        return out
    if spec.kind == "date":
        return _date(value)
    return _text(value)


def parse_geometry_text(text: str) -> dict[str, Any]:
    """A geometry cell: GeoJSON (an object, or a Feature's geometry) or WKT."""
    text = text.strip()
    if text.startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"not GeoJSON: {exc}") from None
        if isinstance(parsed, dict) and parsed.get("type") == "Feature":
            parsed = parsed.get("geometry")
        if not isinstance(parsed, dict):
            raise ValueError("not a GeoJSON geometry")
        problems = inputs.json_problems(parsed, 1)
        if problems:
            raise ValueError(problems[0].message)
        return parsed
    try:
        return dict(mapping(shapely.wkt.loads(text)))
    except (ShapelyError, ValueError, TypeError, AttributeError) as exc:
        raise ValueError(f"neither GeoJSON nor WKT ({exc})") from None


def _plain(value: Any) -> Any:
    """Tuples from shapely's mapping → lists, as JSON has them."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _responsible(text: str, posts_by_phone: dict[str, int]) -> int | None:
    if not text:
        return None
    if MOBILE.match(text):
        if text not in posts_by_phone:
            raise ValueError(f"no current responsible post held by {text}")
        return posts_by_phone[text]
    if text.isdigit():
        return inputs.check_int("responsible", int(text))
    raise ValueError("a post id or a mobile number")


def _field_of(exc: SourceError) -> str:
    name = exc.field
    if name.startswith("attributes."):
        return name.split(".")[1]
    return {"responsible_post": "responsible", "geometry": "geometry/lat/lon"}.get(name, name)


def _sheet(wb: Any, category: str) -> Worksheet:
    label = _zh(categories.LABELS[category])
    for ws in wb.worksheets:
        if ws.title in (category, label):
            return ws
    return wb.worksheets[0]


def read_sources(
    path: Path | io.BytesIO,
    category: str,
    *,
    user: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Read and check every row of the category's sheet; nothing is written. `user`, if given,
    may only touch sources in its scope. `progress(done, total)` is called as rows are checked."""
    category = categories.check_category(category).value
    report = ImportReport(category)
    try:
        wb = sheets.open_book(path)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        report.errors.append(RowError(0, "file", f"cannot read Excel workbook: {exc}"))
        return report
    ws = _sheet(wb, category)
    cols: dict[int, str] = {}
    try:
        raw = _raw_rows(report, category, ws, cols)
    except sheets.UnreadableCell as bad:  # a cell openpyxl cannot read stops the sheet
        report.errors.append(RowError(bad.row, bad.column(cols), bad.reason))
        return report
    if raw is not None:
        _check_rows(report, raw, user, progress)
    return report


def _raw_rows(
    report: ImportReport, category: str, ws: Any, cols: dict[int, str]
) -> list[tuple[int, dict[str, Any]]] | None:
    """The sheet's non-blank rows by number, each keyed by field; None after a file error."""
    rows = sheets.lines(ws)
    header = next(rows, None)
    if header is None:
        report.errors.append(RowError(1, "header", "the sheet is empty"))
        return None
    cols.update(_header_map(category, header))
    found = set(cols.values())
    for required in ("name",):
        if required not in found:
            report.errors.append(RowError(1, required, "required column is missing"))
    if not ({"lat", "lon"} <= found or "geometry" in found):
        report.errors.append(RowError(1, "geometry", "needs lat and lon columns or geometry"))
    if report.errors:
        return None
    raw: list[tuple[int, dict[str, Any]]] = []
    for number, record in sheets.records(rows, cols):
        if len(raw) >= MAX_ROWS:
            report.errors.append(RowError(number, "file", f"more than {MAX_ROWS} rows"))
            return None
        raw.append((number, record))
    return raw


def _check_rows(
    report: ImportReport,
    raw: list[tuple[int, dict[str, Any]]],
    user: Any,
    progress: Callable[[int, int], None] | None,
) -> None:
    category = report.category
    specs = categories.field_specs(category)
    codes = {_text(r.get("code")) for _, r in raw} - {""}
    existing = {s.code: s for s in PollutionSource.objects.filter(code__in=codes)}
    phones = {_text(r.get("responsible")) for _, r in raw}
    posts_by_phone: dict[str, int] = {}
    for post in (
        Post.objects.current()
        .filter(person__phone__in=phones, post_type__responsible=True)
        .select_related("person", "region")
        .order_by("-region__level", "post_type__rank", "pk")
    ):
        posts_by_phone.setdefault(post.person.phone, post.pk)
    seen_codes: dict[str, int] = {}
    for done, (number, rec) in enumerate(raw, start=1):
        if progress is not None:
            progress(done, len(raw))
        errors: list[RowError] = []
        for column, value in rec.items():  # the input boundary, cell by cell
            problem = inputs.bad_char(value) if isinstance(value, str) else None
            if problem:
                errors.append(RowError(number, column, problem))
        if errors:
            report.errors.extend(errors)
            continue
        code = _text(rec.get("code"))
        if code in seen_codes:
            errors.append(RowError(number, "code", f"same code as row {seen_codes[code]}"))
        elif code:
            seen_codes[code] = number
        current = existing.get(code) if code else None
        if current is not None and current.category != category:
            errors.append(RowError(number, "code", f"{code} is a source of another category"))
        attributes: dict[str, Any] = {}
        for spec in specs:
            if spec.name not in rec:
                if current is not None and spec.name in current.attributes:
                    attributes[spec.name] = current.attributes[spec.name]
                continue
            try:
                value = _cell(spec, rec[spec.name])
            except (ValueError, inputs.InputError) as exc:
                errors.append(RowError(number, spec.name, str(getattr(exc, "message", exc))))
                continue
            if value is not None:
                attributes[spec.name] = value
        geometry: Any = None
        geometry_text = _text(rec.get("geometry"))
        try:
            if geometry_text:
                geometry = _plain(parse_geometry_text(geometry_text))
            elif _text(rec.get("lat")) or _text(rec.get("lon")):
                lat = float(_number("float", rec.get("lat")))
                lon = float(_number("float", rec.get("lon")))
                extent.check_point(lat, lon)
                geometry = {"type": "Point", "coordinates": [lon, lat]}
            elif current is not None:
                geometry = current.geometry
            else:
                errors.append(RowError(number, "geometry/lat/lon", "a place is required"))
        except (ValueError, inputs.InputError) as exc:
            errors.append(RowError(number, "geometry/lat/lon", str(getattr(exc, "message", exc))))
        status_text = _text(rec.get("status")).lower()
        status = STATUS_MAP.get(status_text) if status_text else None
        if status_text and status is None:
            errors.append(
                RowError(
                    number, "status", f"one of {', '.join(_zh(label) for label in Status.labels)}"
                )
            )
        try:
            responsible = _responsible(_text(rec.get("responsible")), posts_by_phone)
        except (ValueError, inputs.InputError) as exc:
            errors.append(RowError(number, "responsible", str(getattr(exc, "message", exc))))
            responsible = None
        if errors:
            report.errors.extend(errors)
            continue
        data = SourceInput(
            category=category,
            name=_text(rec.get("name")),
            geometry=geometry,
            attributes=attributes,
            address=_text(rec.get("address"))
            if "address" in rec or current is None
            else current.address,
            code=code,
            status=status or (current.status if current else Status.ACTIVE),
            responsible_post_id=responsible
            if "responsible" in rec or current is None
            else current.responsible_post_id,
            notes=_text(rec.get("notes")) if "notes" in rec or current is None else current.notes,
        )
        try:
            values = _checked(data)
            grid_ids = values.pop("grid_ids")
            if user is not None:
                same = current is not None and current.responsible_post_id == responsible
                check_scope(user, {} if same else values, grid_ids)
                if current is not None and not _in_scope(user, current):
                    raise SourceError("code", f"{code} is outside your area")
        except SourceError as exc:
            report.errors.append(RowError(number, _field_of(exc), exc.message))
            continue
        except inputs.InputError as exc:
            report.errors.append(RowError(number, exc.field, exc.message))
            continue
        if current is None:
            report.rows.append(SourceRow(number, "create", data))
        else:
            changed = [n for n in TRACKED if n in values and getattr(current, n) != values[n]]
            action = "update" if changed else "unchanged"
            report.rows.append(SourceRow(number, action, data, current.pk, changed))


def _in_scope(user: Any, source: PollutionSource) -> bool:
    from gridgov.sources.services import sources_for

    return sources_for(user).filter(pk=source.pk).exists()


def apply_import(
    report: ImportReport, user: Any = None, progress: Callable[[int, int], None] | None = None
) -> list[PollutionSource]:
    """Write every checked row in one transaction: all or nothing (SourceError on the first
    row that fails now, e.g. a code taken meanwhile, and nothing stays written)."""
    if not report.ok:
        raise ValueError("the sheet has errors; nothing was written")
    written = []
    with transaction.atomic():
        for done, row in enumerate(report.rows, start=1):
            if progress is not None:
                progress(done, len(report.rows))
            try:
                if row.action == "create":
                    written.append(create_source(row.data, user, action="imported"))
                elif row.action == "update" and row.existing_id is not None:
                    written.append(
                        update_source(
                            row.existing_id, row.data, user, note="Excel", action="imported"
                        )
                    )
            except SourceError as exc:
                raise SourceError(exc.field, f"row {row.row}: {exc.message}") from exc
    return written


# ------------------------------------------------------------------------------ writing --


def _bool(value: Any) -> str:
    return "是" if value else "否"


def _export_cell(spec: categories.FieldSpec, value: Any) -> Any:
    if value is None:
        return None
    if spec.kind == "bool":
        return _bool(value)
    if spec.kind == "choice":
        return _zh(categories.CHOICE_LABELS.get(spec.name, {}).get(value, value))
    if spec.kind == "choices":
        return ",".join(_zh(categories.CHOICE_LABELS.get(spec.name, {}).get(v, v)) for v in value)
    if spec.kind in ("texts", "dates"):
        return ",".join(str(v) for v in value)
    return value


def _row_values(source: PollutionSource, specs: list[categories.FieldSpec]) -> list[Any]:
    geometry = source.geometry
    is_point = geometry.get("type") == "Point"
    lon, lat = geometry["coordinates"][:2] if is_point else (None, None)
    shared = [
        source.code,
        source.name,
        source.address,
        lat,
        lon,
        None if is_point else json.dumps(geometry, separators=(",", ":")),
        _zh(Status(source.status).label),
        source.responsible_post_id,
        source.notes,
    ]
    return shared + [_export_cell(s, source.attributes.get(s.name)) for s in specs]


def _header(ws: Worksheet, category: str) -> None:
    widths = [30 if key == "geometry" else 16 for key, _label in columns(category)]
    sheets.head_row(ws, headers(category), widths)


def export_workbook(qs: Iterable[PollutionSource], only: list[str] | None = None) -> bytes:
    """One sheet per category (those given, else those present), in the template's columns."""
    wb = Workbook()
    default = wb.active
    by_category: dict[str, Worksheet] = {}
    specs: dict[str, list[categories.FieldSpec]] = {}

    def sheet(category: str) -> Worksheet:
        if category not in by_category:
            ws = wb.create_sheet(category)
            _header(ws, category)
            by_category[category] = ws
            specs[category] = categories.field_specs(category)
        return by_category[category]

    for category in only or []:
        sheet(categories.check_category(category).value)
    for source in qs:
        sheet(source.category).append(sheet_row(_row_values(source, specs[source.category])))
    if default is not None and (by_category or len(wb.worksheets) > 1):
        wb.remove(default)
    return sheets.book_bytes(wb)


def template_workbook(category: str) -> bytes:
    """The empty sheet of a category and a second sheet explaining each column."""
    category = categories.check_category(category).value
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = category
    _header(ws, category)
    help_ws = wb.create_sheet("说明")
    sheets.head_row(help_ws, ["列 column", "说明 meaning", "可填写 allowed values"], [30, 40, 60])
    shared_help = {
        "code": "留空则自动编号；填写已有编号则更新该污染源",
        "name": "必填",
        "lat": "点位：WGS84 纬度",
        "lon": "点位：WGS84 经度",
        "geometry": "线、面：GeoJSON 或 WKT（WGS84）",
        "status": "、".join(_zh(label) for label in Status.labels),
        "responsible": "留空则由所属网格负责",
    }
    for header_text, (key, _label) in zip(headers(category), columns(category), strict=True):
        spec = next((s for s in categories.field_specs(category) if s.name == key), None)
        allowed = ""
        if spec is not None:
            if spec.kind in ("choice", "choices"):
                allowed = "、".join(_zh(spec.choice_label(c)) for c in spec.choices)
                allowed += "（多个用逗号分隔）" if spec.kind == "choices" else ""
            elif spec.kind == "bool":
                allowed = "是/否"
            elif spec.kind in ("date", "dates"):
                allowed = "YYYY-MM-DD" + ("，多个用逗号分隔" if spec.kind == "dates" else "")
            elif spec.kind in ("int", "float") and spec.low is not None:
                allowed = f"{spec.low:g} – {spec.high:g}"
            elif spec.kind == "texts":
                allowed = "多个用逗号分隔"
            if spec.required:
                allowed = ("必填；" + allowed) if allowed else "必填"
        help_ws.append(sheet_row([header_text, shared_help.get(key, ""), allowed]))
    return sheets.book_bytes(wb)
