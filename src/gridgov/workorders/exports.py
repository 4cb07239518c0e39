"""Work orders to Excel (the desk's export)."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from openpyxl import Workbook

from gridgov.inputs import sheet_row

COLUMNS = [
    ("reference", "编号"),
    ("title", "标题"),
    ("category_name", "类别"),
    ("source", "来源"),
    ("priority", "紧急程度"),
    ("state_label", "状态"),
    ("grid_name", "网格"),
    ("unit_name", "承办单位"),
    ("assignee", "承办人"),
    ("created_at", "上报时间"),
    ("due_at", "当前时限"),
    ("overdue", "超期"),
    ("escalation_level", "升级层级"),
    ("returned_count", "退回次数"),
    ("closed_at", "结案时间"),
    ("address", "地址"),
]


def _cell(value: Any) -> Any:
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).replace(tzinfo=None) if value else None
    if isinstance(value, bool):
        return "是" if value else ""
    return value


def orders_workbook(rows: list[dict[str, Any]]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("工单")
    ws.append([label for _key, label in COLUMNS])
    for row in rows:
        ws.append(sheet_row([_cell(row.get(key)) for key, _label in COLUMNS]))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
