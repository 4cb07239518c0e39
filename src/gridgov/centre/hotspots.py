"""热点网格 with what the command office acts on: each grid's estimate (air/hotspots.py) beside
its registered sources and open work orders, for the reader's grids. Here, not in air, because
air lies below sources and workorders (pyproject's import layers)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections import defaultdict
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from gridgov.air import hotspots
from gridgov.air.aqi import DISPLAY
from gridgov.core.actor import Account
from gridgov.inputs import sheet_row
from gridgov.sources.models import Status
from gridgov.sources.services import sources_for
from gridgov.territory.models import Region
from gridgov.workorders.models import WorkOrder
from gridgov.workorders.states import OPEN_STATES

SHOWN = 5  # sources and orders named per grid on the page


@dataclasses.dataclass(frozen=True)
class HotGrid:
    figure: hotspots.GridFigure
    sources: int
    open_orders: int
    source_names: tuple[str, ...] = ()
    order_refs: tuple[tuple[int, str, str], ...] = ()  # (pk, reference, title)

    def as_dict(self) -> dict[str, Any]:
        f = self.figure
        return {
            "code": f.code,
            "name": f.name,
            "street_code": f.street_code,
            "street_name": f.street_name,
            "mean": f.mean,
            "hours_above": f.hours_above,
            "hours_estimated": f.hours_estimated,
            "exact": f.exact,
            "rank": f.rank,
            "level": f.level,
            "colour": f.colour,
            "sources": self.sources,
            "open_orders": self.open_orders,
        }


def hot_grids(
    user: Account,
    start: dt.date,
    end: dt.date,
    pollutant: str,
    limit: int | None = None,
    named: bool = False,
) -> list[HotGrid]:
    """The reader's active grids, worst first (at most `limit`), with the counts of their
    registered sources (not closed; by the source's own grid) and open orders (by the event's
    grid), each read in the reader's scope. `named`: also the first few names and references."""
    grids = Region.objects.for_user(user).grids().active()
    figures = hotspots.hot_grids(grids, start, end, pollutant)
    if limit is not None:
        figures = figures[:limit]
    ids = [f.grid_id for f in figures]
    live = sources_for(user).filter(grid_id__in=ids).exclude(status=Status.CLOSED)
    orders = WorkOrder.objects.for_user(user).filter(
        state__in=list(OPEN_STATES), event__region_id__in=ids
    )
    n_sources = dict(live.values_list("grid_id").annotate(n=Count("pk")))
    n_orders = dict(orders.values_list("event__region_id").annotate(n=Count("pk")))
    names: dict[int, list[str]] = defaultdict(list)
    refs: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    if named:
        for grid_id, name in _first(live.order_by("grid_id", "code"), "grid_id", "name"):
            names[grid_id].append(name)
        picked = orders.order_by("event__region_id", "-created_at")
        for grid_id, pk, ref, title in _first(
            picked, "event__region_id", "pk", "event__reference", "event__title"
        ):
            refs[grid_id].append((pk, ref, title))
    return [
        HotGrid(
            f,
            n_sources.get(f.grid_id, 0),
            n_orders.get(f.grid_id, 0),
            tuple(names[f.grid_id]),
            tuple(refs[f.grid_id]),
        )
        for f in figures
    ]


def surface(
    user: Account, start: dt.date, end: dt.date, pollutant: str = "pm25"
) -> list[dict[str, Any]]:
    """The maps' hot-grid layer: each of the reader's active grids with an estimate, its polygon
    and figures (colour: the AQI level of its mean), `hot` for the worst `MAP_WORST`."""
    grids = list(Region.objects.for_user(user).grids().active().order_by("code"))
    shapes = {g.pk: g.geometry for g in grids}
    return [
        {
            "code": f.code,
            "name": f.name,
            "geometry": shapes[f.grid_id],
            "mean": f.mean,
            "rank": f.rank,
            "level": f.level,
            "colour": f.colour,
            "hours_above": f.hours_above,
            "hot": f.rank is not None and f.rank <= hotspots.MAP_WORST,
        }
        for f in hotspots.hot_grids(grids, start, end, pollutant)
        if f.rank is not None and shapes[f.grid_id]
    ]


def _first(qs: Any, key: str, *fields: str) -> list[tuple[Any, ...]]:
    """Rows (key, *fields) of a queryset ordered by key, at most SHOWN per key."""
    out: list[tuple[Any, ...]] = []
    seen: dict[Any, int] = defaultdict(int)
    for row in qs.values_list(key, *fields):
        if seen[row[0]] < SHOWN:
            seen[row[0]] += 1
            out.append(row)
    return out


def by_street(rows: list[HotGrid], per_street: int) -> list[tuple[str, str, list[HotGrid]]]:
    """The worst `per_street` grids of each street, streets in the order of their worst grid."""
    groups: dict[tuple[str, str], list[HotGrid]] = {}
    for r in rows:
        if r.figure.rank is None:
            continue
        group = groups.setdefault((r.figure.street_code, r.figure.street_name), [])
        if len(group) < per_street:
            group.append(r)
    return [(code, name, group) for (code, name), group in groups.items()]


def workbook(rows: list[HotGrid], pollutant: str, start: dt.date, end: dt.date) -> bytes:
    """One sheet: the grids worst first with their figures, sources and open orders."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("热点网格")
    sheet.append([f"{DISPLAY[pollutant]} {start:%Y-%m-%d}～{end:%Y-%m-%d}"])
    header = [
        _("排名"), _("街道"), _("网格编码"), _("网格"), _("均值(µg/m³)"),
        _("超二级标准小时数"), _("有估算小时数"), _("含站点"), _("污染源数"), _("在办工单数"),
        _("污染源"), _("在办工单"),
    ]  # fmt: skip
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for r in rows:
        f = r.figure
        values = [f.rank, f.street_name, f.code, f.name, f.mean, f.hours_above]
        values += [f.hours_estimated, _("是") if f.exact else "", r.sources, r.open_orders]
        values += ["、".join(r.source_names), "、".join(o[1] for o in r.order_refs)]
        sheet.append(sheet_row(values))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
