"""The registry in Excel: one template per category, import (check every row, then write all or
nothing through the services), export in the same columns so that export → import round-trips.

Columns: the shared ones (code, name, address, lat, lon or a geometry cell holding GeoJSON or WKT
for lines and areas, status, responsible post id or a person's phone, notes), then the category's
fields in its schema's order. Headers are "中文 key"; either word names the column. Choice cells
take the code or the Chinese label; lists are comma-separated; booleans are 是/否.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import translation
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from gridgov import inputs
from gridgov.core import sheets
from gridgov.core.actor import Account
from gridgov.core.sheets import RowError
from gridgov.inputs import sheet_row
from gridgov.people.models import Post
from gridgov.sources import categories, cells
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


# ------------------------------------------------------------------------------ reading --


_text = sheets.cell_text


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
    user: Account = None,
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


@dataclass
class _Known:
    """What every row is checked against: the category's fields, the sources its codes name,
    the responsible posts its phones name, and the codes of the rows above it."""

    category: str
    specs: list[categories.FieldSpec]
    existing: dict[str, PollutionSource]
    posts_by_phone: dict[str, int]
    seen_codes: dict[str, int] = field(default_factory=dict)


def _known(category: str, raw: list[tuple[int, dict[str, Any]]]) -> _Known:
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
    return _Known(category, categories.field_specs(category), existing, posts_by_phone)


def _check_rows(
    report: ImportReport,
    raw: list[tuple[int, dict[str, Any]]],
    user: Account,
    progress: Callable[[int, int], None] | None,
) -> None:
    known = _known(report.category, raw)
    for done, (number, rec) in enumerate(raw, start=1):
        if progress is not None:
            progress(done, len(raw))
        row, errors = _check_row(number, rec, known, user)
        report.errors.extend(errors)
        if row is not None:
            report.rows.append(row)


def _why(exc: Exception) -> str:
    return str(getattr(exc, "message", exc))


def _code(
    number: int, rec: dict[str, Any], known: _Known, errors: list[RowError]
) -> tuple[str, PollutionSource | None]:
    """The row's code (unique in the file) and the source of this category it names."""
    code = _text(rec.get("code"))
    if code in known.seen_codes:
        errors.append(RowError(number, "code", f"same code as row {known.seen_codes[code]}"))
    elif code:
        known.seen_codes[code] = number
    current = known.existing.get(code) if code else None
    if current is not None and current.category != known.category:
        errors.append(RowError(number, "code", f"{code} is a source of another category"))
    return code, current


def _attributes(
    number: int,
    rec: dict[str, Any],
    known: _Known,
    current: PollutionSource | None,
    errors: list[RowError],
) -> dict[str, Any]:
    """The category's fields; a column the sheet lacks keeps the source's value."""
    attributes: dict[str, Any] = {}
    for spec in known.specs:
        if spec.name not in rec:
            if current is not None and spec.name in current.attributes:
                attributes[spec.name] = current.attributes[spec.name]
            continue
        try:
            value = cells.cell(spec, rec[spec.name])
        except (ValueError, inputs.InputError) as exc:
            errors.append(RowError(number, spec.name, _why(exc)))
            continue
        if value is not None:
            attributes[spec.name] = value
    return attributes


def _geometry(
    number: int, rec: dict[str, Any], current: PollutionSource | None, errors: list[RowError]
) -> Any:
    """The place: a geometry cell, else lat and lon, else the source's own."""
    geometry_text = _text(rec.get("geometry"))
    try:
        if geometry_text:
            return cells.plain_json(cells.parse_geometry_text(geometry_text))
        if _text(rec.get("lat")) or _text(rec.get("lon")):
            lat = float(cells.number("float", rec.get("lat")))
            lon = float(cells.number("float", rec.get("lon")))
            extent.check_point(lat, lon)
            return {"type": "Point", "coordinates": [lon, lat]}
        if current is not None:
            return current.geometry
        errors.append(RowError(number, "geometry/lat/lon", "a place is required"))
    except (ValueError, inputs.InputError) as exc:
        errors.append(RowError(number, "geometry/lat/lon", _why(exc)))
    return None


def _status(number: int, rec: dict[str, Any], errors: list[RowError]) -> str | None:
    status_text = _text(rec.get("status")).lower()
    status = cells.STATUS_MAP.get(status_text) if status_text else None
    if status_text and status is None:
        allowed = ", ".join(_zh(label) for label in Status.labels)
        errors.append(RowError(number, "status", f"one of {allowed}"))
    return status


def _responsible_post(
    number: int, rec: dict[str, Any], known: _Known, errors: list[RowError]
) -> int | None:
    try:
        return cells.responsible(_text(rec.get("responsible")), known.posts_by_phone)
    except (ValueError, inputs.InputError) as exc:
        errors.append(RowError(number, "responsible", _why(exc)))
        return None


def _check_row(
    number: int, rec: dict[str, Any], known: _Known, user: Account
) -> tuple[SourceRow | None, list[RowError]]:
    """One row checked step by step: what it would do, or every reason it is refused."""
    errors = [
        RowError(number, column, problem)  # the input boundary, cell by cell
        for column, value in rec.items()
        if isinstance(value, str) and (problem := inputs.bad_char(value))
    ]
    if errors:
        return None, errors
    code, current = _code(number, rec, known, errors)
    attributes = _attributes(number, rec, known, current, errors)
    geometry = _geometry(number, rec, current, errors)
    status = _status(number, rec, errors)
    responsible = _responsible_post(number, rec, known, errors)
    if errors:
        return None, errors

    def kept(column: str, value: Any, old: Any) -> Any:
        """The sheet's value, or the source's own where the sheet lacks the column."""
        return value if column in rec or current is None else old

    data = SourceInput(
        category=known.category,
        name=_text(rec.get("name")),
        geometry=geometry,
        attributes=attributes,
        address=kept("address", _text(rec.get("address")), current and current.address),
        code=code,
        status=status or (current.status if current else Status.ACTIVE),
        responsible_post_id=kept(
            "responsible", responsible, current and current.responsible_post_id
        ),
        notes=kept("notes", _text(rec.get("notes")), current and current.notes),
    )
    return _scoped_row(number, data, current, responsible, user)


def _scoped_row(
    number: int, data: SourceInput, current: PollutionSource | None, responsible: Any, user: Account
) -> tuple[SourceRow | None, list[RowError]]:
    """The services' own checks and the account's scope; then create, update or unchanged."""
    try:
        values = _checked(data)
        grid_ids = values.pop("grid_ids")
        if user is not None:
            same = current is not None and current.responsible_post_id == responsible
            check_scope(user, {} if same else values, grid_ids)
            if current is not None and not _in_scope(user, current):
                raise SourceError("code", f"{data.code} is outside your area")
    except SourceError as exc:
        return None, [RowError(number, _field_of(exc), exc.message)]
    except inputs.InputError as exc:
        return None, [RowError(number, exc.field, exc.message)]
    if current is None:
        return SourceRow(number, "create", data), []
    changed = [n for n in TRACKED if n in values and getattr(current, n) != values[n]]
    action = "update" if changed else "unchanged"
    return SourceRow(number, action, data, current.pk, changed), []


def _in_scope(user: Account, source: PollutionSource) -> bool:
    from gridgov.sources.services import sources_for

    return sources_for(user).filter(pk=source.pk).exists()


def apply_import(
    report: ImportReport, user: Account = None, progress: Callable[[int, int], None] | None = None
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
