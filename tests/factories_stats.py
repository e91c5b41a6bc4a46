"""Builders for the statistics tests: many encounters at once, on a chosen day, with chosen matters."""

from __future__ import annotations

import datetime as dt
import uuid

from kohtaamo.directory.models import Site
from kohtaamo.encounters.models import Encounter, Session, Term, TermKind, Wish
from kohtaamo.lib.hours import local


def session(site: Site, day: dt.date, *, hour: int = 10, visitors: int = 0, partners=()) -> Session:
    """The site's session at `hour` on `day`, made once."""
    made, _created = Session.objects.get_or_create(
        site=site,
        starts_at=local(day, dt.time(hour)),
        defaults={"date": day, "kind": Session.Kind.AD_HOC, "visitor_count": visitors},
    )
    if partners:
        made.partners.set(partners)
    return made


def encounters(
    site: Site,
    day: dt.date,
    count: int,
    *,
    topics=("housing",),
    referrals=(),
    coping: str | None = None,
    hour: int = 10,
    partners=(),
) -> list[Encounter]:
    """`count` encounters in the site's session on `day`, each with the same matters and answers."""
    in_session = session(site, day, hour=hour, partners=partners)
    made = Encounter.objects.bulk_create(
        [
            Encounter(
                client_uuid=uuid.uuid4(),
                session=in_session,
                site=site,
                occurred_at=in_session.starts_at,
                coping=coping,
            )
            for _ in range(count)
        ]
    )
    for name, kind, codes in (("topics", TermKind.TOPIC, topics), ("referrals", TermKind.REFERRAL, referrals)):
        terms = list(Term.objects.filter(kind=kind, code__in=codes))
        through = getattr(Encounter, name).through
        through.objects.bulk_create([through(encounter_id=e.pk, term_id=t.pk) for e in made for t in terms])
    return made


def wish(site: Site, day: dt.date, *, themes=(), text: str = "Lisää penkkejä puistoon") -> Wish:
    made = Wish.objects.create(client_uuid=uuid.uuid4(), session=session(site, day), site=site, text=text)
    made.themes.set(Term.objects.filter(kind=TermKind.WISH_THEME, code__in=themes))
    return made
