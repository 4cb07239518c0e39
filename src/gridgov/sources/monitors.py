"""Enterprises and their continuous emission monitors (污染源在线监测): an enterprise's
`monitor_mns` names the HJ 212 MNs of its monitors, which are stations of kind `emission`
receiving ST=31 packets. The link is by MN, so either side can be registered first."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gridgov.sources.categories import Category
from gridgov.sources.models import PollutionSource


def monitor_stations(source: PollutionSource) -> QuerySet[Any]:
    """The emission stations whose MN the enterprise lists (none for other categories)."""
    from gridgov.air.models import Station, StationKind

    mns: list[Any] = []
    if source.category == Category.ENTERPRISE:
        mns = list(source.attributes.get("monitor_mns") or [])
    return Station.objects.filter(kind=StationKind.EMISSION, mn__in=[str(m) for m in mns])


def sources_of_monitor(mn: str) -> list[PollutionSource]:
    """The enterprises listing this MN (JSON lists are matched in Python: the same on SQLite
    and PostgreSQL, and enterprises are few)."""
    if not mn:
        return []
    return [
        s
        for s in PollutionSource.objects.filter(category=Category.ENTERPRISE).only(
            "id", "code", "name", "category", "attributes"
        )
        if mn in (s.attributes.get("monitor_mns") or [])
    ]


def monitors(source: PollutionSource) -> list[dict[str, Any]]:
    """The device status of the monitors named by the source (enterprise MNs, a site's MN, its
    own registered monitors), for a reader who may see the source: its monitors are shown
    whichever grid their stations stand in."""
    from gridgov.air.models import DeviceStatus, Station

    mns = list(source.attributes.get("monitor_mns") or [])
    if source.attributes.get("monitor_mn"):
        mns.append(source.attributes["monitor_mn"])
    # The source's own monitors (dust, fume, power: monitor_models.SourceMonitor) too.
    for mn in source.monitors.values_list("mn", flat=True):
        if mn not in mns:
            mns.append(mn)
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
