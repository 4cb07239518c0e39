"""红白事报备 in Excel (core/sheets.py): the import checks every row (cells, then the services'
checks: scope, limits) and writes all rows or none; the export writes the same columns plus
the check's result, the family masked for accounts without `customs.export_family`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gridgov.core import privacy, sheets
from gridgov.core.actor import Account
from gridgov.core.sheets import Column
from gridgov.customs import ceremonies, services
from gridgov.customs.models import CeremonyKind, FollowUp, Registration
from gridgov.territory.models import Level, Region

COLUMNS = [
    Column("grid", "网格代码", sheets.text(40), required=True),
    Column("kind", "事项", sheets.choice(CeremonyKind.choices), required=True),
    Column("date", "举办日期", sheets.date((2000, 2100)), required=True),
    Column("family_head", "户主姓名", sheets.text(services.MAX_NAME), required=True),
    Column("family_phone", "联系电话", sheets.text(20)),
    Column("tables", "桌数", sheets.integer(0, services.MAX_TABLES), required=True),
    Column("guests", "人数", sheets.integer(0, services.MAX_GUESTS)),
    Column("cost", "总花费", sheets.decimal(Decimal(0), services.MAX_MONEY)),
    Column("days", "天数", sheets.integer(1, services.MAX_DAYS)),
    Column("notes", "备注", sheets.text(services.MAX_NOTES)),
]
EXTRA = [
    Column("community", "村社区", sheets.text(100)),
    Column("flagged", "超标", sheets.boolean()),
    Column("exceedances", "超标项", sheets.text(1000)),
    Column("follow_up", "劝导", sheets.text(20)),
    Column("outcome", "劝导结果", sheets.text(services.MAX_NOTES)),
]
LABELS = {  # the services' field → the sheet's column label
    c.key: c.label for c in COLUMNS
}


def import_registrations(
    user: Account, source: Any
) -> tuple[sheets.SheetReport, list[Registration]]:
    """Every row checked first; all written in one transaction only when none failed."""
    report = sheets.read(source, COLUMNS)
    if any(e.row < 2 for e in report.errors):  # not a workbook, or a column missing
        return report, []
    broken = {e.row for e in report.errors}
    grids = {
        g.code: g.pk
        for g in Region.objects.active()
        .filter(level=Level.GRID, code__in=[r["grid"] for r in report.rows])
        .only("code")
    }
    checked = []
    for row in report.rows:
        if row["_row"] in broken:  # its cells already failed: the services need not look
            continue
        data = ceremonies.RegistrationInput(
            grid_id=grids.get(row["grid"], 0),
            kind=row["kind"],
            date=row["date"],
            family_head=row["family_head"],
            family_phone=row["family_phone"],
            tables=row["tables"],
            guests=row["guests"],
            cost=row["cost"],
            days=row["days"] or 1,
            notes=row["notes"],
        )
        try:
            checked.append(ceremonies.check_registration(user, data))
        except services.CustomsError as exc:
            column = LABELS.get(exc.field or "", exc.field or "file")
            report.fail(row["_row"], column, exc.message)
    if not report.ok:
        return report, []
    return report, ceremonies.register_many(user, checked)


def export_registrations(user: Account, qs: QuerySet[Registration] | None = None) -> bytes:
    regs = services.registrations_for(user, qs).select_related("grid", "community")
    plain = services.sees_family_in_exports(user)
    rows = []
    for r in regs.order_by("date", "pk"):
        head = r.family_head if plain else privacy.mask_name(r.family_head)
        phone = r.family_phone if plain else privacy.mask_phone(r.family_phone)
        rows.append(
            [
                r.grid.code,
                r.get_kind_display(),
                r.date,
                head,
                phone,
                r.tables,
                r.guests,
                r.cost,
                r.days,
                r.notes,
                r.community.name,
                r.flagged,
                "；".join(ceremonies.describe(r.exceedances)),
                str(FollowUp(r.follow_up).label) if r.follow_up else "",
                r.outcome,
            ]
        )
    return sheets.export([*COLUMNS, *EXTRA], rows, title=_("红白事报备"))


def template() -> bytes:
    """An empty sheet with the import's columns."""
    return sheets.export(COLUMNS, [], title=_("红白事报备"))
