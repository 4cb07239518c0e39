"""Group commit: concurrent single-reading posts share a transaction, each gets its own answer."""

import threading

import pytest

from gridgov.air.group_commit import GroupCommitter
from gridgov.air.ingest import station_infos
from gridgov.air.models import HourlyAggregate, Reading
from tests.air.conftest import T0, make_batch

# Committed data (the committer's thread has its own connection); the seeded rows of the data
# migrations are restored afterwards for the tests that follow.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def live_stations(territory, stations):
    return stations


@pytest.fixture
def committer():
    c = GroupCommitter()
    yield c
    c.stop()  # its thread's database connection must not outlive the test database


def test_concurrent_posts_are_all_stored_and_answered_separately(live_stations, committer):
    infos = station_infos()
    m, m2 = live_stations["micro"], live_stations["micro2"]
    results = {}

    def send(i):
        station = m if i % 2 else m2
        batch = make_batch(station, T0 + 60 * (i // 2), 1, pm25=40 + i % 7)
        results[i] = committer.submit(batch, infos)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.stored == 1 and r.duplicates == 0 for r in results.values())
    assert Reading.objects.count() == 60
    assert HourlyAggregate.objects.get(station=m, ts=T0).pm25_n == 30
    # Re-sending one: a duplicate, answered as such.
    again = committer.submit(make_batch(m, T0 + 60, 1, pm25=41), infos)
    assert (again.stored, again.duplicates) == (0, 1)


def test_a_failing_group_reports_the_failure_to_every_post(live_stations, committer, monkeypatch):
    monkeypatch.setattr(
        "gridgov.air.group_commit.ingest",
        lambda *a, **k: (_ for _ in ()).throw(RuntimeError("disk full")),
    )
    with pytest.raises(RuntimeError, match="disk full"):
        committer.submit(make_batch(live_stations["micro"], T0, 1, pm25=40), station_infos())
    assert not Reading.objects.exists()
