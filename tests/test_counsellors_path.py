"""The counsellor's path: onboarding from a template, bases of taking part, competences, check-ins, hours, next step."""

import datetime as dt

import pytest

from kohtaamo.counsellors.models import CounsellorProfile, OnboardingItem, Participation
from tests import factories_counsellors as fc

pytestmark = pytest.mark.django_db


def test_alice_onboards_a_new_counsellor_from_the_county_template(as_user, alice, bob):
    template = fc.template()
    response = as_user(alice).post(
        "/counsellors/new/",
        {
            "full_name": "Bob Bobsson",
            "email": "bob@example.fi",
            "county": fc.county().pk,
            "user": bob.pk,
            "lawful_basis": "consent",
            "consent_given_on": "2026-02-01",
            "started_on": "2026-02-02",
            "template": template.pk,
        },
    )
    profile = CounsellorProfile.objects.get(user=bob)
    assert response.status_code == 302
    assert response["Location"] == f"/counsellors/{profile.pk}/"
    items = list(profile.onboarding_items.values_list("title", "due_on"))
    assert items == [("Tutustuminen toimipaikkaan", dt.date(2026, 2, 2)), ("Vaitiolo", dt.date(2026, 2, 9))]


def test_consent_as_the_lawful_basis_needs_its_date_and_what_was_typed_is_kept(as_user, alice):
    response = as_user(alice).post(
        "/counsellors/new/",
        {"full_name": "Aino Esimerkki", "county": fc.county().pk, "lawful_basis": "consent", "started_on": "2026-2-2"},
    )
    assert response.status_code == 200
    assert "consent_given_on" in response.context["form"].errors
    assert 'value="Aino Esimerkki"' in response.content.decode()
    assert not CounsellorProfile.objects.exists()


def test_an_overlapping_basis_of_taking_part_is_refused_with_the_typed_dates_kept(as_user, alice):
    profile = fc.profile()
    fc.participation(profile, "work_trial", starts_on=dt.date(2026, 1, 5), ends_on=dt.date(2026, 3, 31))
    response = as_user(alice).post(
        f"/counsellors/{profile.pk}/add/participation/", {"basis": "wage_subsidy", "starts_on": "2026-03-01"}
    )
    assert response.status_code == 200
    assert "työkokeilu (alkaen 5.1.2026)" in " ".join(response.context["form"].errors["starts_on"])
    assert 'value="2026-03-01"' in response.content.decode()
    assert Participation.objects.count() == 1


def test_a_basis_that_starts_after_the_previous_one_ends_is_recorded(as_user, alice):
    profile = fc.profile()
    fc.participation(profile, "work_trial", starts_on=dt.date(2026, 1, 5), ends_on=dt.date(2026, 3, 31))
    response = as_user(alice).post(
        f"/counsellors/{profile.pk}/add/participation/", {"basis": "wage_subsidy", "starts_on": "2026-04-01"}
    )
    assert response.status_code == 302
    assert list(profile.participations.values_list("basis", flat=True)) == ["work_trial", "wage_subsidy"]


def test_an_onboarding_item_due_before_the_start_date_is_refused(as_user, alice):
    profile = fc.profile(started_on=dt.date(2026, 2, 2))
    response = as_user(alice).post(
        f"/counsellors/{profile.pk}/add/onboarding/", {"title": "Ensiapukurssi", "due_on": "2026-01-15"}
    )
    assert response.status_code == 200
    assert "due_on" in response.context["form"].errors
    assert 'value="Ensiapukurssi"' in response.content.decode()
    assert not OnboardingItem.objects.exists()


def test_alice_records_a_recognised_competence_with_herself_as_the_recogniser(as_user, alice):
    profile = fc.profile()
    response = as_user(alice).post(
        f"/counsellors/{profile.pk}/add/competence/",
        {"what": "Arabian kielen tulkkaus", "recognised_on": "2026-02-10", "evidence": "Tulkkasi Kela-asioinnissa."},
    )
    assert response.status_code == 302
    competence = profile.competences.get()
    assert competence.recognised_by == alice


def test_an_evidence_note_with_a_third_partys_identity_code_is_refused(as_user, alice):
    profile = fc.profile()
    response = as_user(alice).post(
        f"/counsellors/{profile.pk}/add/competence/",
        {"what": "Asiointiapu", "recognised_on": "2026-02-10", "evidence": "Auttoi asiakasta 131052-308T lomakkeessa"},
    )
    assert response.status_code == 200
    assert "evidence" in response.context["form"].errors
    assert not profile.competences.exists()


def test_alice_marks_an_onboarding_item_done_and_the_plan_says_who_and_when(as_user, alice):
    profile = fc.profile()
    item = OnboardingItem.objects.create(profile=profile, title="Vaitiolo", due_on=fc.START)
    as_user(alice).post(f"/counsellors/onboarding/{item.pk}/done/")
    item.refresh_from_db()
    assert item.done_by == alice
    assert item.done_on is not None


def test_bob_reports_his_own_hours_and_alice_approves_them(as_user, alice, bob):
    profile = fc.profile(bob)
    assert (
        as_user(bob)
        .post(f"/counsellors/{profile.pk}/add/hours/", {"date": "2026-02-03", "hours": "3", "what": "Talkoot"})
        .status_code
        == 302
    )
    entry = profile.hours_entries.get()
    assert entry.approved_at is None
    assert as_user(bob).post(f"/counsellors/hours/{entry.pk}/approve/").status_code == 403
    assert as_user(alice).post(f"/counsellors/hours/{entry.pk}/approve/").status_code == 302
    entry.refresh_from_db()
    assert entry.approved_by == alice


def test_alice_records_a_supervision_session_with_its_attendance(as_user, alice, bob):
    profile = fc.profile(bob)
    response = as_user(alice).post(
        "/counsellors/supervision/",
        {"county": fc.county().pk, "kind": "group", "date": "2026-02-12", "attendees": [profile.pk]},
    )
    assert response.status_code == 302
    assert list(profile.supervision_sessions.values_list("kind", flat=True)) == ["group"]


def test_the_next_step_outcome_needs_its_date(as_user, alice):
    profile = fc.profile()
    response = as_user(alice).post(
        f"/counsellors/{profile.pk}/next-step/", {"next_step_goal": "studies", "next_step_outcome": "studies"}
    )
    assert response.status_code == 200
    assert "next_step_outcome_on" in response.context["form"].errors
    response = as_user(alice).post(
        f"/counsellors/{profile.pk}/next-step/",
        {"next_step_goal": "studies", "next_step_outcome": "studies", "next_step_outcome_on": "2026-08-15"},
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.next_step_outcome_on == dt.date(2026, 8, 15)


def test_alice_edits_the_county_template_and_its_items(as_user, alice):
    response = as_user(alice).post(
        "/counsellors/templates/new/",
        {
            "county": fc.county().pk,
            "name": "Yhteisöneuvojan perehdytys",
            "items-TOTAL_FORMS": "2",
            "items-INITIAL_FORMS": "0",
            "items-0-title": "Työn rajaus",
            "items-0-due_after_days": "0",
            "items-0-order": "1",
            # An extra row left as the browser shows it: skipped.
            "items-1-title": "",
            "items-1-due_after_days": "0",
            "items-1-order": "0",
        },
    )
    assert response.status_code == 302
    from kohtaamo.counsellors.models import OnboardingTemplate

    assert [item.title for item in OnboardingTemplate.objects.get().items.all()] == ["Työn rajaus"]
