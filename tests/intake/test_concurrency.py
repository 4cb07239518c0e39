"""Camera alerts posted at once: none lost, duplicates merged (PostgreSQL: real concurrent
transactions; SQLite serialises every write, so the race is not there to test)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client

from gridgov.intake.models import ExternalEvent, IntakeSystem
from gridgov.workorders.models import Event, WorkOrder
from tests.intake.helpers import CST

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_concurrent_alerts_none_lost_duplicates_merged(crew, clock):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every write: the race needs PostgreSQL")
    system = IntakeSystem.objects.create(code="cams", name="视频平台", kind="camera")
    token = system.issue_token()
    at = (clock.now() - dt.timedelta(minutes=20)).astimezone(CST).replace(microsecond=0)
    bodies = []
    for cam in range(4):
        for n in range(3):  # three alerts of one camera and kind within minutes: one event
            body = {
                "alert_id": f"C{cam}-{n}", "kind": "smoke", "camera": f"CAM-{cam}",
                "time": (at + dt.timedelta(minutes=n)).isoformat(),
                "lat": 35.2, "lon": 113.02 + 0.1 * cam if cam < 3 else 113.05,
            }  # fmt: skip
            bodies += [body, body]  # each posted twice
    barrier = threading.Barrier(8)
    answers: list[int] = []
    lock = threading.Lock()

    def worker(mine):
        client = Client()
        try:
            barrier.wait()
            for body in mine:
                r = client.post(
                    "/api/v1/intake/alerts", body, content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {token}",
                )  # fmt: skip
                with lock:
                    answers.append(r.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(bodies[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(set(answers)) <= [200, 201] and len(answers) == 24
    assert answers.count(201) == 4  # one event per camera
    assert ExternalEvent.objects.count() == 12  # every alert kept, once
    assert Event.objects.count() == WorkOrder.objects.count() == 4
    for cam in range(4):
        events = set(
            ExternalEvent.objects.filter(device=f"CAM-{cam}").values_list("event", flat=True)
        )
        assert len(events) == 1 and None not in events
