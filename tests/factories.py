"""Test data builders: small functions with sensible defaults, overridable by keyword."""

from __future__ import annotations

import datetime as dt
import itertools

from kohtaamo.accounts.models import Role, User
from kohtaamo.directory.models import Municipality, OpeningException, OpeningRule, Organisation, Site

PASSWORD = "correct-horse-battery-staple"
_counter = itertools.count(1)

# Statistics Finland codes used across the tests (kohtaamo/directory/data: Pirkanmaa is 08, Varsinais-Suomi 05).
PIRKANMAA, VARSINAIS_SUOMI = "08", "05"
TAMPERE, NOKIA, RAISIO = "837", "536", "680"


def municipality(code: str = TAMPERE) -> Municipality:
    return Municipality.objects.get(code=code)


def organisation(**fields) -> Organisation:
    fields.setdefault("name", f"Organisation {next(_counter)}")
    fields.setdefault("kind", Organisation.Kind.NGO)
    return Organisation.objects.create(**fields)


def site(*, organisations=(), languages=(), **fields) -> Site:
    fields.setdefault("name", f"Site {next(_counter)}")
    fields.setdefault("kind", Site.Kind.MEETING_PLACE)
    if "municipality" not in fields:
        fields["municipality"] = municipality()
    created = Site.objects.create(**fields)
    created.organisations.set(organisations)
    if languages:
        from kohtaamo.directory.models import Language

        created.languages.set(Language.objects.filter(code__in=languages))
    return created


def rule(site: Site, *, weekdays=(1,), starts="09:00", ends="12:00", partners=(), **fields) -> OpeningRule:
    created = OpeningRule.objects.create(
        site=site,
        weekdays=list(weekdays),
        starts=dt.time.fromisoformat(starts),
        ends=dt.time.fromisoformat(ends),
        **fields,
    )
    created.partners.set(partners)
    return created


def exception(site: Site, day: dt.date, *, closed=True, starts=None, ends=None, **fields) -> OpeningException:
    return OpeningException.objects.create(
        site=site,
        date=day,
        closed=closed,
        starts=dt.time.fromisoformat(starts) if starts else None,
        ends=dt.time.fromisoformat(ends) if ends else None,
        **fields,
    )


def user(username: str | None = None, *, role=Role.VIEWER, county=None, municipality=None, sites=(), **fields) -> User:
    from kohtaamo.directory.models import WellbeingServicesCounty

    created = User.objects.create_user(
        username=username or f"user{next(_counter)}",
        password=PASSWORD,
        role=role,
        county=WellbeingServicesCounty.objects.get(code=county) if isinstance(county, str) else county,
        municipality=Municipality.objects.get(code=municipality) if isinstance(municipality, str) else municipality,
        **fields,
    )
    created.sites.set(sites)
    return created
