"""The supplies workbook (openpyxl): stock by depot and kind, allocations, requests — one sheet
each, only what the account may see."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from gridgov.core.actor import Account
from gridgov.forces import depot_stock, services
from gridgov.inputs import sheet_row


def _sheet(book: Workbook, title: str, header: list[str], rows: list[list[Any]]) -> None:
    ws = book.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(sheet_row(row))
    ws.freeze_panes = "A2"
    for i, _name in enumerate(header, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = 16


def workbook(user: Account) -> bytes:
    book = Workbook()
    book.remove(book.active)
    stock = depot_stock.stock(user)
    _sheet(
        book,
        _("库存"),
        [_("物资"), _("计量单位"), _("存放点"), _("所属单位"), _("地点"),
         _("库存"), _("已批待交"), _("可用")],
        [
            [r.kind.name, r.kind.unit, r.depot.name, r.depot.owner.name, r.depot.place,
             float(r.quantity), float(r.reserved), float(r.available)]
            for r in stock
        ],
    )  # fmt: skip
    allocations = services.allocations_for(user).select_related("kind", "depot", "unit")
    _sheet(
        book,
        _("调拨"),
        [_("调拨日期"), _("物资"), _("数量"), _("计量单位"), _("调出存放点"), _("接收单位"),
         _("用途"), _("交付人"), _("接收人")],
        [
            [a.date, a.kind.name, float(a.quantity), a.kind.unit, a.depot.name, a.unit.name,
             a.purpose, getattr(getattr(a, "handover", None), "given_by", ""),
             getattr(getattr(a, "handover", None), "received_by", "")]
            for a in allocations.select_related("handover")
        ],
    )  # fmt: skip
    requests = services.requests_for(user).select_related("kind", "unit", "depot")
    tz = timezone.get_current_timezone()
    _sheet(
        book,
        _("物资申请"),
        [_("申请时间"), _("申请单位"), _("物资"), _("申请数量"), _("状态"), _("调出存放点"),
         _("批准数量"), _("申请理由")],
        [
            [r.requested_at.astimezone(tz).replace(tzinfo=None), r.unit.name, r.kind.name,
             float(r.quantity), r.get_status_display(), r.depot.name if r.depot else "",
             float(r.approved_quantity) if r.approved_quantity is not None else None, r.reason]
            for r in requests
        ],
    )  # fmt: skip
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
