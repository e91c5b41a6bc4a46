"""The counsellor's personal data: export, erasure that leaves nothing identifying, the view log, retention."""

import datetime as dt
import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models

from kohtaamo.counsellors import gdpr, services
from kohtaamo.counsellors.models import CheckIn, Competence, CounsellorProfile, HoursEntry, ProfileView
from tests import factories_counsellors as fc

pytestmark = pytest.mark.django_db

IDENTITY = ["Maija Meikäläinen", "maija.meikalainen@example.fi", "040 765 4321", "maijam"]


@pytest.fixture
def maija(db, tampere_site):
    from kohtaamo.accounts.models import Role
    from tests import factories as f

    user = f.user("maijam", role=Role.COUNSELLOR, sites=[tampere_site], email="maija.meikalainen@example.fi")
    profile = fc.profile(user)
    fc.participation(profile, "wage_subsidy")
    Competence.objects.create(
        profile=profile, what="Vertaistuki", recognised_on=fc.START, evidence="Maija ohjasi ryhmää"
    )
    CheckIn.objects.create(profile=profile, date=fc.START, coping=3, note="Maija jaksaa hyvin")
    HoursEntry.objects.create(profile=profile, date=fc.START, hours=2, what="Maijan talkoot")
    return profile


def test_bob_exports_everything_about_himself_as_json(as_user, bob):
    profile = fc.profile(bob)
    response = as_user(bob).get(f"/counsellors/{profile.pk}/export.json")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["profile"]["full_name"] == "Maija Meikäläinen"
    assert data["login"]["username"] == "bob"
    assert {"bases_of_taking_part", "onboarding", "coping_check_ins", "staff_views_of_profile"} <= data.keys()


def test_alice_exports_a_profile_as_pdf(as_user, alice, maija):
    response = as_user(alice).get(f"/counsellors/{maija.pk}/export.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_every_staff_view_of_a_profile_is_logged_and_shown_to_the_person(as_user, alice, bob):
    profile = fc.profile(bob)
    as_user(alice).get(f"/counsellors/{profile.pk}/")
    as_user(bob).get(f"/counsellors/{profile.pk}/")  # one's own view is not a staff view
    assert list(ProfileView.objects.values_list("viewer_name", flat=True)) == ["alice"]
    page = as_user(bob).get(f"/counsellors/{profile.pk}/")
    assert [view.viewer_name for view in page.context["views"]] == ["alice"]


def test_after_erasure_nothing_identifying_remains_in_any_table(as_user, alice, maija):
    as_user(alice).get(f"/counsellors/{maija.pk}/")
    maija_client = as_user(maija.user)
    maija_client.get(f"/counsellors/{maija.pk}/")
    services.feed_for(maija.user)
    response = as_user(alice).post(f"/counsellors/{maija.pk}/erase/", {"confirm": "erase"})
    assert response.status_code == 302

    found = []
    for model in apps.get_models():
        text_fields = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, (models.CharField, models.TextField, models.JSONField))
        ]
        for row in model._default_manager.values(*text_fields):
            for name, value in row.items():
                if any(needle.lower() in json.dumps(value, ensure_ascii=False).lower() for needle in IDENTITY):
                    found.append(f"{model._meta.label}.{name}: {value!r}")
                if "maija" in json.dumps(value, ensure_ascii=False).lower():
                    found.append(f"{model._meta.label}.{name}: {value!r}")
    assert found == []
    maija.refresh_from_db()
    assert maija.erased_at is not None
    assert maija_client.get("/counsellors/me/").status_code == 302  # logged out: sent to log in


def test_erasure_keeps_the_counts_statistics_rest_on(alice, maija):
    gdpr.profile_erase(actor=alice, profile=maija)
    maija.refresh_from_db()
    assert maija.participations.count() == 1
    assert maija.hours_entries.count() == 1
    assert maija.competences.get().what == "Vertaistuki"


def test_erasure_asks_for_confirmation(as_user, alice, maija):
    response = as_user(alice).post(f"/counsellors/{maija.pk}/erase/", {})
    assert response.status_code == 200
    assert CounsellorProfile.objects.get(pk=maija.pk).full_name == "Maija Meikäläinen"


def test_profiles_past_the_retention_period_are_erased_by_the_daily_job(alice, maija, settings):
    settings.COUNSELLOR_RETENTION_DAYS = 365
    recent = fc.profile(full_name="Aino Esimerkki", ended_on=dt.date.today() - dt.timedelta(days=30))
    maija.started_on = dt.date.today() - dt.timedelta(days=800)
    maija.ended_on = dt.date.today() - dt.timedelta(days=400)
    maija.save()
    call_command("purge_counsellors")
    maija.refresh_from_db()
    recent.refresh_from_db()
    assert maija.erased_at is not None and maija.full_name == ""
    assert recent.erased_at is None
