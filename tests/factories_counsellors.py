"""Builders for the counsellors app: profiles, templates, teams and shifts."""

from __future__ import annotations

import datetime as dt

from kohtaamo.counsellors.models import (
    CounsellorProfile,
    LawfulBasis,
    OnboardingTemplate,
    OnboardingTemplateItem,
    Participation,
    Shift,
    Team,
)
from kohtaamo.directory.models import WellbeingServicesCounty
from tests import factories as f

START = dt.date(2026, 1, 5)


def county(code: str = f.PIRKANMAA) -> WellbeingServicesCounty:
    return WellbeingServicesCounty.objects.get(code=code)


def profile(user=None, *, county_code: str = f.PIRKANMAA, **fields) -> CounsellorProfile:
    fields.setdefault("full_name", "Maija Meikäläinen")
    fields.setdefault("email", "maija.meikalainen@example.fi")
    fields.setdefault("phone", "040 765 4321")
    fields.setdefault("lawful_basis", LawfulBasis.CONSENT)
    fields.setdefault("consent_given_on", START)
    fields.setdefault("started_on", START)
    created = CounsellorProfile(user=user, county=county(county_code), **fields)
    created.full_clean()
    created.save()
    return created


def participation(profile: CounsellorProfile, basis="volunteer", starts_on=START, ends_on=None, **fields):
    return Participation.objects.create(profile=profile, basis=basis, starts_on=starts_on, ends_on=ends_on, **fields)


def template(county_code: str = f.PIRKANMAA, *, items=(("Tutustuminen toimipaikkaan", 0), ("Vaitiolo", 7))):
    created = OnboardingTemplate.objects.create(county=county(county_code), name=f"Perehdytys {county_code}")
    for order, (title, days) in enumerate(items):
        OnboardingTemplateItem.objects.create(template=created, title=title, due_after_days=days, order=order)
    return created


def team(county_code: str = f.PIRKANMAA, **fields) -> Team:
    fields.setdefault("name", "Sosiaali- ja terveysneuvonta")
    return Team.objects.create(county=county(county_code), **fields)


def shift(session, user, **fields) -> Shift:
    return Shift.objects.create(session=session, user=user, **fields)
