"""Two processes writing different days of a station's month that is not stored yet: both days
are kept (the month row is made first and locked, so the second writer reads the first's days
instead of storing its own block over them). PostgreSQL only: SQLite has one writer at a time."""

import datetime as dt
import os
import threading

import numpy as np
import pytest
from django.db import connection, transaction

from gridgov.air import months
from gridgov.air.aggregate import DAILY_KEYS_ORDER, date_number

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="needs PostgreSQL: concurrent writers (SQLite takes one at a time)",
    ),
]


def key(station_id: int, day: dt.date) -> int:
    return (station_id << 32) | date_number(day)


def test_two_writers_of_a_new_month_keep_both_days(stations):
    sid = stations["micro"].pk
    first_written, second_started = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    values = np.full((1, len(DAILY_KEYS_ORDER)), 40.0)

    def first() -> None:
        try:
            with transaction.atomic():
                months.update(np.array([key(sid, dt.date(2026, 11, 5))]), values)
                first_written.set()
                second_started.wait(5)
                threading.Event().wait(0.5)  # the second writer is at the month row meanwhile
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def second() -> None:
        try:
            first_written.wait(5)
            second_started.set()
            with transaction.atomic():
                months.update(np.array([key(sid, dt.date(2026, 11, 6))]), values + 1)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    block = months.fetch([sid], [202611])[(sid, 202611)]
    assert block[4, 0] == 40.0 and block[5, 0] == 41.0  # the 5th and the 6th both kept
