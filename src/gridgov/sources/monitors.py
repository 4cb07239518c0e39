"""The monitors a source names (enterprise MNs, a site's MN) and their device status."""

from __future__ import annotations

from typing import Any

from gridgov.air.models import DeviceStatus, Station
from gridgov.sources.models import PollutionSource


def monitors(source: PollutionSource) -> list[dict[str, Any]]:
    """The device status of the monitors named by the source, for a reader who may see the
    source: its monitors are shown whichever grid their stations stand in."""
    mns = list(source.attributes.get("monitor_mns") or [])
    if source.attributes.get("monitor_mn"):
        mns.append(source.attributes["monitor_mn"])
    if not mns:
        return []
    stations = {s.mn: s for s in Station.objects.filter(mn__in=mns)}
    statuses = {d.station_id: d for d in DeviceStatus.objects.filter(station__in=stations.values())}
    return [
        {
            "mn": mn,
            "station": stations.get(mn),
            "status": statuses.get(stations[mn].pk) if mn in stations else None,
        }
        for mn in mns
    ]
