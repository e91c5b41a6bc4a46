"""Small lookups that every logged-in request makes, and model instances from rows, without the ORM's query building.

For a lookup this small, building and compiling the query costs the ORM about ten times what SQLite takes to
answer it (`python -m bench.profile`), and each logged-in page makes a few of them. The SQL is made once per
model and columns from the model's metadata, quoted by the database backend; the values are parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from django.db import connections, router
from django.db.models import DateTimeField, Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

from kohtaamo.lib.bulk import aware


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


@cache
def columns(model: type[Model], alias: str, table: str = "") -> str:
    """The model's concrete columns, quoted and comma-separated (each `table.`-prefixed when a table alias is
    given), in the order `instance()` reads a row of them."""
    quote = connections[alias].ops.quote_name
    prefix = f"{table}." if table else ""
    return ", ".join(prefix + quote(field.column) for field in model._meta.concrete_fields)


def instance(model: type[Model], alias: str, values: Sequence) -> Model:
    """A model instance, as the ORM would make it, from a row of `columns(model)` read with a written-out query.

    The database's own adapters already give dates, booleans and numbers; datetimes are made aware here as the
    ORM would (SQLite hands them back naive, in UTC). For a model whose fields are set plainly and that has no
    receivers of pre_init or post_init, the attributes are set as Model.__init__ would set them, without its
    walk over the fields (a fifth of the time).
    """
    names, moments, plain = _shape(model)
    values = [aware(value) if moment else value for value, moment in zip(values, moments, strict=True)]
    if not plain or pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model.from_db(alias, names, values)
    made = model.__new__(model)
    state = made._state = ModelState()
    state.adding, state.db = False, alias
    made.__dict__.update(zip(names, values, strict=True))
    return made


@cache
def _shape(model: type[Model]) -> tuple[list[str], tuple[bool, ...], bool]:
    """The attnames, which are datetimes, and whether instance() may set them plainly: Model's own __init__ and
    from_db, and every field's attribute a plain deferred one (a foreign key's id too: set on a fresh instance,
    it only stores the value)."""
    fields = model._meta.concrete_fields
    plain = (
        model.__init__ is Model.__init__
        and model.from_db.__func__ is Model.from_db.__func__
        and all(type(_attribute(model, field.attname)) in PLAIN_ATTRIBUTES for field in fields)
    )
    return [field.attname for field in fields], tuple(isinstance(field, DateTimeField) for field in fields), plain


PLAIN_ATTRIBUTES = (DeferredAttribute, ForeignKeyDeferredAttribute)


def _attribute(model: type[Model], name: str):
    for klass in model.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    return None
