"""Group commit: concurrent single-reading posts share a transaction, each gets its own answer."""

import datetime as dt
import threading

import pytest
from django.db import DataError

from gridgov.air import group_commit
from gridgov.air.group_commit import GroupCommitter
from gridgov.air.ingest import station_infos
from gridgov.air.models import CST, HourlyAggregate, Reading
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


def test_one_faulty_post_among_many_fails_alone(live_stations, committer, monkeypatch):
    """A post that slipped past the checks and breaks the merged transaction (as a reading
    dated 1900 once overflowed the day column on PostgreSQL) fails on its own; every other post
    in its group is stored and acknowledged."""
    infos = station_infos()
    m, m2 = live_stations["micro"], live_stations["micro2"]
    year_1900 = int(dt.datetime(1900, 1, 1, tzinfo=CST).timestamp())
    real_ingest = group_commit.ingest

    def ingest_that_breaks_on_1900(batch, *args, **kwargs):
        if (batch.ts == year_1900).any():
            raise DataError("date out of range")
        return real_ingest(batch, *args, **kwargs)

    monkeypatch.setattr(group_commit, "ingest", ingest_that_breaks_on_1900)
    results, failures = {}, {}
    barrier = threading.Barrier(36)

    def send(i):
        if i == 17:
            batch = make_batch(m, year_1900, 1, pm25=40)
        else:
            batch = make_batch(m if i % 2 else m2, T0 + 60 * i, 1, pm25=40 + i % 7)
        barrier.wait()
        try:
            results[i] = committer.submit(batch, infos)
        except Exception as exc:
            failures[i] = exc

    threads = [threading.Thread(target=send, args=(i,)) for i in range(36)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(failures) == {17} and isinstance(failures[17], DataError)
    assert len(results) == 35 and all(r.stored == 1 for r in results.values())
    assert Reading.objects.count() == 35
