"""The roster in Excel: one row per person and post. Import checks every row before writing any."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from gridgov import inputs
from gridgov.core import sheets
from gridgov.core.actor import Account
from gridgov.core.sheets import RowError
from gridgov.inputs import sheet_row
from gridgov.people import identity
from gridgov.people.models import Person, Post, PostType
from gridgov.people.scope import can_see_region
from gridgov.territory.models import Region

# Column → accepted header spellings (lower-cased, spaces removed).
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "姓名"),
    "phone": ("phone", "mobile", "手机", "手机号", "手机号码", "电话"),
    "post": ("post", "岗位", "职务"),
    "region_code": ("region_code", "region", "区域代码", "网格代码", "区域编码"),
    "start_date": ("start_date", "开始日期", "任职日期", "起始日期"),
    "end_date": ("end_date", "结束日期", "离任日期"),
    "id_number": ("id_number", "身份证", "身份证号", "身份证号码"),
    "notes": ("notes", "备注"),
}
REQUIRED = ("name", "phone", "post", "region_code", "start_date")
EXPORT_HEADERS = [
    "姓名 name",
    "手机 phone",
    "岗位 post",
    "区域代码 region_code",
    "区域名称 region_name",
    "开始日期 start_date",
    "结束日期 end_date",
    "身份证号 id_number",
    "备注 notes",
]


@dataclass
class RosterRow:
    row: int
    name: str
    phone: str
    post_type: PostType
    region: Region
    start_date: dt.date
    end_date: dt.date | None
    id_number: str
    notes: str


@dataclass
class RosterReport:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    new_people: int = 0
    new_posts: int = 0
    unchanged_posts: int = 0
    updated_people: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        inputs.check_date_text("date", text, inputs.ANY_YEARS)
    except inputs.InputError as exc:
        raise ValueError(exc.message) from None
    return dt.date.fromisoformat(text)


def _sheet_rows(report: RosterReport, path: Path) -> list[tuple[int, dict[str, Any]]] | None:
    """The sheet's non-blank rows by number, each keyed by column; None after a file error."""
    try:
        wb = sheets.open_book(path)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        report.errors.append(RowError(0, "file", f"cannot read Excel workbook: {exc}"))
        return None
    columns: dict[int, str] = {}
    try:
        return _raw_rows(report, wb.worksheets[0], columns)
    except sheets.UnreadableCell as bad:  # a cell openpyxl cannot read stops the sheet
        report.errors.append(RowError(bad.row, bad.column(columns), bad.reason))
        return None
    finally:
        wb.close()


def _raw_rows(
    report: RosterReport, ws: Any, columns: dict[int, str]
) -> list[tuple[int, dict[str, Any]]] | None:
    """The rows below a header naming every required column; None after a header error."""
    rows = sheets.lines(ws)
    header = next(rows, None)
    if header is None:
        report.errors.append(RowError(1, "header", "the sheet is empty"))
        return None
    columns.update(sheets.header_keys(header, COLUMNS))
    found = set(columns.values())
    for missing in [c for c in REQUIRED if c not in found]:
        report.errors.append(RowError(1, missing, "required column is missing"))
    if report.errors:
        return None
    return list(sheets.records(rows, columns))


@dataclass
class _Known:
    """What every row is checked against: the posts and regions it names, the account's scope,
    and the phones and posts of the rows above it."""

    post_types: dict[str, PostType]
    regions: dict[str, Region]
    user: Account
    phones: dict[str, tuple[int, str]] = field(default_factory=dict)
    posts: dict[tuple[str, int, int, dt.date], int] = field(default_factory=dict)


def _known(raw_rows: list[tuple[int, dict[str, Any]]], user: Account) -> _Known:
    post_types = {pt.code: pt for pt in PostType.objects.all()}
    post_types.update({pt.name: pt for pt in post_types.values()})
    codes = {_text(r, "region_code") for _, r in raw_rows}
    regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
    return _Known(post_types, regions, user)


def _text(rec: dict[str, Any], column: str) -> str:
    return str(rec.get(column) or "").strip()


def _bad_cells(number: int, rec: dict[str, Any], errors: list[RowError]) -> None:
    """The input boundary, cell by cell: control characters and the like."""
    for column, value in rec.items():
        problem = inputs.bad_char(value) if isinstance(value, str) else None
        if problem:
            errors.append(RowError(number, str(column), problem))


def _phone(
    number: int, rec: dict[str, Any], name: str, known: _Known, errors: list[RowError]
) -> str:
    """A mainland mobile number, held by one name throughout the file."""
    phone = identity.normalise_phone(str(rec.get("phone") or ""))
    if not identity.is_mobile(phone):
        errors.append(RowError(number, "phone", f"not a mainland mobile number: {phone!r}"))
    elif phone in known.phones and known.phones[phone][1] != name:
        first_row, first_name = known.phones[phone]
        errors.append(RowError(number, "phone", f"same phone as row {first_row} ({first_name})"))
    else:
        known.phones.setdefault(phone, (number, name))
    return phone


def _post_type(
    number: int, rec: dict[str, Any], known: _Known, errors: list[RowError]
) -> PostType | None:
    post_key = _text(rec, "post")
    post_type = known.post_types.get(post_key)
    if post_type is None:
        errors.append(RowError(number, "post", f"unknown post {post_key!r}"))
    return post_type


