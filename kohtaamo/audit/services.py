"""Write audit entries. Call `log_action` from every service that changes staff-managed data."""

from __future__ import annotations

import datetime as dt
import decimal

from django.db import models
from django.forms.models import model_to_dict

from kohtaamo.audit.models import LogEntry


def _jsonable(value):
    if isinstance(value, (dt.date, dt.time, dt.datetime, decimal.Decimal)):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, set)):
        return sorted((_jsonable(v) for v in value), key=str)
    return value


def snapshot(obj: models.Model) -> dict:
    """The object's field values (many-to-many as lists of ids), ready to compare and store."""
    data = model_to_dict(obj)
    return {key: _jsonable(value) for key, value in data.items()}


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for each field that changed."""
    keys = before.keys() | after.keys()
    return {key: [before.get(key), after.get(key)] for key in sorted(keys) if before.get(key) != after.get(key)}


def log_action(actor, action: str, obj: models.Model | None = None, **data) -> LogEntry:
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return LogEntry.objects.create(
        actor=actor if authenticated else None,
        actor_name=actor.get_username() if authenticated else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        data={key: _jsonable(value) for key, value in data.items()},
    )
