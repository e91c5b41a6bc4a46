"""Django's database sessions, read with one small query (SESSION_ENGINE = "kohtaamo.accounts.sessions").

Every logged-in request reads its session first. The table, the rows and what is stored are Django's own, and
so is everything but the read: the ORM's query building costs about ten times what SQLite takes to answer
(kohtaamo/lib/rows.py).
"""

from __future__ import annotations

from functools import cache

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        model = self.model
        alias = router.db_for_read(model)
        connection = connections[alias]
        now = model._meta.get_field("expire_date").get_db_prep_value(timezone.now(), connection)
        with connection.cursor() as cursor:
            cursor.execute(_select(model, alias), [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=self.session_key, session_data=row[0])


@cache
def _select(model, alias: str) -> str:
    quote = connections[alias].ops.quote_name
    column = {
        name: quote(model._meta.get_field(name).column) for name in ("session_data", "session_key", "expire_date")
    }
    # Names from the model's metadata, quoted by the backend; the values are parameters.
    table = quote(model._meta.db_table)
    where = f"{column['session_key']} = %s AND {column['expire_date']} > %s"
    return f"SELECT {column['session_data']} FROM {table} WHERE {where}"  # noqa: S608
