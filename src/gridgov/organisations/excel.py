"""The organisations sheet (core/sheets.py): the import's columns, the import (every row checked —
credit code, grid in scope, duplicates in the sheet and in the database — and nothing written
unless every row passes) and the export of the list, whose first columns are the import's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.core import privacy, sheets
from gridgov.core.actor import Account
from gridgov.core.sheets import Column
from gridgov.organisations import lifecycle, services
from gridgov.organisations.models import Organisation, OrgKind, PartyOrg, SocialForm
from gridgov.organisations.services import OrganisationsError, OrgState
from gridgov.people.models import Person

COLUMNS = [
    Column("name", "名称", sheets.text(services.MAX_NAME), required=True),
    Column("kind", "类别", sheets.choice(OrgKind.choices), required=True),
    Column("social_form", "社会组织类型", sheets.choice(SocialForm.choices)),
    Column("credit_code", "统一社会信用代码", sheets.text(40), required=True),
    Column("industry", "行业", sheets.text(40)),
    Column("staff", "从业人员数", sheets.integer(0, services.MAX_COUNT)),
    Column("party_members", "党员数", sheets.integer(0, services.MAX_COUNT)),
    Column("address", "地址", sheets.text(200)),
    Column("grid", "网格编码", sheets.text(40)),
    Column("lat", "纬度", sheets.decimal(Decimal(-90), Decimal(90), 7)),
    Column("lon", "经度", sheets.decimal(Decimal(-180), Decimal(180), 7)),
    Column("party_org", "党组织", sheets.choice(PartyOrg.choices)),
    Column("party_org_date", "党组织成立日期", sheets.date()),
    Column("opened", "纳入日期", sheets.date(), required=True),
    Column("contact", "联系人", sheets.text(50)),
    Column("contact_phone", "联系电话", sheets.text(20)),
]
# Read-only columns the export adds after the import's (an import ignores them).
STATE_COLUMNS = [
    Column("grid_name", "所在网格", sheets.text(100)),
    Column("org_covered", "组织覆盖", sheets.boolean()),
    Column("work_covered", "工作覆盖", sheets.boolean()),
    Column("instructors", "党建指导员", sheets.text(200)),
    Column("last_visit", "最近走访", sheets.date()),
]
LABELS = {c.key: c.label for c in COLUMNS}
LABELS["grid_id"] = LABELS["grid"]


@dataclass
class ImportResult:
    report: sheets.SheetReport
    created: int


def _row_input(row: dict[str, Any]) -> lifecycle.OrgInput:
    return lifecycle.OrgInput(
        name=row["name"],
        kind=row["kind"] or "",
        credit_code=row["credit_code"],
        opened=row["opened"],
        social_form=row["social_form"] or "",
        industry=row["industry"],
        staff=row["staff"] or 0,
        party_members=row["party_members"] or 0,
        address=row["address"],
        lat=float(row["lat"]) if row["lat"] is not None else None,
        lon=float(row["lon"]) if row["lon"] is not None else None,
        party_org=row["party_org"] or PartyOrg.NONE,
        party_org_date=row["party_org_date"],
        contact=row["contact"],
        contact_phone=row["contact_phone"],
    )


def import_sheet(user: Account, source: Any) -> ImportResult:
    """All rows or none: each row's errors are named by row and column."""
    if not services.can_add(user):
        raise services.forbidden(_("无权登记两新组织"))
    report = sheets.read(source, COLUMNS)
    grids = {g.code: g for g in services.grids_for(user)}
    ready: list[tuple[dict[str, Any], Any]] = []
    seen: dict[str, int] = {}
    bad_rows = {e.row for e in report.errors}
    for row in report.rows:
        number = row["_row"]
        if number in bad_rows:
            continue
        try:
            values = lifecycle.clean_input(_row_input(row))
        except OrganisationsError as exc:
            report.fail(number, LABELS.get(exc.field or "", exc.field or "-"), exc.message)
            continue
        code = values["credit_code"]
        if code in seen:
            report.fail(number, LABELS["credit_code"],
                        _("与第%(row)s行重复") % {"row": seen[code]})  # fmt: skip
            continue
        seen[code] = number
        try:
            if row["grid"]:
                grid = grids.get(row["grid"])
                if grid is None:
                    raise services.invalid("grid", _("须为辖区内的网格编码"))
            else:
                grid = services.pick_grid(user, None, values["lat"], values["lon"])
        except OrganisationsError as exc:
            report.fail(number, LABELS.get(exc.field or "", exc.field or "-"), exc.message)
            continue
        ready.append((values, grid))
    taken = set(
        Organisation.objects.filter(credit_code__in=list(seen)).values_list(
            "credit_code", flat=True
        )
    )
    for code in sorted(taken):
        report.fail(seen[code], LABELS["credit_code"], _("该统一社会信用代码已登记"))
    if not report.ok:
        report.errors.sort(key=lambda e: (e.row, e.column))
        return ImportResult(report, 0)
    with transaction.atomic():
        for values, grid in ready:
            lifecycle.write_new(user, values, grid)
    return ImportResult(report, len(ready))


def export_sheet(user: Account, rows: list[OrgState]) -> bytes:
    """The list as shown (as of its day): the import's columns, then the state columns.
    Contacts are masked unless the account may see them."""
    contact = services.sees_contact(user)
    names = dict(
        Person.objects.filter(pk__in={i for s in rows for i in s.instructors}).values_list(
            "pk", "name"
        )
    )
    out = []
    for s in rows:
        o = s.org
        out.append(
            [
                o.name, o.kind, o.social_form, o.credit_code, o.industry, o.staff,
                o.party_members, o.address, o.grid.code, o.lat, o.lon, s.party_org,
                o.party_org_date, o.opened,
                o.contact if contact else ("*" if o.contact else ""),
                o.contact_phone if contact else privacy.mask_phone(o.contact_phone)
                if o.contact_phone else "",
                o.grid.name, s.org_covered, s.work_covered,
                "、".join(names.get(i, "") for i in s.instructors), s.last_visit,
            ]
        )  # fmt: skip
    return sheets.export([*COLUMNS, *STATE_COLUMNS], out, title=_("两新组织"))


def filename(on: dt.date) -> str:
    return f"organisations-{on:%Y%m%d}.xlsx"
