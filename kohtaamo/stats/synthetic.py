"""Realistic synthetic encounters for demos and benchmarks: seasons, weekdays, big and small sites, a mix of matters.

Deterministic for a seed. Writes through bulk_create (no services, no audit): it is test data, and a
year of it must load in seconds. The rollups pick it up through their watermark.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from dataclasses import dataclass

from django.db import transaction

from kohtaamo.directory.models import Site
from kohtaamo.encounters.models import Coping, Encounter, Session, Term, TermKind, Wish
from kohtaamo.lib.hours import local

# Relative frequencies, after the matters the seeds name most often (e-services, benefits, forms, housing).
TOPIC_WEIGHTS = {
    "e_services": 15, "benefits": 14, "forms": 10, "housing": 10, "rent_bills": 8, "employment": 7,
    "loneliness": 7, "health": 6, "integration_language": 6, "debt_money": 5, "mental_wellbeing": 5,
    "activities": 4, "substance_use": 3, "family": 3, "other": 3, "studies": 2,
}  # fmt: skip
WEEKDAY_WEIGHTS = [1.0, 1.1, 1.15, 1.1, 0.9, 0.25, 0.15]  # Monday first: drop-in desks are open on weekdays
COPING_WEIGHTS = {None: 55, Coping.MUCH_BETTER: 15, Coping.BETTER: 20, Coping.SAME_OR_LESS: 6, Coping.NOT_APPLICABLE: 4}
WISHES = ["Lisää penkkejä puistoon", "Iltaisin auki", "Ruoka-apua useammin", "Kerhotila nuorille", "Parempi valaistus"]
BATCH = 5000


def season(day: dt.date) -> float:
    """Busy in autumn and spring, quiet in July and around Christmas."""
    if day.month == 7:
        return 0.35
    if (day.month == 12 and day.day >= 20) or (day.month == 1 and day.day <= 6):
        return 0.4
    return 1.0 + 0.15 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 290) / 365)


@dataclass(frozen=True)
class Generated:
    sessions: int
    encounters: int
    wishes: int


def _terms(kind: str) -> dict[str, Term]:
    return {term.code: term for term in Term.objects.of_kind(kind).filter(county=None, active=True)}


@transaction.atomic
def encounters_generate(*, count: int, seed: int, days: int = 365, end: dt.date | None = None) -> Generated:
    """About `count` encounters over the `days` days up to `end` (yesterday by default) at the existing sites."""
    rng = random.Random(seed)  # noqa: S311 -- reproducible test data, not secrets
    sites = list(Site.objects.prefetch_related("organisations").order_by("pk"))
    if not sites or count <= 0:
        return Generated(0, 0, 0)
    end = end or dt.date.today() - dt.timedelta(days=1)
    calendar = [end - dt.timedelta(days=n) for n in range(days)]
    day_weights = [WEEKDAY_WEIGHTS[day.weekday()] * season(day) for day in calendar]
    site_weights = [rng.lognormvariate(0, 0.9) for _ in sites]  # a few big centres, many small points
    topics, help_forms, referrals, more_info = (_terms(k) for k in ("topic", "help_form", "referral", "more_info"))
    themes = list(_terms(TermKind.WISH_THEME).values())
    topic_codes = [code for code in TOPIC_WEIGHTS if code in topics]
    topic_weights = [TOPIC_WEIGHTS[code] for code in topic_codes]

    # Where and when each encounter happens, then one session per site and day.
    placed = sorted(
        zip(
            rng.choices(range(len(sites)), site_weights, k=count),
            rng.choices(calendar, day_weights, k=count),
            strict=True,
        )
    )
    per_session: dict[tuple[int, dt.date], int] = {}
    for key in placed:
        per_session[key] = per_session.get(key, 0) + 1
    existing = set(Session.objects.filter(date__range=(calendar[-1], end)).values_list("site_id", "starts_at"))
    sessions = []
    for (index, day), n in per_session.items():
        starts = local(day, dt.time(9))
        if (sites[index].pk, starts) in existing:
            continue
        sessions.append(
            Session(
                site=sites[index],
                kind=Session.Kind.SCHEDULED,
                date=day,
                starts_at=starts,
                ends_at=local(day, dt.time(16)),
                visitor_count=n + rng.randint(0, max(1, n // 2)),  # not every visitor is counselled
            )
        )
    Session.objects.bulk_create(sessions, batch_size=BATCH)
    # PostgreSQL and SQLite (3.35+) return the new ids from bulk_create.
    made = {(session.site_id, session.date): session for session in sessions}
    by_pk = {site.pk: site for site in sites}
    partner_links = []
    for session in made.values():
        organisations = list(by_pk[session.site_id].organisations.all())
        if organisations and rng.random() < 0.6:
            partner_links += [
                Session.partners.through(session_id=session.pk, organisation_id=org.pk)
                for org in rng.sample(organisations, k=rng.randint(1, len(organisations)))
            ]
    Session.partners.through.objects.bulk_create(partner_links, batch_size=BATCH, ignore_conflicts=True)

    encounters, links, wishes = [], [], []
    for (index, day), n in per_session.items():
        session = made.get((sites[index].pk, day))
        if session is None:
            continue
        for _ in range(n):
            encounter = Encounter(
                client_uuid=uuid.UUID(int=rng.getrandbits(128)),
                session=session,
                site_id=session.site_id,
                occurred_at=local(day, dt.time(rng.choice([9, 10, 10, 11, 11, 12, 13, 14, 15]))),
                coping=rng.choices(list(COPING_WEIGHTS), list(COPING_WEIGHTS.values()))[0],
            )
            picked = rng.choices(topic_codes, topic_weights, k=rng.choice([1, 1, 1, 2, 2, 3]))
            chosen = {
                "topics": [topics[code] for code in dict.fromkeys(picked)],
                "help_forms": rng.sample(list(help_forms.values()), k=1) if help_forms else [],
                "referrals": rng.sample(list(referrals.values()), k=1) if referrals and rng.random() < 0.2 else [],
                "more_info": rng.sample(list(more_info.values()), k=1) if more_info and rng.random() < 0.15 else [],
            }  # fmt: skip
            encounters.append(encounter)
            links.append(chosen)
            if themes and rng.random() < 0.03:
                wishes.append((session, rng.choice(WISHES), rng.choice(themes)))
    Encounter.objects.bulk_create(encounters, batch_size=BATCH)
    for name in ("topics", "help_forms", "referrals", "more_info"):
        through = getattr(Encounter, name).through
        rows = [
            through(encounter_id=e.pk, term_id=t.pk)
            for e, chosen in zip(encounters, links, strict=True)
            for t in chosen[name]
        ]
        through.objects.bulk_create(rows, batch_size=BATCH)
    for session, text, theme in wishes:
        wish = Wish.objects.create(
            client_uuid=uuid.UUID(int=rng.getrandbits(128)), session=session, site_id=session.site_id, text=text
        )
        wish.themes.add(theme)
    return Generated(sessions=len(made), encounters=len(encounters), wishes=len(wishes))
