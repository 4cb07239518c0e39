"""Stations for the air tests: a micro-station in grid G1, another 1 km away, and a national
control station outside the district."""

import datetime as dt

import numpy as np
import pytest

from gridgov.air.ingest import Batch, ingest, station_infos
from gridgov.air.models import CST, POLLUTANT_FIELDS, Station

T0 = int(dt.datetime(2026, 11, 20, 0, 0, tzinfo=CST).timestamp())  # a Friday, midnight CST


def make_stations(territory) -> dict[str, Station]:
    """The stations of the `stations` fixture."""
    g1 = territory["D-S1-C1-G1"]
    return {
        "micro": Station.objects.create(
            code="M1",
            name="东一微站",
            kind="micro",
            lat=35.2,
            lon=113.05,
            grid=g1,
            interval_minutes=1,
        ),
        "micro2": Station.objects.create(
            code="M2",
            name="东二微站",
            kind="micro",
            lat=35.209,
            lon=113.05,
            grid=g1,
            interval_minutes=1,
        ),
        "national": Station.objects.create(
            code="N1", name="市监测站", kind="national", lat=36.0, lon=113.2, interval_minutes=60
        ),
    }


@pytest.fixture
def stations(territory):
    return make_stations(territory)


def make_batch(station, start, minutes, step=60, **columns):
    """A batch for one station: `minutes` readings from `start`, every `step` seconds.
    Each pollutant column is a scalar or a sequence; missing pollutants are NaN."""
    n = minutes
    ts = start + step * np.arange(n, dtype=np.int64)
    values = np.full((n, len(POLLUTANT_FIELDS)), np.nan)
    for j, p in enumerate(POLLUTANT_FIELDS):
        if p in columns:
            values[:, j] = np.broadcast_to(np.asarray(columns[p], dtype=float), (n,))
    return Batch(
        np.full(n, station.pk, dtype=np.int64),
        ts,
        values,
        np.zeros(values.shape, bool),
        np.arange(1, n + 1),
    )


def make_put():
    """`put(batch, **kwargs)`: ingest a batch (the `put` fixture, once the stations exist)."""
    infos = station_infos()

    def _put(batch, **kwargs):
        kwargs.setdefault("now", float(T0 + 40 * 86400))
        return ingest(batch, infos, **kwargs)

    return _put


@pytest.fixture
def put(stations):
    return make_put()


def put_days(station, start, pm25_values, **fixed):
    """Daily rows written by hand (then the monthly store rebuilt from them): one per PM2.5 value
    (None = an invalid day), the other pollutants constant unless given."""
    from gridgov.air import months
    from gridgov.air.models import DailyAggregate

    values = {
        "pm10": 60.0,
        "so2": 10.0,
        "no2": 30.0,
        "co": 0.8,
        "o3_1h_max": 120.0,
        "o3_8h_max": 100.0,
        **fixed,
    }
    counts = {f"{p}_n": 24 for p in ("pm25", "pm10", "so2", "no2", "co", "o3")}
    DailyAggregate.objects.bulk_create(
        [
            DailyAggregate(
                station=station,
                day=start + dt.timedelta(days=i),
                pm25=pm25,
                o3_8h_n=17,
                **counts,
                **values,
            )
            for i, pm25 in enumerate(pm25_values)
        ]
    )
    months.rebuild([station.pk])


# The HJ 212 receiver tests' set-up: the devices' password, the stations as devices, short
# settings, a receiver on port 0, and simulated devices sent to it.
PW = "123456"


@pytest.fixture
def devices(stations):
    """M1 (micro, 1 min) as device MN-M1, N1 (national, hourly) as MN-N1."""
    from gridgov.air.hj212.devices import hash_password

    micro, national = stations["micro"], stations["national"]
    micro.mn, micro.pw_hash = "MN-M1", hash_password(PW)
    micro.save()
    national.mn, national.pw_hash = "MN-N1", hash_password(PW)
    national.save()
    return stations


@pytest.fixture
def fast(settings):
    settings.GRIDGOV_HJ212_GRACE_SECONDS = 0
    settings.GRIDGOV_HJ212_STATUS_SECONDS = 0.1
    return settings


def run(scenario, uvloop=False, **kwargs):
    """Run `scenario(receiver)` against a receiver started on port 0 (on uvloop's loop with
    uvloop=True, as `gridgov hj212` runs where uvloop is installed)."""
    import asyncio

    from gridgov.air.hj212.receiver import Receiver

    async def main():
        receiver = Receiver("127.0.0.1", 0, tick=0.05, **kwargs)
        await receiver.start()
        try:
            return await scenario(receiver)
        finally:
            await receiver.stop()

    if uvloop:
        uv = pytest.importorskip("uvloop")
        return uv.run(main())
    return asyncio.run(main())


def device_config(port: int, **overrides):
    """The simulator's Config for devices MN-M1, MN-M2 … (the `devices` password) sending to
    `port`: one device, no re-send under load (every packet counted once), a 30 s bound."""
    from gridgov.air.hj212.sim_config import Config

    settings = {
        "port": port,
        "devices": 1,
        "prefix": "MN-M",
        "digits": 1,
        "pw": PW,
        "timeout": 30,
        "drain": 10,
        "seconds": 30,
        **overrides,
    }
    return Config(**settings)


@pytest.fixture
def simulate_devices(devices, fast):
    """`simulate_devices(**config)`: simulated devices (device_config with these overrides) sent
    to a receiver on port 0 until they are done and the receiver has stored everything; the
    simulator's stats."""
    from gridgov.air.hj212.simulator import run as simulate

    def go(**config):
        async def scenario(receiver):
            stats = await simulate(device_config(receiver.port, **config))
            await receiver.flush()
            return stats

        return run(scenario)

    return go
