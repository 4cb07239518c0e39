"""The binary COPY stream built from numpy columns (air/pgcopy.py), and the import's path when
another writer stored a row between the batch's read of the stored keys and its COPY."""

import struct
from unittest import mock

import numpy as np
import pytest
from django.db import connection, transaction

from gridgov.air import pgcopy
from gridgov.air.models import HourlyAggregate, Reading
from tests.air.conftest import T0, make_batch


def decode(data: bytes, kinds: list[str]) -> list[tuple]:
    """Parse a binary COPY stream back (struct format letters per column: q, d, h)."""
    assert data.startswith(pgcopy.SIGNATURE) and data.endswith(pgcopy.TRAILER)
    body, pos, rows = data[len(pgcopy.SIGNATURE) : -2], 0, []
    while pos < len(body):
        (count,) = struct.unpack_from("!h", body, pos)
        pos += 2
        assert count == len(kinds)
        row = []
        for kind in kinds:
            (length,) = struct.unpack_from("!i", body, pos)
            pos += 4
            if length == -1:
                row.append(None)
                continue
            (value,) = struct.unpack_from("!" + kind, body, pos)
            assert length == struct.calcsize(kind)
            pos += length
            row.append(value)
        rows.append(tuple(row))
    return rows


def columns():
    return [
        np.array([1, 2**40, -3], dtype=np.int64),
        np.array([0.1, np.nan, -2.5e-300], dtype=np.float64),
        np.array([0, 128, 32767], dtype=np.int16),
        np.array([np.nan, np.nan, 7.0], dtype=np.float64),
    ]


def test_the_stream_holds_each_value_exactly_and_nan_as_null():
    rows = decode(pgcopy.payload(columns()), ["q", "d", "h", "d"])
    assert rows == [(1, 0.1, 0, None), (2**40, None, 128, None), (-3, -2.5e-300, 32767, 7.0)]


def test_no_rows_is_an_empty_copy_and_bad_columns_are_refused():
    assert pgcopy.payload([np.zeros(0, np.int64)]) == pgcopy.SIGNATURE + pgcopy.TRAILER
    with pytest.raises(TypeError, match="column 1: uint8"):
        pgcopy.payload([np.zeros(2, np.int64), np.zeros(2, np.uint8)])
    with pytest.raises(ValueError, match="shape"):
        pgcopy.payload([np.zeros(2, np.int64), np.zeros(3, np.int64)])


@pytest.mark.django_db
def test_postgresql_reads_the_stream_as_sent():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the binary COPY format")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE t (a bigint, b double precision, c smallint, d double precision)"
        )
        with cursor.cursor.copy("COPY t (a, b, c, d) FROM STDIN (FORMAT BINARY)") as copy:
            copy.write(pgcopy.payload(columns()))
        cursor.execute("SELECT a, b, c, d FROM t ORDER BY c")
        assert cursor.fetchall() == [
            (1, 0.1, 0, None),
            (2**40, None, 128, None),
            (-3, -2.5e-300, 32767, 7.0),
        ]
        cursor.execute("DROP TABLE t")


def wobble(n):
    return 40.0 + 5.0 * np.sin(np.arange(n) / 3.0)


def test_rows_another_writer_stored_meanwhile_are_skipped_not_doubled(stations, put):
    """The stored keys read as empty (another writer commits after the read): on PostgreSQL
    the direct COPY collides and the batch goes through the staging table's ON CONFLICT; the
    rows already there are counted as duplicates and their hour is rebuilt, not added twice."""
    m = stations["micro"]
    values = wobble(60)
    put(make_batch(m, T0, 30, pm25=values[:30]))
    unseen = mock.patch(
        "gridgov.air.ingest._existing_keys", return_value=np.zeros(0, dtype=np.int64)
    )
    with unseen:
        result = put(make_batch(m, T0 + 20 * 60, 40, pm25=values[20:]))
    assert (result.stored, result.duplicates) == (30, 10)
    assert Reading.objects.filter(station=m).count() == 60
    h = HourlyAggregate.objects.get(station=m, ts=T0)
    assert h.pm25_n == 60 and h.pm25_sum == pytest.approx(values.sum())
    stored = dict(Reading.objects.filter(station=m).values_list("ts", "pm25"))
    assert [stored[T0 + 60 * i] for i in range(60)] == pytest.approx(values.tolist())
