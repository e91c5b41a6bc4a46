"""Small lookups that every logged-in request makes, without the ORM's query building.

For a lookup this small, building and compiling the query costs the ORM about ten times what SQLite takes to
answer it (`python -m bench.profile`), and each logged-in page makes a few of them. The SQL is made once per
model and columns from the model's metadata, quoted by the database backend; the values are parameters.
"""

from __future__ import annotations

from functools import cache

from django.db import connections, router
from django.db.models import Model


def exists(model: type[Model], **equal) -> bool:
    """`model.objects.filter(**equal).exists()` for plain fields (a foreign key by its id), in one small query."""
    alias = router.db_for_read(model)
    connection = connections[alias]
    fields = [model._meta.get_field(name) for name in equal]
    params = [field.get_db_prep_value(value, connection) for field, value in zip(fields, equal.values(), strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(_exists_sql(model, tuple(equal), alias), params)
        return cursor.fetchone() is not None


@cache
def _exists_sql(model: type[Model], names: tuple[str, ...], alias: str) -> str:
    quote = connections[alias].ops.quote_name
    where = " AND ".join(f"{quote(model._meta.get_field(name).column)} = %s" for name in names)
    return f"SELECT 1 FROM {quote(model._meta.db_table)} WHERE {where} LIMIT 1"  # noqa: S608 (names quoted, values bound)
