"""Inserting (and looking up) the rows every new ticket needs, without compiling SQL each time.

`Model.objects.create()` and `bulk_create()` build the statement anew for every call: for the
handful of small rows a new ticket needs (the ticket, its message, its events, its SOP run and
steps, its timers) that compiling cost more CPU than the database's own work. These helpers build
each statement once per model and column set and still prepare every value through its field,
so what is stored is exactly what `save()` would store.

They send no `pre_save`/`post_save` signals: use them only for models nothing listens to
(tests/core/test_rows.py checks the models that use them).

`select_where` is the same idea for the few lookups every received message makes (the sender's
address, for one): a fixed statement, rows converted as the ORM converts them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)


@cache
def _fields(model: type[Model], names: tuple[str, ...] | None) -> tuple[Field[Any, Any], ...]:
    """The columns written: the named fields, or every concrete field but an automatic key."""
    meta = model._meta
    if names is None:
        pk = meta.pk
        return tuple(
            f
            for f in meta.concrete_fields
            if not (f is pk and f.get_internal_type().endswith("AutoField"))
        )
    return tuple(meta.get_field(name) for name in names)  # type: ignore[misc]


@cache
def _statement(
    model: type[Model], names: tuple[str, ...] | None, vendor: str, rows: int, returning: bool
) -> str:
    """INSERT of `rows` rows; `vendor` keys the cache, as quoting belongs to the database."""
    quote = connection.ops.quote_name
    fields = _fields(model, names)
    columns = ", ".join(quote(str(f.column)) for f in fields)
    row = "({})".format(", ".join(["%s"] * len(fields)))  # noqa: UP032
    # Only the model's own table and column names are formatted in; values go as parameters.
    statement = "INSERT INTO {} ({}) VALUES {}".format(  # noqa: S608, UP032  # nosec B608
        quote(model._meta.db_table), columns, ", ".join([row] * rows)
    )
    if returning:
        statement += " RETURNING {}".format(quote(str(model._meta.pk.column)))  # noqa: UP032
    return statement


# Fields whose database value is the Python value itself when that is a plain str, int, bool
# or None; anything else (an enum member, a JSON field, a datetime) goes through the field.
_PLAIN_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "ForeignKey",
        "IntegerField",
        "OneToOneField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
    }
)
_PLAIN_VALUES = (str, int, bool, type(None))


@cache
def _kinds(fields: tuple[Field[Any, Any], ...]) -> tuple[str, ...]:
    kinds = []
    for f in fields:
        internal = f.get_internal_type()
        kinds.append("plain" if internal in _PLAIN_TYPES else internal)
    return tuple(kinds)


def _prepared(
    fields: tuple[Field[Any, Any], ...], values: Iterable[Any], db: BaseDatabaseWrapper
) -> list[Any]:
    """What `save()` would send for each value, without asking the field when the answer is
    the value itself: most of a new ticket's values are plain strings, numbers and times."""
    adapt_time = db.ops.adapt_datetimefield_value
    out = []
    for f, kind, value in zip(fields, _kinds(fields), values, strict=True):
        if kind == "plain" and type(value) in _PLAIN_VALUES:
            out.append(value)
        elif kind == "DateTimeField" and value is None:
            out.append(None)
        elif kind == "DateTimeField" and type(value) is datetime and value.tzinfo is not None:
            out.append(adapt_time(value))
        else:
            out.append(f.get_db_prep_save(value, db))
    return out


def _database() -> BaseDatabaseWrapper:
    # The connection itself, not the `connection` proxy: fields ask it for its operations
    # once per value, and every question to the proxy goes through a context-local lookup.
    return connections[DEFAULT_DB_ALIAS]


def insert_one(instance: M) -> M:
    """Store a new instance (every concrete field) and give it its primary key."""
    model = type(instance)
    fields = _fields(model, None)
    db = _database()
    params = _prepared(fields, [f.pre_save(instance, True) for f in fields], db)
    with db.cursor() as cursor:
        cursor.execute(_statement(model, None, db.vendor, 1, True), params)
        row = cursor.fetchone()
    instance.pk = row[0]
    instance._state.adding = False
    instance._state.db = DEFAULT_DB_ALIAS
    return instance


def insert_instances(instances: Sequence[Model]) -> None:
    """Store new instances of one model in one statement; their keys are not read back."""
    if not instances:
        return
    model = type(instances[0])
    fields = _fields(model, None)
    db = _database()
    rows = [_prepared(fields, [f.pre_save(obj, True) for f in fields], db) for obj in instances]
    _insert(model, None, rows, db)


