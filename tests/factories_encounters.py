"""Builders for the encounters app: sessions, encounters, terms and API tokens."""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from kohtaamo.directory.models import Site
from kohtaamo.encounters import tokens
from kohtaamo.encounters.models import ApiToken, Encounter, Session, Term, TermKind, truncate_to_hour
from kohtaamo.lib.hours import HELSINKI


def today() -> dt.date:
    return timezone.now().astimezone(HELSINKI).date()


def session(site: Site, *, starts_at: dt.datetime | None = None, **fields) -> Session:
    """A session that started this hour (so "now" is in it), unless told otherwise."""
    starts_at = starts_at or truncate_to_hour(timezone.now())
    fields.setdefault("date", starts_at.astimezone(HELSINKI).date())
    fields.setdefault("kind", Session.Kind.AD_HOC)
    return Session.objects.create(site=site, starts_at=starts_at, **fields)


def term(code: str, kind: str = TermKind.TOPIC) -> Term:
    return Term.objects.get(kind=kind, code=code)


def encounter(in_session: Session, *, by=None, topics=("housing",), occurred_at=None, **fields) -> Encounter:
    created = Encounter.objects.create(
        client_uuid=fields.pop("client_uuid", uuid.uuid4()),
        session=in_session,
        site=in_session.site,
        occurred_at=occurred_at or in_session.starts_at,
        created_by=by,
        **fields,
    )
    created.topics.set(Term.objects.filter(kind=TermKind.TOPIC, code__in=topics))
    return created


def county_term(code: str, county, kind: str = TermKind.TOPIC) -> Term:
    from kohtaamo.directory.models import WellbeingServicesCounty

    county = WellbeingServicesCounty.objects.get(code=county) if isinstance(county, str) else county
    return Term.objects.create(kind=kind, code=code, label=code, label_fi=code, county=county)


def api_token(user, name: str = "phone") -> tuple[ApiToken, str]:
    return tokens.api_token_create(actor=user, name=name)
