"""The rota: a professional at every session, work pairs in outreach, the daily check, county, the iCal feed."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from kohtaamo.accounts.models import Role
from kohtaamo.counsellors import rota
from kohtaamo.counsellors.models import Shift
from kohtaamo.encounters.models import Session
from kohtaamo.lib import hours
from tests import factories as f
from tests import factories_counsellors as fc
from tests import factories_encounters as fe

pytestmark = pytest.mark.django_db

NEXT_MONDAY = hours.monday(hours.today()) + dt.timedelta(days=7)


def planned_session(site, day=NEXT_MONDAY, **fields) -> Session:
    fields.setdefault("kind", Session.Kind.SCHEDULED)
    return fe.session(site, starts_at=hours.local(day, dt.time(9)), ends_at=hours.local(day, dt.time(11)), **fields)


def test_alice_plans_next_week_from_the_opening_hours_and_is_warned_of_a_session_without_a_professional(
    as_user, alice, bob, tampere_site
):
    f.rule(tampere_site, weekdays=(2,), starts="11:00", ends="13:00")
    response = as_user(alice).get("/counsellors/rota/")
    session = Session.objects.get(site=tampere_site, date=NEXT_MONDAY + dt.timedelta(days=1))
    assert [item.session for item in response.context["planned"]] == [session]
    assert response.context["breaches"] == 1
    assert "Työvuorossa ei ole sosiaalialan ammattilaista." in response.content.decode()


def test_a_session_with_a_professional_keeps_the_rules(as_user, alice, bob, paula, tampere_site):
    session = planned_session(tampere_site)
    as_user(alice).post(f"/counsellors/rota/sessions/{session.pk}/add/", {"user": bob.pk})
    as_user(alice).post(f"/counsellors/rota/sessions/{session.pk}/add/", {"user": paula.pk})
    assert set(session.shifts.values_list("user__username", flat=True)) == {"bob", "paula"}
    response = as_user(alice).get(f"/counsellors/rota/?week={NEXT_MONDAY}")
    assert response.context["breaches"] == 0


def test_outreach_alone_breaks_the_work_pair_rule_even_with_a_professional(paula, tampere_site):
    session = planned_session(tampere_site, kind=Session.Kind.AD_HOC, place="Hervannan kirjasto")
    fc.shift(session, paula)
    [planned] = rota.rota_plan(rota.sessions_between(NEXT_MONDAY, NEXT_MONDAY))
    assert planned.problems == [rota.NO_WORK_PAIR]


def test_an_outreach_site_needs_two_people(bob, paula):
    site = f.site(kind="outreach")
    session = planned_session(site)
    fc.shift(session, paula)
    fc.shift(session, bob)
    assert rota.rota_problems(session, list(session.shifts.all())) == []


def test_check_rota_lists_breaking_sessions_and_exits_1(capsys, paula, tampere_site):
    bad = planned_session(tampere_site)
    good = planned_session(tampere_site, day=NEXT_MONDAY + dt.timedelta(days=1))
    fc.shift(good, paula)
    with pytest.raises(SystemExit) as exit_:
        call_command("check_rota", "--from", str(NEXT_MONDAY), "--to", str(NEXT_MONDAY + dt.timedelta(days=6)))
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert f"session {bad.pk}" in out
    assert f"session {good.pk}" not in out
    assert "No social-work professional" in out


def test_check_rota_passes_quietly_when_every_session_is_staffed(capsys, paula, tampere_site):
    fc.shift(planned_session(tampere_site), paula)
    call_command("check_rota", "--from", str(NEXT_MONDAY), "--to", str(NEXT_MONDAY))
    assert "Every session keeps the staffing rules." in capsys.readouterr().out


def test_a_shift_at_a_site_outside_the_persons_county_is_refused(alice, tampere_site):
    raisio_professional = f.user("rita", role=Role.PROFESSIONAL, county=f.VARSINAIS_SUOMI)
    with pytest.raises(ValidationError) as error:
        rota.shift_assign(actor=alice, session=planned_session(tampere_site), user=raisio_professional)
    assert "user" in error.value.message_dict
    assert not Shift.objects.exists()


def test_the_rota_page_shows_the_county_error_beside_the_session_and_keeps_the_choice(as_user, tampere_site):
    root = f.user("root", role=Role.ADMIN, is_superuser=True)
    rita = f.user("rita", role=Role.PROFESSIONAL, county=f.VARSINAIS_SUOMI)
    session = planned_session(tampere_site)
    response = as_user(root).post(f"/counsellors/rota/sessions/{session.pk}/add/", {"user": rita.pk})
    assert response.status_code == 400
    assert response.context["error_session"] == session.pk
    assert "rita" in response.context["error_form"].errors["user"][0]
    assert f'<option value="{rita.pk}" selected>' in response.content.decode()


def test_bob_sees_his_shifts_and_subscribes_without_a_login_cookie(client, as_user, bob, tampere_site):
    fc.shift(planned_session(tampere_site), bob)
    page = as_user(bob).get("/counsellors/shifts/")
    assert page.status_code == 200
    assert "Hervanta L8" in page.content.decode()
    feed_url = page.context["feed_url"]
    feed = client.get(feed_url)
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")
    body = feed.content.decode()
    assert "BEGIN:VEVENT" in body
    assert "Hervanta L8" in body
    assert "DTSTART;TZID=Europe/Helsinki:" in body


def test_a_rotated_feed_address_stops_working_at_once(client, as_user, bob):
    old = as_user(bob).get("/counsellors/shifts/").context["feed_url"]
    as_user(bob).post("/counsellors/shifts/new-address/")
    new = as_user(bob).get("/counsellors/shifts/").context["feed_url"]
    assert old != new
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_a_guessed_feed_token_is_not_found(client, bob):
    assert client.get("/counsellors/shifts/not-a-real-token.ics").status_code == 404


def test_hours_from_the_rota_count_past_shifts_only(bob, tampere_site):
    past = fe.session(
        tampere_site,
        starts_at=hours.local(hours.today() - dt.timedelta(days=7), dt.time(9)),
        ends_at=hours.local(hours.today() - dt.timedelta(days=7), dt.time(12)),
    )
    fc.shift(past, bob)
    fc.shift(planned_session(tampere_site), bob)
    assert rota.rota_hours(bob) == 3.0
