"""A dust monitor fed through the HJ 212 receiver: its device is a station (by MN) whose hourly
upload carries PM10 and TSP; once the upload is stored and answered, the receiver hands its
values to the sources' hook, which opens the order to the site's responsible person."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.air import factor_hooks
from gridgov.air.hj212 import codec
from gridgov.air.hj212.devices import hash_password
from gridgov.air.models import CST
from gridgov.sources.models import MonitorFinding
from gridgov.sources.monitor_services import MonitorInput, save_monitor
from gridgov.sources.services import SourceInput, create_source, point_geometry
from gridgov.workorders.models import WorkOrder
from tests.air.conftest import make_stations
from tests.air.test_hj212_receiver import PW, Client, qn, run

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def upload(hour: dt.datetime, groups: str) -> bytes:
    """An hourly (CN=2061) upload of the monitor, as a pollution-source device (ST=31)."""
    cp = f"DataTime={codec.stamp(hour)};{groups}"
    text = codec.segment_text(qn=qn(), st="31", cn="2061", pw=PW, mn="DUSTMN01", flag=5, cp=cp)
    return codec.frame(text)


def test_an_hourly_dust_upload_through_the_receiver_opens_the_order(territory, people, settings):
    settings.GRIDGOV_HJ212_GRACE_SECONDS = 0
    # The monitor's device is a station of kind `emission` (ST=31: stored and answered, never
    # part of the ambient assessment), hourly, known by the MN the monitor names.
    device = make_stations(territory)["national"]
    device.kind, device.mn, device.pw_hash = "emission", "DUSTMN01", hash_password(PW)
    device.save()
    site = create_source(
        SourceInput(
            category="construction_site",
            name="东一花园工地",
            geometry=point_geometry(35.2, 113.05),
            attributes={"phase": "structure"},
        )
    )
    save_monitor(site.pk, MonitorInput(kind="dust", mn="DUSTMN01"), None)
    hour = dt.datetime.now(CST).replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1)

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(upload(hour, "a34002-Avg=150,a34002-Flag=N"))
        first = await c.answer()
        await c.send(upload(hour, "a34002-Avg=182.5,a34002-Flag=N;a34001-Avg=260,a34001-Flag=N"))
        second = await c.answer()
        await receiver.flush()
        c.close()
        return first, second

    first, second = run(scenario)
    factor_hooks.drain()
    assert first.cn == second.cn == "9014"
    [finding] = MonitorFinding.objects.all()
    assert (finding.rule, finding.value, finding.hour) == ("dust", 182.5, hour)
    order = WorkOrder.objects.select_related("assignee").get(pk=finding.order_id)
    assert order.assignee.name == "张网格"
    assert order.extended_until - finding.created_at == dt.timedelta(hours=1)