def _region(
    number: int,
    rec: dict[str, Any],
    post_type: PostType | None,
    known: _Known,
    errors: list[RowError],
) -> Region | None:
    """A current region the account may touch, of the level the post is held at."""
    code = _text(rec, "region_code")
    region = known.regions.get(code)
    if region is None:
        errors.append(RowError(number, "region_code", f"unknown region {code!r}"))
    elif region.retired_at is not None:
        errors.append(RowError(number, "region_code", f"region {code} is retired"))
    elif known.user is not None and not can_see_region(known.user, region):
        errors.append(RowError(number, "region_code", f"region {code} is outside your scope"))
    elif post_type is not None and post_type.level is not None and region.level != post_type.level:
        reason = f"{post_type.name} is not a post of a level-{region.level} region"
        errors.append(RowError(number, "post", reason))
    return region


def _dates(
    number: int, rec: dict[str, Any], errors: list[RowError]
) -> tuple[dt.date | None, dt.date | None]:
    """The post's start (required) and end (not before its start)."""
    found: dict[str, dt.date | None] = {}
    for column in ("start_date", "end_date"):
        try:
            found[column] = _date(rec.get(column))
        except (ValueError, TypeError):
            errors.append(RowError(number, column, f"not a date: {rec.get(column)!r}"))
            continue
        if column == "start_date" and found[column] is None:
            errors.append(RowError(number, column, "missing"))
    start, end = found.get("start_date"), found.get("end_date")
    if start and end and end < start:
        errors.append(RowError(number, "end_date", "before start_date"))
    return start, end


def _id_number(number: int, rec: dict[str, Any], errors: list[RowError]) -> str:
    id_number = _text(rec, "id_number").upper()
    if id_number and not identity.is_id_number(id_number):
        errors.append(RowError(number, "id_number", "not a valid ID card number"))
    return id_number


def _check_row(
    number: int, rec: dict[str, Any], known: _Known
) -> tuple[RosterRow | None, list[RowError]]:
    """One row checked step by step: the row it makes, or every reason it is refused."""
    errors: list[RowError] = []
    _bad_cells(number, rec, errors)
    name = _text(rec, "name")
    if not name:
        errors.append(RowError(number, "name", "missing"))
    phone = _phone(number, rec, name, known, errors)
    post_type = _post_type(number, rec, known, errors)
    region = _region(number, rec, post_type, known, errors)
    start, end = _dates(number, rec, errors)
    id_number = _id_number(number, rec, errors)
    if errors:
        return None, errors
    assert post_type is not None and region is not None and start is not None
    key = (phone, post_type.pk, region.pk, start)
    if key in known.posts:
        return None, [RowError(number, "post", f"duplicates row {known.posts[key]}")]
    known.posts[key] = number
    notes = _text(rec, "notes")
    return RosterRow(number, name, phone, post_type, region, start, end, id_number, notes), []


def read_roster(path: Path, user: Account = None) -> RosterReport:
    """Parse and check the workbook. `user`, if given, may only touch regions in its scope."""
    report = RosterReport()
    raw_rows = _sheet_rows(report, path)
    if raw_rows is None:
        return report
    known = _known(raw_rows, user)
    for number, rec in raw_rows:
        row, errors = _check_row(number, rec, known)
        report.errors.extend(errors)
        if row is not None:
            report.rows.append(row)
    _count_changes(report)
    return report


def _count_changes(report: RosterReport) -> None:
    phones = {r.phone for r in report.rows}
    people = {p.phone: p for p in Person.objects.filter(phone__in=phones)}
    for row in report.rows:
        person = people.get(row.phone)
        if person is not None and person.name != row.name:
            report.errors.append(
                RowError(row.row, "name", f"phone {row.phone} belongs to {person.name}")
            )
    if report.errors:
        return
    report.new_people = len(phones - set(people))
    existing = set(
        Post.objects.filter(person__phone__in=phones).values_list(
            "person__phone", "post_type_id", "region_id", "start_date"
        )
    )
    for row in report.rows:
        if (row.phone, row.post_type.pk, row.region.pk, row.start_date) in existing:
            report.unchanged_posts += 1
        else:
            report.new_posts += 1
    report.updated_people = len(
        {
            r.phone
            for r in report.rows
            if r.id_number and r.phone in people and people[r.phone].id_number != r.id_number
        }
    )


@transaction.atomic
def apply_roster(report: RosterReport) -> None:
    if not report.ok:
        raise ValueError("the roster has errors; nothing was written")
    people = {p.phone: p for p in Person.objects.filter(phone__in={r.phone for r in report.rows})}
    for row in report.rows:
        person = people.get(row.phone)
        if person is None:
            person = Person.objects.create(name=row.name, phone=row.phone, id_number=row.id_number)
            people[row.phone] = person
        elif row.id_number and person.id_number != row.id_number:
            person.id_number = row.id_number
            person.save(update_fields=["id_number", "updated_at"])
        post, created = Post.objects.get_or_create(
            person=person,
            post_type=row.post_type,
            region=row.region,
            start_date=row.start_date,
            defaults={"end_date": row.end_date, "notes": row.notes},
        )
        if not created and post.end_date != row.end_date:
            post.end_date = row.end_date
            post.save(update_fields=["end_date"])


def roster_workbook(posts: Iterable[Post], show_full_id: bool = False) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "roster"
    sheets.head_row(ws, EXPORT_HEADERS, [10, 14, 12, 16, 22, 12, 12, 22, 20])
    for post in posts:
        person = post.person
        ws.append(
            sheet_row(
                [
                    person.name,
                    person.phone,
                    post.post_type.name,
                    post.region.code,
                    post.region.name,
                    post.start_date,
                    post.end_date,
                    person.id_number if show_full_id else person.id_number_masked,
                    post.notes,
                ]
            )
        )
    return sheets.book_bytes(wb)
