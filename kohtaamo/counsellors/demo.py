"""Demo data for the counsellor's path: a template, demo-counsellor's profile, a team and next week's rota.

Called from kohtaamo.directory.demo.load_demo after the logins exist. Idempotent: rows are found by
natural keys and created only when missing, so a second load changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from kohtaamo.counsellors import services
from kohtaamo.counsellors.models import (
    CounsellorProfile,
    LawfulBasis,
    MemberBasis,
    OnboardingTemplate,
    OnboardingTemplateItem,
    Participation,
    Shift,
    Team,
    TeamMember,
)
from kohtaamo.directory.models import Organisation, WellbeingServicesCounty
from kohtaamo.encounters import sessions
from kohtaamo.lib import hours

TEMPLATE_ITEMS = [
    ("Tutustuminen toimipaikkaan ja työyhteisöön", 0),
    ("Vaitiolovelvollisuus ja tietosuoja", 0),
    ("Työn rajaus: mitä yhteisöneuvoja tekee ja mitä ei", 7),
    ("Palvelujärjestelmä: Kela, sote-keskus, aikuissosiaalityö", 14),
    ("Ensimmäinen työvuoro työparin kanssa", 14),
    ("Jaksamisen tuki ja työnohjaus", 30),
]


def load_counsellor_demo(*, today: dt.date) -> None:
    users = {user.username: user for user in get_user_model().objects.filter(username__startswith="demo-")}
    coordinator, counsellor, professional = (
        users["demo-coordinator"],
        users["demo-counsellor"],
        users["demo-professional"],
    )
    pirkanmaa = coordinator.county
    template = _template(pirkanmaa)
    if not CounsellorProfile.objects.filter(user=counsellor).exists():
        profile = CounsellorProfile(
            user=counsellor,
            county=pirkanmaa,
            full_name="Demo Neuvoja",
            email="demo-counsellor@example.invalid",
            lawful_basis=LawfulBasis.CONSENT,
            consent_given_on=today - dt.timedelta(days=60),
            started_on=today - dt.timedelta(days=60),
        )
        services.profile_create(actor=coordinator, profile=profile, sites=counsellor.sites.all(), template=template)
        Participation.objects.create(
            profile=profile,
            basis="rehabilitative_work",
            organiser=Organisation.objects.filter(name_fi="Tampereen kaupunki").first(),
            starts_on=profile.started_on,
        )
    _team(pirkanmaa, coordinator, counsellor)
    _rota(coordinator, counsellor, professional, today)


def _template(county: WellbeingServicesCounty) -> OnboardingTemplate:
    template, created = OnboardingTemplate.objects.get_or_create(county=county, name="Yhteisöneuvojan perehdytys")
    if created:
        for order, (title, days) in enumerate(TEMPLATE_ITEMS):
            OnboardingTemplateItem.objects.create(template=template, title=title, due_after_days=days, order=order)
    return template


def _team(county, coordinator, counsellor) -> None:
    team, created = Team.objects.get_or_create(
        county=county,
        name="Sosiaali- ja terveysneuvonta",
        defaults={"responsibility": "Yhteisöneuvonta Hervannassa ja Nekalassa, jatko-ohjaus sote-keskuksiin."},
    )
    if created:
        employer = Organisation.objects.filter(name_fi="Tampereen kaupunki").first()
        TeamMember.objects.create(
            team=team, user=coordinator, basis=MemberBasis.PERMANENT_EMPLOYEE, employer=employer, is_responsible=True
        )
        TeamMember.objects.create(team=team, user=counsellor, basis=MemberBasis.REHABILITATIVE_WORK)


def _rota(coordinator, counsellor, professional, today: dt.date) -> None:
    """Next week: the counsellor at every session of their sites, the professional at all but the last one."""
    monday = hours.monday(today) + dt.timedelta(days=7)
    days = [monday + dt.timedelta(days=offset) for offset in range(7)]
    planned = sessions.sessions_plan(actor=coordinator, sites=list(counsellor.sites.all()), days=days)
    planned.sort(key=lambda session: session.starts_at)
    for index, session in enumerate(planned):
        Shift.objects.get_or_create(session=session, user=counsellor, defaults={"planned_by": coordinator})
        # One session is left without a professional on purpose: the rota page warns of it.
        if index < len(planned) - 1:
            Shift.objects.get_or_create(session=session, user=professional, defaults={"planned_by": coordinator})
