"""Personal API tokens: created and revoked by their owner, stored only as a SHA-256 hash."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets

from django.db import connection, transaction
from django.utils import timezone

from kohtaamo.audit.services import log_action
from kohtaamo.encounters.models import ApiToken
from kohtaamo.lib import bulk, rows

PREFIX = "kht_"
# Writing last_used_at on every request would make each API call a write; a few minutes' precision is plenty.
LAST_USED_PRECISION = dt.timedelta(minutes=5)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor, name: str) -> tuple[ApiToken, str]:
    """A new token for the actor: the row, and the token itself, which is never stored or shown again."""
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=actor, name=name.strip()[:100], token_hash=token_hash(raw), prefix=raw[:10])
    token.full_clean()
    token.save()
    log_action(actor, "api_token.create", token)
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        log_action(actor, "api_token.revoke", token)
    return token


def api_token_user(raw: str):
    """The active user a token belongs to, or None for an unknown, revoked or disabled one.

    Every API request asks, so this is one query by the unique index on the hash, written out rather
    than built by the ORM, that reads the user with the token's id and last use beside it.
    """
    if not raw.startswith(PREFIX):
        return None
    found = _token_owner(token_hash(raw))
    if found is None:
        return None
    user, token_id, last_used = found
    now = timezone.now()
    if last_used is None or now - last_used > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return user


def _token_owner(hashed: str):
    """(user, token id, token's last use) for an active token's hash, or None. The user is made from the row
    as the ORM would make it (kohtaamo/lib/rows.py): a raw() queryset cost more than the query itself."""
    from kohtaamo.accounts.models import User

    with connection.cursor() as cursor:
        cursor.execute(_owner_sql(), [hashed, True])
        row = cursor.fetchone()
    if row is None:
        return None
    *values, token_id, last_used = row
    return rows.instance(User, connection.alias, values), token_id, bulk.aware(last_used)


@functools.cache
def _owner_sql() -> str:
    from kohtaamo.accounts.models import User

    quote = connection.ops.quote_name
    user, token = User._meta, ApiToken._meta
    u = {name: "u." + quote(user.get_field(name).column) for name in ("id", "is_active")}
    t = {name: "t." + quote(token.get_field(name).column) for name in ("id", "user", "last_used_at", "token_hash")}
    t["revoked_at"] = "t." + quote(token.get_field("revoked_at").column)
    return (
        f"SELECT {rows.columns(User, connection.alias, 'u')}, {t['id']}, {t['last_used_at']} "  # noqa: S608 (quoted names)
        f"FROM {quote(token.db_table)} t JOIN {quote(user.db_table)} u ON {u['id']} = {t['user']} "
        f"WHERE {t['token_hash']} = %s AND {t['revoked_at']} IS NULL AND {u['is_active']} = %s"
    )
