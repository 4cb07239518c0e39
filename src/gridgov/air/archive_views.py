"""The station page's raw packet archive section (原始报文存档) and its download: the day's
checkpoint (records, last hash, sealed, the last `gridgov packet-archive verify`) and the
station's packets of the day as text, verified when downloaded. Thin: air/packet_archive.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.air import packet_archive as pa
from gridgov.air.models import CST, Station


def archive_context(station: Station, text: str | None) -> dict[str, Any]:
    """What the station page shows of the archive for a day (`text`, default today, CST)."""
    day = inputs.parse_date("archive_day", text, dt.datetime.now(CST).date())
    return {
        "enabled": pa.archive_dir() is not None and bool(station.mn),
        "day": day,
        "checkpoint": pa.day_checkpoint(day),
    }


@login_required
def station_packets(request: HttpRequest, code: str) -> HttpResponse:
    """The station's raw packets of `?day=` (default today, CST) as a text file."""
    station = Station.objects.for_user(request.user).filter(code=code).first()
    if station is None:  # unknown or outside the scope: the same answer
        raise Http404(_("没有这个站点"))
    day = inputs.parse_date("day", request.GET.get("day"), dt.datetime.now(CST).date())
    if pa.archive_dir() is None or not station.mn:
        raise Http404(_("原始报文存档未启用或站点无设备编号(MN)"))
    packets, v = pa.packets_of(day, station.mn)
    text = pa.listing(packets, v, f"{station.code} {station.name} MN={station.mn}")
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    name = f"packets-{station.code}-{day.isoformat()}.txt"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