def insert_values(model: type[Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Store rows given as plain values for the named fields (the others must allow NULL), in
    one statement. Each value is prepared by its field, as `save()` would prepare it."""
    key = tuple(names)
    fields = _fields(model, key)
    db = _database()
    _insert(model, key, [_prepared(fields, row, db) for row in rows], db)


# A new ticket writes a handful of rows per table; bigger batches go in slices of this many
# rows, well under SQLite's limit of 32766 parameters per statement.
_ROWS_PER_STATEMENT = 100


def _insert(
    model: type[Model],
    names: tuple[str, ...] | None,
    rows: list[list[Any]],
    db: BaseDatabaseWrapper,
) -> None:
    # One multi-row statement rather than executemany: one parse and one round trip.
    with db.cursor() as cursor:
        for first in range(0, len(rows), _ROWS_PER_STATEMENT):
            chunk = rows[first : first + _ROWS_PER_STATEMENT]
            statement = _statement(model, names, db.vendor, len(chunk), False)
            cursor.execute(statement, [value for row in chunk for value in row])


@cache
def _select_statement(model: type[Model], where: str, vendor: str) -> str:
    """SELECT of every concrete column; `vendor` keys the cache, as quoting belongs to it."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in model._meta.concrete_fields)
    # The model's own table and columns, and a condition written in code, never a value.
    return "SELECT {} FROM {} WHERE {}".format(  # noqa: S608, UP032  # nosec B608
        columns, quote(model._meta.db_table), where
    )


def select_where(
    model: type[M],
    where: str,
    params: Sequence[Any],
    *,
    order_by: str = "",
    limit: int = 0,
    for_update: bool = False,
) -> list[M]:
    """Instances of `model` whose rows match `where`: a condition over the model's own columns,
    written once in code with %s for each value (e.g. `'"kind" = %s AND "value" = %s'`).

    Every concrete field is read and converted as the ORM converts it, so the instances are the
    ones `Model.objects.filter()` would give. `order_by` is an ORDER BY list in the same SQL
    (`'"is_inline", "id"'`); `limit` > 0 adds a LIMIT. `for_update` locks the
    rows till the transaction ends where the database locks rows (SQLite locks the whole
    database for a writing transaction already).
    """
    db = _database()
    statement = _select_statement(model, where, db.vendor)
    if order_by:
        statement += f" ORDER BY {order_by}"
    if limit:
        statement += f" LIMIT {int(limit)}"
    if for_update and db.features.has_select_for_update:
        statement += " FOR UPDATE"
    with db.cursor() as cursor:
        cursor.execute(statement, list(params))
        rows = cursor.fetchall()
    if not rows:
        return []
    names, steps = _converters(model, db.alias, db.vendor)
    found = []
    for row in rows:
        values = list(row)
        for index, converters, column in steps:
            for convert in converters:
                values[index] = convert(values[index], column, db)
        found.append(model.from_db(db.alias, names, values))
    return found


def select_by_pk(model: type[M], pk: Any, *, for_update: bool = False) -> M:
    """The instance with this primary key, as `Model.objects.get(pk=pk)` gives it (see
    `select_where`); raises the model's DoesNotExist when there is none."""
    where = "{} = %s".format(connection.ops.quote_name(str(model._meta.pk.column)))  # noqa: UP032
    found = select_where(model, where, [pk], for_update=for_update)
    if not found:
        raise model.DoesNotExist(f"{model._meta.object_name} {pk} does not exist")  # type: ignore[attr-defined]
    return found[0]


@cache
def _converters(
    model: type[Model], alias: str, vendor: str
) -> tuple[list[str], list[tuple[int, list[Any], Any]]]:
    """The attribute names of the model's columns, and for each column whose database value
    needs converting (a time on SQLite, a JSON field) the converters the ORM would apply.

    Kept per alias: the backend's converters read only settings (the time zone) from the
    connection they were taken from, and are handed the one in use on each call."""
    db = connections[alias]
    fields = model._meta.concrete_fields
    steps = []
    for index, f in enumerate(fields):
        column = f.get_col(model._meta.db_table)
        found = db.ops.get_db_converters(column) + column.get_db_converters(db)
        if found:
            steps.append((index, found, column))
    return [f.attname for f in fields], steps
