"""The transition kit (状态流转): a state change as one conditional UPDATE, its audit row as one
INSERT, in one transaction, with no read the caller has already made.

Every workflow in the platform is a row whose state moves on (an order, a case, a request) and
an audit row per move. The pattern, for any model::

    with transitions.step() as moved:
        if transitions.change(Case, case.pk, {"state": "open", "version": case.version},
                              {"state": "closed", "version": case.version + 1}):
            moved(transitions.record(CaseStep, case=case, action="close", ...))
    moved.or_refuse(_("案件已被他人处理，请刷新后重试"))

* ``change`` is ``filter(pk=…, **expected).update(**changes)``: it changes the row only while
  it still holds what the caller read, so two people acting at once never make an impossible
  state — one wins, the other changes no row.
* ``record`` writes the audit row from the values the caller already has (one INSERT; no
  related row is read, pass ids rather than objects you have not loaded).
* ``step`` is the transaction of one transition. Outside a transaction it opens one; inside the
  caller's it adds no savepoint (two queries saved per transition), so everything that can be
  refused must be checked before the first write — as the services do, which read and decide
  first and write last. A refusal raised inside would spoil the caller's transaction; the one
  refusal that can only be known by writing, a lost race, is therefore raised by
  ``or_refuse`` after the block, when nothing has been written.

Both statements are written once per shape (model, fields) and kept: a transition pays for
executing two statements, not for Django building them each time (which costs several times
the statements themselves). A value that is an expression (``F("n") + 1``), or a model with
save signals, takes the ORM's way instead, with the same result (the page cache's receiver,
connected to every model, does not count: ``pagecache.written`` does its work).

``Reader`` reads one row by primary key (with its ``select_related`` rows) from a query Django
compiles once: for a service that must read the row it moves (a request names it by id).

``Query`` is the same for a query that differs from call to call only in its values (the
people of a unit, the posts of a region on a day): built once per shape with markers in place
of the values, compiled once, run with the values.

``apply`` is the short form for a change with no audit row of its own (or whose audit row is
written separately): the conditional UPDATE, refusing with a conflict when no row changed.

The kit imports no gridgov app; refusals are ``gridgov.errors.DomainError`` (or the subclass
the caller names), of kind ``conflict``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from django.db import connections, models, router, transaction
from django.db.models.query import QuerySet, get_related_populators
from django.db.models.signals import post_save, pre_save

from gridgov.core import pagecache
from gridgov.errors import CONFLICT, DomainError

M = TypeVar("M", bound=models.Model)

# Statements already written, by (database, model, fields).
_statements: dict[tuple[Any, ...], tuple[str, list[models.Field[Any, Any]]]] = {}


def _is_expression(value: Any) -> bool:
    return hasattr(value, "resolve_expression")


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), f"{model.__name__}.{name} is not a column"
    return field


def _pk(model: type[models.Model]) -> models.Field[Any, Any]:
    pk = model._meta.pk
    assert pk is not None
    return pk


def _db_value(field: models.Field[Any, Any], value: Any, connection: Any) -> Any:
    if isinstance(value, models.Model):
        value = value.pk
    return field.get_db_prep_save(value, connection=connection)


def _update_sql(
    model: type[models.Model],
    quote: Callable[[str], str],
    setting: list[Any],
    where: list[Any],
    nulls: list[Any],
) -> str:
    """UPDATE … SET … WHERE pk = %s AND … (table and column names from the model only)."""
    table, pk = quote(model._meta.db_table), quote(str(_pk(model).column))
    sets = ", ".join(f"{quote(f.column)} = %s" for f in setting)
    conditions = "".join(f" AND {quote(f.column)} = %s" for f in where)
    conditions += "".join(f" AND {quote(f.column)} IS NULL" for f in nulls)
    # Names from the model, quoted by the backend; every value is a parameter.
    return "UPDATE " + table + " SET " + sets + " WHERE " + pk + " = %s" + conditions  # noqa: S608


def _insert_sql(
    model: type[models.Model], quote: Callable[[str], str], fields: list[Any], returning: str | None
) -> str:
    """INSERT INTO … (…) VALUES (%s, …) [RETURNING pk]."""
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = quote(model._meta.db_table)
    sql = "INSERT INTO " + table + " (" + columns + ") VALUES (" + marks  # noqa: S608 - as above
    return sql + ")" + (" RETURNING " + quote(returning) if returning else "")


def change(
    model: type[models.Model], pk: Any, expected: Mapping[str, Any], changes: Mapping[str, Any]
) -> bool:
    """One conditional UPDATE: `changes` on row `pk` only while its fields hold `expected`.
    True when the row changed, False when it no longer matched (someone moved it first)."""
    if not changes or any(_is_expression(v) for v in (*changes.values(), *expected.values())):
        return bool(model._default_manager.filter(pk=pk, **expected).update(**changes))
    alias = router.db_for_write(model)
    connection = connections[alias]
    compared = [name for name, value in expected.items() if value is not None]
    nulls = [name for name, value in expected.items() if value is None]
    key = ("update", alias, model, tuple(changes), tuple(compared), tuple(nulls))
    if key not in _statements:
        setting = [_field(model, name) for name in changes]
        where = [_field(model, name) for name in compared]
        null = [_field(model, name) for name in nulls]
        sql = _update_sql(model, connection.ops.quote_name, setting, where, null)
        _statements[key] = (sql, [*setting, _pk(model), *where])
    sql, fields = _statements[key]
    values = [*changes.values(), pk, *(expected[name] for name in compared)]
    params = [_db_value(f, v, connection) for f, v in zip(fields, values, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        moved = bool(cursor.rowcount)
    if moved:
        pagecache.written(model, alias)  # no post_save was sent: what pages keep is stale
    return moved


def apply(
    model: type[models.Model],
    pk: Any,
    expected: Mapping[str, Any],
    changes: Mapping[str, Any],
    message: str,
    *,
    error: type[DomainError] = DomainError,
) -> None:
    """`change`, refusing with `error(CONFLICT, message)` when no row changed. Raise it only
    where a refusal may undo the transaction around it (outside ``step``, or inside a block
    with a savepoint)."""
    if not change(model, pk, expected, changes):
        raise error(CONFLICT, message)


def _signalled(model: type[models.Model]) -> bool:
    """Whether saving `model` runs a receiver of its own: one besides the page cache's, whose
    work (dropping the pages' kept figures) `pagecache.written` does after a bare INSERT."""
    if pre_save.has_listeners(model):
        return True
    receivers = post_save._live_receivers(model)  # Django's (sync, async) receivers of `model`
    return any(not pagecache.is_receiver(r) for group in receivers for r in group)


def record(model: type[M], **values: Any) -> M:
    """One INSERT of an audit row built from `values` (ids or objects the caller holds); the
    row is returned with its primary key."""
    row = model(**values)
    if _signalled(model) or any(_is_expression(v) for v in values.values()):
        row.save(force_insert=True)
        return row
    alias = router.db_for_write(model)
    connection = connections[alias]
    pk = _pk(model)
    auto = getattr(row, pk.attname) is None
    returning = connection.features.can_return_columns_from_insert and auto
    key = ("insert", alias, model, auto)
    if key not in _statements:
        fields = [f for f in model._meta.concrete_fields if not (auto and f is pk)]
        sql = _insert_sql(
            model, connection.ops.quote_name, fields, pk.column if returning else None
        )
        _statements[key] = (sql, fields)
    sql, fields = _statements[key]
    params = [f.get_db_prep_save(f.pre_save(row, True), connection=connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if returning:
            setattr(row, pk.attname, cursor.fetchone()[0])
        elif auto:
            last = connection.ops.last_insert_id(cursor, model._meta.db_table, str(pk.column))
            setattr(row, pk.attname, last)
    row._state.adding = False
    row._state.db = alias
    pagecache.written(model, alias)
    return row


class Moved:
    """What ``step`` yields: call it once the conditional UPDATE has changed its row (with
    the audit row, if any); ``or_refuse`` after the block raises the conflict otherwise."""

    def __init__(self) -> None:
        self.done = False
        self.row: Any = None

    def __call__(self, row: Any = None) -> Any:
        self.done = True
        self.row = row
        return row

    def or_refuse(self, message: str, *, error: type[DomainError] = DomainError) -> Any:
        """The audit row of a transition that happened; else `error(CONFLICT, message)`."""
        if not self.done:
            raise error(CONFLICT, message)
        return self.row


@contextmanager
def step(*, savepoint: bool = False) -> Iterator[Moved]:
    """The transaction of one transition: its own when none is open; inside an open one, no
    savepoint unless asked for (`savepoint=True`: for a step whose later writes may still be
    refused, such as photos to link, so the refusal undoes only this step)."""
    moved = Moved()
    with transaction.atomic(savepoint=savepoint):
        yield moved


class Reader(Generic[M]):
    """Rows of `queryset` by primary key, its SQL compiled once per database: ``get(pk)`` is
    one query and no more Python than making the objects. `queryset` must carry no parameter
    of its own (joins, ``defer``, ``only`` and ``select_related`` are fine; filter by pk only).
    """

    def __init__(self, queryset: QuerySet[M]) -> None:
        self.queryset = queryset
        self._compiled: dict[str, tuple[Any, ...]] = {}

    def _compile(self, alias: str) -> tuple[Any, ...]:
        query = self.queryset.using(alias).filter(pk=0).query
        compiler = query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        if list(params) != [0]:
            raise ValueError("a Reader's queryset must carry no parameter of its own")
        info = compiler.klass_info
        assert info is not None
        start, end = info["select_fields"][0], info["select_fields"][-1] + 1
        names = [f[0].target.attname for f in compiler.select[start:end]]
        populators = get_related_populators(info, compiler.select, alias)  # type: ignore[call-arg]
        converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
        return sql, compiler, converters, info["model"], start, end, names, populators

    def get(self, pk: Any) -> M | None:
        """The row `pk` with its related rows, or None."""
        pk = _pk(self.queryset.model).get_prep_value(pk)
        alias = self.queryset.db
        if alias not in self._compiled:
            self._compiled[alias] = self._compile(alias)
        sql, compiler, converters, model, start, end, names, populators = self._compiled[alias]
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, [pk])
            found = cursor.fetchone()
        if found is None:
            return None
        row = next(iter(compiler.apply_converters([found], converters))) if converters else found
        obj: M = model.from_db(alias, names, row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        return obj


# Stand-ins for a Query's values while it is compiled: nothing a real query would hold.
_INT_MARKER = -7_700_000_000_000
_DATE_MARKER = dt.date(1, 1, 1)


def _marker(value: Any, n: int) -> Any:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | dt.date)
        or isinstance(value, dt.datetime)
    ):
        raise TypeError(f"a Query's values are ints or dates, not {type(value).__name__}")
    if isinstance(value, dt.date):
        return _DATE_MARKER + dt.timedelta(days=n)
    return _INT_MARKER - n


class Query:
    """The rows of ``build(*values)``, a queryset whose SQL depends only on which values are
    None (``x=None`` is ``IS NULL``): compiled once per database and such shape, with markers
    standing in for the values, then run with the values in the markers' places. Values are
    ints or dates (ids, days), each reaching the SQL as parameters of its own. Model rows come
    back as objects (with their ``select_related`` rows), ``values_list`` rows as tuples.
    Order and slice inside `build` as usual."""

    def __init__(self, build: Callable[..., QuerySet[Any, Any]]) -> None:
        self.build = build
        self._model: type[models.Model] | None = None
        self._compiled: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    def _compile(self, alias: str, values: tuple[Any, ...]) -> tuple[Any, ...]:
        markers = [None if v is None else _marker(v, n) for n, v in enumerate(values)]
        queryset = self.build(*markers).using(alias)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        places: list[tuple[int, int, bool]] = []  # (parameter, value, as text)
        for i, param in enumerate(params):
            for n, marker in enumerate(markers):
                if marker is not None and (param == marker or param == str(marker)):
                    places.append((i, n, param != marker))
        if {n for _i, n, _t in places} != {n for n, m in enumerate(markers) if m is not None}:
            raise ValueError("each of a Query's values must reach its SQL as a parameter")
        converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
        info = compiler.klass_info
        if info is None or queryset.query.values_select:  # values_list: plain rows
            return sql, list(params), places, compiler, converters, None
        start, end = info["select_fields"][0], info["select_fields"][-1] + 1
        names = [f[0].target.attname for f in compiler.select[start:end]]
        populators = get_related_populators(info, compiler.select, alias)  # type: ignore[call-arg]
        objects = (info["model"], start, end, names, populators)
        return sql, list(params), places, compiler, converters, objects

    def rows(self, *values: Any) -> list[Any]:
        """The rows for `values` (in `build`'s order)."""
        if self._model is None:
            self._model = self.build(*values).model
        alias = router.db_for_read(self._model)
        key = (alias, tuple(v is None for v in values))
        if key not in self._compiled:
            self._compiled[key] = self._compile(alias, values)
        sql, params, places, compiler, converters, objects = self._compiled[key]
        params = list(params)
        for i, n, as_text in places:
            params[i] = str(values[n]) if as_text else values[n]
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall()
        if converters:
            found = list(compiler.apply_converters(found, converters))
        if objects is None:
            return [tuple(r) for r in found]
        model, start, end, names, populators = objects
        result = []
        for row in found:
            obj = model.from_db(alias, names, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            result.append(obj)
        return result
