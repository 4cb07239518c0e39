"""Regions out: GeoJSON FeatureCollection and Excel workbook, for whatever queryset is allowed."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.styles import Font

from gridgov.inputs import sheet_row
from gridgov.territory.models import GridKind, Level, Region


def feature(region: Region, parent_code: str | None) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": region.code,
        "properties": {
            "code": region.code,
            "name": region.name,
            "level": region.level,
            "parent_code": parent_code,
            "kind": region.kind or None,
            "lines": [line.code for line in region.lines.all()],
            "version": region.version,
        },
        "geometry": region.geometry,
    }


def feature_collection(regions: QuerySet[Region]) -> dict[str, Any]:
    rows = regions.select_related("parent").prefetch_related("lines").order_by("level", "code")
    return {
        "type": "FeatureCollection",
        "features": [feature(r, r.parent.code if r.parent else None) for r in rows],
    }


HEADERS = [
    "代码 code",
    "名称 name",
    "层级 level",
    "上级代码 parent_code",
    "网格类型 kind",
    "工作条线 lines",
    "面积 km²",
    "中心纬度 lat",
    "中心经度 lon",
    "边界版本 version",
]


def workbook_bytes(regions: Iterable[Region]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "regions"
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    kinds = dict(GridKind.choices)
    levels = dict(Level.choices)
    for r in regions:
        ws.append(
            sheet_row(
                [
                    r.code,
                    r.name,
                    str(levels.get(r.level, r.level)),
                    r.parent.code if r.parent else "",
                    str(kinds.get(r.kind, "")) if r.kind else "",
                    ",".join(line.code for line in r.lines.all()),
                    round(r.area_km2 or 0, 4),
                    r.centroid_lat,
                    r.centroid_lon,
                    r.version,
                ]
            )
        )
    ws.freeze_panes = "A2"
    for column, width in zip("ABCDEFGHIJ", [16, 24, 10, 16, 14, 30, 10, 12, 12, 8], strict=True):
        ws.column_dimensions[column].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
