"""Multi-row INSERTs of plain values, for hot write paths where building a model instance per row costs more
than the row itself (the encounter batch: an encounter and its term links).

Values are converted for the database by the model's own fields (`get_db_prep_save`), so UUIDs, aware
datetimes and the like are stored exactly as the ORM stores them. Nothing else of `Model.save()` runs:
no `pre_save()` (so no auto_now) and no signals. Works on SQLite 3.35+ and PostgreSQL (RETURNING and
ON CONFLICT ... DO NOTHING on both).
"""

from __future__ import annotations

import datetime as dt
import functools
import sqlite3
import uuid
from collections.abc import Callable, Sequence

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.dateparse import parse_datetime

# PostgreSQL has no limit Django knows of, but its protocol numbers the parameters with 16 bits.
POSTGRES_MAX_PARAMS = 65535


def insert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence],
    *,
    returning: Sequence[str] = (),
    skip_conflicts_on: Sequence[str] | None = None,
) -> list[tuple]:
    """INSERT `rows` (values in the order of `columns`, which are field names or attnames like `site_id`).

    `skip_conflicts_on`: the columns of a unique constraint whose conflicting rows are skipped (ON CONFLICT
    ... DO NOTHING); an empty sequence skips a conflict with any. `returning`: columns to return for each
    row inserted (skipped rows return nothing), as the database gives them. As few statements as the
    database's limit on parameters allows.
    """
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    preps, head, tail, one = _statement(
        connection.alias,
        model,
        tuple(columns),
        tuple(returning),
        None if skip_conflicts_on is None else tuple(skip_conflicts_on),
    )
    per_statement = max(1, _max_params(connection) // len(preps))
    found: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = [prep(value, connection) for row in chunk for prep, value in zip(preps, row, strict=True)]
            cursor.execute(head + ", ".join([one] * len(chunk)) + tail, params)
            if returning:
                found.extend(cursor.fetchall())
    return found


@functools.lru_cache(maxsize=64)
def _statement(
    alias: str, model: type[models.Model], columns: tuple, returning: tuple, skip_conflicts_on: tuple | None
):
    """How each column's values are prepared, and the statement's parts: made once per shape."""
    connection = connections[alias]
    meta, quote = model._meta, connection.ops.quote_name
    fields = [meta.get_field(name) for name in columns]
    preps = tuple(_preparer(field, connection) for field in fields)
    names = ", ".join(quote(field.column) for field in fields)
    head = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES "  # noqa: S608 (the model's own quoted names)
    tail = ""
    if skip_conflicts_on is not None:
        target = ", ".join(quote(meta.get_field(name).column) for name in skip_conflicts_on)
        tail += f" ON CONFLICT ({target}) DO NOTHING" if target else " ON CONFLICT DO NOTHING"
    if returning:
        tail += " RETURNING " + ", ".join(quote(meta.get_field(name).column) for name in returning)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return preps, head, tail, one


INTEGER_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
}
Preparer = Callable[[object, BaseDatabaseWrapper], object]


def _preparer(field, connection) -> Preparer:
    """A value of the field as `field.get_db_prep_save(value, connection)` makes it, taking the short way for
    what the hot paths insert: None, an int for an integer column or a key to one, a str for a text column,
    an aware datetime (only the backend's adaptation is left to do) and a UUID, where the field's class
    prepares them as Django's own does. Anything else the long way."""
    save = field.get_db_prep_save
    target = field.target_field if field.is_relation else field
    if target.get_internal_type() in INTEGER_TYPES:
        return lambda value, connection: value if value is None or type(value) is int else save(value, connection)
    if _prepares_as(field, models.CharField) or _prepares_as(field, models.TextField):
        return lambda value, connection: value if value is None or type(value) is str else save(value, connection)
    if _prepares_as(field, models.DateTimeField):

        def moment(value, connection):
            if type(value) is dt.datetime and value.utcoffset() is not None:
                return connection.ops.adapt_datetimefield_value(value)
            return save(value, connection)

        return moment
    if _prepares_as(field, models.UUIDField):
        native = connection.features.has_native_uuid_field

        def key(value, connection):
            if type(value) is uuid.UUID:
                return value if native else value.hex
            return save(value, connection)

        return key
    return lambda value, connection: None if value is None else save(value, connection)


def _prepares_as(field, base: type[models.Field]) -> bool:
    """Whether the field is a `base` that prepares values for the database as `base` itself does."""
    kind = type(field)
    return isinstance(field, base) and all(
        getattr(kind, name) is getattr(base, name)
        for name in ("get_prep_value", "get_db_prep_value", "get_db_prep_save")
    )


def _max_params(connection) -> int:
    """Parameters one statement may carry: SQLite's own limit where Python can ask it (32766 since SQLite
    3.32; Django assumes 999 for older builds), else Django's figure, else PostgreSQL's protocol limit."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        getlimit = getattr(connection.connection, "getlimit", None)  # Python 3.11+
        if getlimit is not None:
            return getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.features.max_query_params or POSTGRES_MAX_PARAMS


def aware(moment: dt.datetime | str | None) -> dt.datetime | None:
    """A datetime column as a written-out query gives it: aware from PostgreSQL, naive UTC (or text) from
    SQLite, where the ORM would have converted it (USE_TZ: stored in UTC)."""
    if isinstance(moment, str):
        moment = parse_datetime(moment)
    if moment is None or timezone.is_aware(moment):
        return moment
    return moment.replace(tzinfo=dt.UTC)
