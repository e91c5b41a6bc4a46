"""Personal API tokens: created and revoked by their owner, stored only as a SHA-256 hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from kohtaamo.audit.services import log_action
from kohtaamo.encounters.models import ApiToken

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
    """The active user a token belongs to, or None for an unknown, revoked or disabled one."""
    if not raw.startswith(PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=token_hash(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
