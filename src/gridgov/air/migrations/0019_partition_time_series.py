"""Time series on PostgreSQL: air_reading and air_hourly become tables partitioned by RANGE on
ts, one partition per China-time month (air/partitions.py), plus a DEFAULT partition; air_reading
gains a BRIN index on ts. An existing database is converted: each table is rebuilt under its own
name (the old one renamed aside, a partitioned table made like it, a partition per month from
its first to its last row, the rows moved month by month with INSERT … SELECT, counted, then
its primary key, foreign keys, indexes and any owned sequence put back and the old table
dropped), all in the migration's transaction. The reverse rebuilds plain tables the same way.
On SQLite nothing changes: the tables stay plain (the same retention works by DELETE).

Also the table of retired months (air/retention_models.py)."""

import datetime as dt

from django.db import migrations, models

TABLES = ("air_reading", "air_hourly")
CST = dt.timezone(dt.timedelta(hours=8))
AHEAD = 3  # months made ahead of the current one; the worker's job keeps it so


def _month(ts):
    moment = dt.datetime.fromtimestamp(int(ts), tz=CST)
    return moment.year * 100 + moment.month


def _next(key):
    year, month = divmod(key, 100)
    return key + 1 if month < 12 else (year + 1) * 100 + 1


def _start(key):
    year, month = divmod(key, 100)
    return int(dt.datetime(year, month, 1, tzinfo=CST).timestamp())


def _months(first_ts, last_ts):
    keys, key = [], _month(first_ts)
    while key <= _month(last_ts):
        keys.append(key)
        key = _next(key)
    return keys


def _relkind(cursor, table):
    cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [table])
    row = cursor.fetchone()
    return row[0] if row else None


def _definitions(cursor, table):
    """The table's constraints (primary key, unique, foreign keys, exclusions) and its other
    indexes, as SQL that recreates them, and the sequences its columns own."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f', 'x') "
        "AND conparentid = 0 ORDER BY contype = 'f', conname",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid "
        "AND c.conrelid = x.indrelid) ORDER BY i.relname",
        [table],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT s.relname, a.attname FROM pg_depend d "
        "JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
        "JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
        "WHERE d.refobjid = %s::regclass AND d.deptype = 'a'",
        [table],
    )
    sequences = cursor.fetchall()
    return constraints, indexes, sequences


def rebuild(cursor, table, partitioned):
    """Rebuild `table` partitioned by month (or, partitioned=False, plain), keeping its name,
    rows, constraints, indexes and sequences. Does nothing when it already is."""
    kind = _relkind(cursor, table)
    if kind is None or (kind == "p") == partitioned:
        return
    old = f"{table}_old_layout"
    # Deferred foreign-key checks of rows written earlier in this transaction run now: a table
    # with pending trigger events cannot be dropped.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    constraints, indexes, sequences = _definitions(cursor, table)
    cursor.execute(f"ALTER TABLE {table} RENAME TO {old}")
    for name, _ in constraints:
        cursor.execute(f'ALTER TABLE {old} RENAME CONSTRAINT "{name}" TO "{name}_old"')
    for name, _ in indexes:
        cursor.execute(f'ALTER INDEX "{name}" RENAME TO "{name}_old"')
    like = f"LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE"
    cursor.execute(f"SELECT min(ts), max(ts), count(*) FROM {old}")
    first, last, count = cursor.fetchone()
    if partitioned:
        cursor.execute(f"CREATE TABLE {table} ({like}) PARTITION BY RANGE (ts)")
        now = int(dt.datetime.now(tz=CST).timestamp())
        months = set(_months(now, now))
        for _ in range(AHEAD):
            months.add(_next(max(months)))
        if first is not None:
            months |= set(_months(first, last))
        for key in sorted(months):
            cursor.execute(
                f"CREATE TABLE {table}_p{key} PARTITION OF {table} "
                f"FOR VALUES FROM ({_start(key)}) TO ({_start(_next(key))})"
            )
            if first is not None and _month(first) <= key <= _month(last):
                cursor.execute(
                    f"INSERT INTO {table}_p{key} SELECT * FROM {old} WHERE ts >= %s AND ts < %s",
                    [_start(key), _start(_next(key))],
                )
        cursor.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
    else:
        cursor.execute(f"CREATE TABLE {table} ({like})")
        cursor.execute(f"INSERT INTO {table} SELECT * FROM {old}")
    cursor.execute(f"SELECT count(*) FROM {table}")
    moved = cursor.fetchone()[0]
    if moved != count:
        raise RuntimeError(f"{table}: {count} rows before the rebuild, {moved} after")
    for name, definition in constraints:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for name, definition in indexes:
        if " USING brin " in definition and not partitioned:
            continue  # the partitioned layout's own index (below)
        cursor.execute(definition)
    if partitioned and table == "air_reading":
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {table}_ts_brin ON {table} USING brin (ts)")
    for sequence, column in sequences:
        cursor.execute(f'ALTER SEQUENCE "{sequence}" OWNED BY {table}."{column}"')
    cursor.execute(f"DROP TABLE {old}")
    cursor.execute(f"ANALYZE {table}")


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            rebuild(cursor, table, partitioned=True)


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            rebuild(cursor, table, partitioned=False)


class Migration(migrations.Migration):
    dependencies = [
        ("air", "0018_forecast"),
    ]

    operations = [
        migrations.CreateModel(
            name="RetiredMonth",
            fields=[
                (
                    "month",
                    models.PositiveIntegerField(
                        help_text="YYYYMM, China time", primary_key=True, serialize=False
                    ),
                ),
                (
                    "start_ts",
                    models.BigIntegerField(help_text="the month's start, epoch seconds UTC"),
                ),
                (
                    "end_ts",
                    models.BigIntegerField(help_text="the next month's start, epoch seconds UTC"),
                ),
                ("rows", models.PositiveBigIntegerField(default=0, verbose_name="清除行数")),
                ("by_partition", models.BooleanField(default=False, verbose_name="按分区清除")),
                (
                    "retired_at",
                    models.DateTimeField(
                        help_text="from then on the horizon", verbose_name="清除时间"
                    ),
                ),
                (
                    "finished_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="when the last minute row was gone",
                        null=True,
                        verbose_name="完成时间",
                    ),
                ),
            ],
            options={
                "verbose_name": "已清除分钟数据的月份",
                "verbose_name_plural": "已清除分钟数据的月份",
                "db_table": "air_retired_month",
            },
        ),
        migrations.RunPython(partition, unpartition),
    ]
