"""Inserting the rows every new ticket writes, without compiling the INSERT each time.

`Model.objects.create()` and `bulk_create()` build the statement anew for every call: for the
handful of small rows a new ticket needs (the ticket, its message, its events, its SOP run and
steps, its timers) that compiling cost more CPU than the database's own work. These helpers build
each statement once per model and column set and still prepare every value through its field,
so what is stored is exactly what `save()` would store.

They send no `pre_save`/`post_save` signals: use them only for models nothing listens to
(tests/core/test_rows.py checks the models that use them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection
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
    model: type[Model], names: tuple[str, ...] | None, vendor: str, returning: bool
) -> str:
    quote = connection.ops.quote_name
    fields = _fields(model, names)
    columns = ", ".join(quote(str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    # Only the model's own table and column names are formatted in; values go as parameters.
    statement = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608, UP032  # nosec B608
        quote(model._meta.db_table), columns, marks
    )
    if returning:
        statement += " RETURNING {}".format(quote(str(model._meta.pk.column)))  # noqa: UP032
    return statement


def insert_one(instance: M) -> M:
    """Store a new instance (every concrete field) and give it its primary key."""
    model = type(instance)
    fields = _fields(model, None)
    params = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(_statement(model, None, connection.vendor, True), params)
        row = cursor.fetchone()
    instance.pk = row[0]
    instance._state.adding = False
    instance._state.db = DEFAULT_DB_ALIAS
    return instance


def insert_instances(instances: Sequence[Model]) -> None:
    """Store new instances of one model in one round trip; their keys are not read back."""
    if not instances:
        return
    model = type(instances[0])
    fields = _fields(model, None)
    rows = [
        [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in instances
    ]
    with connection.cursor() as cursor:
        cursor.executemany(_statement(model, None, connection.vendor, False), rows)


def insert_values(model: type[Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Store rows given as plain values for the named fields (the others must allow NULL), in
    one round trip. Each value is prepared by its field, as `save()` would prepare it."""
    key = tuple(names)
    fields = _fields(model, key)
    prepared = [
        [f.get_db_prep_save(value, connection) for f, value in zip(fields, row, strict=True)]
        for row in rows
    ]
    if not prepared:
        return
    with connection.cursor() as cursor:
        cursor.executemany(_statement(model, key, connection.vendor, False), prepared)
