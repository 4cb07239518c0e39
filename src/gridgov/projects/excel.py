"""The portfolio as a workbook (gridgov.core.sheets): export of the projects an account sees,
with a totals sheet, and import of new projects — every row checked before anything is
written, row errors named, all or nothing."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.styles import Font

from gridgov import inputs
from gridgov.core import privacy, sheets
from gridgov.core.actor import Account
from gridgov.core.sheets import Column
from gridgov.projects import listing, services
from gridgov.projects.models import Kind, OfficialRole, Plan, Project, Status
from gridgov.projects.services import ProjectInput, ProjectsError

COLUMNS = [
    Column("code", "项目编号", sheets.text(services.MAX_CODE), required=True),
    Column("name", "项目名称", sheets.text(services.MAX_NAME), required=True),
    Column("kind", "项目类型", sheets.choice(Kind.choices), required=True),
    Column("applicant", "申报单位", sheets.text(services.MAX_NAME), required=True),
    Column("plan", "计划类别", sheets.choice(Plan.choices), required=True),
    Column("plan_text", "计划名称", sheets.text(services.MAX_NAME)),
    Column("year", "年度", sheets.integer(*services.YEARS), required=True),
    Column("granted", "批复资金万元", sheets.decimal(Decimal(0), services.MAX_AMOUNT)),
    Column("owner", "责任单位代码", sheets.text(40), required=True),
    Column("status", "状态", sheets.choice(Status.choices)),
    Column("lat", "纬度", sheets.decimal(Decimal(-90), Decimal(90), 7)),
    Column("lon", "经度", sheets.decimal(Decimal(-180), Decimal(180), 7)),
    Column("summary", "项目简介", sheets.text(services.MAX_SUMMARY)),
]
# What the export adds after the importable columns (ignored when the sheet comes back).
EXTRA = [
    Column("owner_name", "责任单位", sheets.text(100)),
    Column("grid", "所在网格", sheets.text(100)),
    Column("spent", "已支出万元", sheets.decimal(Decimal(0), services.MAX_AMOUNT)),
    Column("spend_rate", "支出进度%", sheets.decimal(Decimal(0), Decimal(1000), 1)),
    Column("overdue", "节点逾期", sheets.boolean()),
    Column("leads", "负责人", sheets.text(500)),
    Column("phones", "负责人电话", sheets.text(500)),
]
FIELD_COLUMN = {c.key: c.label for c in COLUMNS} | {"status_date": "状态"}


def export(user: Account, qs: Any, today: dt.date | None = None) -> bytes:
    """The projects of `qs` (already scoped and filtered, with figures) and a totals sheet.
    Officials' phones are masked unless the account may see them."""
    today = today or timezone.localdate()
    projects = list(qs.prefetch_related("officials__person"))
    phones: dict[int, bool] = {}
    rows = []
    for p in projects:
        leads = [o.person for o in p.officials.all() if o.role == OfficialRole.LEAD]
        shown = []
        for person in leads:
            if person.pk not in phones:
                phones[person.pk] = services.phone_visible(user, person)
            if person.phone:
                shown.append(
                    person.phone if phones[person.pk] else privacy.mask_phone(person.phone)
                )
        rows.append(
            [p.code, p.name, p.get_kind_display(), p.applicant, p.get_plan_display(), p.plan_text,
             p.year, p.granted, p.owner.code, p.get_status_display(), p.lat, p.lon, p.summary,
             p.owner.name, p.grid.name if p.grid else "", p.spent,
             services.rate(p.spent, p.granted), p.overdue, [x.name for x in leads], shown]
        )  # fmt: skip
    content = sheets.export([*COLUMNS, *EXTRA], rows, title=str(_("项目库")))
    book = load_workbook(io.BytesIO(content))
    ws = book.create_sheet(str(_("汇总")))
    t = listing.totals(projects)
    ws.append([_("项目数"), _("批复资金（万元）"), _("已支出（万元）"), _("支出进度（%）"),
               _("导出日期")])  # fmt: skip
    ws.append(inputs.sheet_row([t.count, float(t.granted), float(t.spent), t.spend_rate, today]))
    ws.append([])
    ws.append([_("状态"), _("项目数"), _("批复资金（万元）"), _("已支出（万元）")])
    for status, label in Status.choices:
        of = [p for p in projects if p.status == status]
        s = listing.totals(of)
        ws.append(inputs.sheet_row([str(label), s.count, float(s.granted), float(s.spent)]))
    for row in (1, 4):
        for cell in ws[row]:
            cell.font = Font(bold=True)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


@dataclass
class ImportResult:
    created: int = 0
    errors: list[sheets.RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_projects(user: Account, source: Any, today: dt.date | None = None) -> ImportResult:
    """New projects from the first sheet; any row error and nothing is written."""
    today = today or timezone.localdate()
    if not services.may_register(user):
        raise ProjectsError("forbidden", _("无权登记项目"))
    report = sheets.read(source, COLUMNS)
    checked: list[services.CheckedProject] = []
    if report.rows:
        bad_cells = {e.row for e in report.errors}
        seen: dict[str, int] = {}
        existing = set(
            Project.objects.filter(code__in=[r["code"] for r in report.rows]).values_list(
                "code", flat=True
            )
        )
        for r in report.rows:
            number = r["_row"]
            if number in bad_cells:
                continue  # its cells were refused already
            data = ProjectInput(
                code=r["code"], name=r["name"], kind=r["kind"], applicant=r["applicant"],
                plan=r["plan"], plan_text=r["plan_text"], year=r["year"],
                granted=r["granted"] if r["granted"] is not None else 0, owner=r["owner"],
                lat=r["lat"], lon=r["lon"], summary=r["summary"],
                status=r["status"] or Status.APPLIED,
            )  # fmt: skip
            try:
                c = services.check_project(user, data, today)
            except ProjectsError as exc:
                report.fail(number, FIELD_COLUMN.get(exc.field or "", exc.field or ""), exc.message)
                continue
            code = c.values["code"]
            if code in existing:
                report.fail(number, FIELD_COLUMN["code"], _("项目编号已存在"))
            elif code in seen:
                report.fail(
                    number, FIELD_COLUMN["code"], _("与第%(row)d行重复") % {"row": seen[code]}
                )
            else:
                seen[code] = number
                checked.append(c)
    if not report.ok:
        return ImportResult(0, report.errors)
    try:
        with transaction.atomic():
            for c in checked:
                services.insert_project(user, c, note=str(_("Excel导入")))
    except IntegrityError:  # a code registered meanwhile by someone else
        return ImportResult(0, [sheets.RowError(0, FIELD_COLUMN["code"], _("项目编号已存在"))])
    return ImportResult(len(checked), [])
