import re
import uuid

import pytest
from django.test import Client

from kohtaamo.accounts.models import Role
from kohtaamo.audit.models import LogEntry
from kohtaamo.encounters.models import ApiToken, Encounter, Session, Term, Wish
from tests import factories as f
from tests import factories_encounters as fe

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def open_all_day_today(site):
    """Special hours 00–24 today: the site is open now, public holiday or not."""
    return f.exception(site, fe.today(), closed=False, starts="00:00", ends="00:00")


def test_the_screen_opens_a_counsellors_only_session_today_by_itself(as_user, bob, tampere_site):
    open_all_day_today(tampere_site)
    client = as_user(bob)
    response = client.get("/counsellor/")
    session = Session.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/counsellor/sessions/{session.pk}/"
    assert (session.site, session.kind, session.date) == (tampere_site, Session.Kind.SCHEDULED, fe.today())
    assert list(session.staff_present.all()) == [bob]
    client.get("/counsellor/")
    assert Session.objects.count() == 1


def test_with_several_sessions_the_screen_lists_them_to_choose_from(as_user, alice, tampere_site):
    nokia = f.site(name="Nokian päiväkeskus", municipality=f.municipality(f.NOKIA))
    open_all_day_today(tampere_site)
    open_all_day_today(nokia)
    client = as_user(alice)
    page = client.get("/counsellor/")
    assert page.status_code == 200
    assert "Hervanta L8" in page.text and "Nokian päiväkeskus" in page.text
    assert not Session.objects.exists()  # nothing is written until one is chosen
    starts = re.search(
        rf'name="site" value="{nokia.pk}">\s*<input type="hidden" name="starts_at" value="([^"]+)"', page.text
    )
    response = client.post("/counsellor/sessions/open/", {"site": nokia.pk, "starts_at": starts.group(1)})
    session = Session.objects.get()
    assert session.site == nokia
    assert response["Location"] == f"/counsellor/sessions/{session.pk}/"


def test_without_opening_hours_today_the_screen_offers_an_ad_hoc_session(as_user, bob, tampere_site):
    client = as_user(bob)
    page = client.get("/counsellor/")
    assert page.status_code == 200 and "/counsellor/sessions/ad-hoc/" in page.text
    response = client.post("/counsellor/sessions/ad-hoc/", {"site": tampere_site.pk, "place": "Hervannan kirjasto"})
    session = Session.objects.get()
    assert response["Location"] == f"/counsellor/sessions/{session.pk}/"
    assert (session.kind, session.place) == (Session.Kind.AD_HOC, "Hervannan kirjasto")


def test_an_ad_hoc_place_with_a_phone_number_is_refused_beside_the_field(as_user, bob, tampere_site):
    page = as_user(bob).post("/counsellor/sessions/ad-hoc/", {"site": tampere_site.pk, "place": "soita 0401234567"})
    assert page.status_code == 200
    assert 'aria-invalid="true"' in page.text and 'id="id_place_error"' in page.text
    assert not Session.objects.exists()


def test_one_tap_on_a_matter_saves_an_encounter_without_javascript(as_user, bob, tampere_site):
    session = fe.session(tampere_site)
    client = as_user(bob)
    page = client.get(f"/counsellor/sessions/{session.pk}/")
    nonce = re.search(r'name="client_uuid" value="([0-9a-f-]{36})"', page.text).group(1)
    assert 'name="topic" value="housing"' in page.text
    response = client.post(f"/counsellor/sessions/{session.pk}/quick/", {"client_uuid": nonce, "topic": "housing"})
    assert response.status_code == 302 and response["Location"] == f"/counsellor/sessions/{session.pk}/"
    encounter = Encounter.objects.get()
    assert [t.code for t in encounter.topics.all()] == ["housing"]
    assert not encounter.referrals.exists() and encounter.created_by == bob
    assert "Tallennettu: Asuminen." in client.get(response["Location"]).text


def test_a_double_tap_on_a_matter_saves_one_encounter(as_user, bob, tampere_site):
    session = fe.session(tampere_site)
    client = as_user(bob)
    data = {"client_uuid": str(uuid.uuid4()), "topic": "forms"}
    client.post(f"/counsellor/sessions/{session.pk}/quick/", data)
    client.post(f"/counsellor/sessions/{session.pk}/quick/", data)
    assert Encounter.objects.count() == 1


def test_with_htmx_the_panel_comes_back_with_the_status_line_out_of_band(as_user, bob, tampere_site):
    session = fe.session(tampere_site)
    client = as_user(bob)
    data = {"client_uuid": str(uuid.uuid4()), "topic": "health"}
    response = client.post(f"/counsellor/sessions/{session.pk}/quick/", data, headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="flash" hx-swap-oob="innerHTML">')
    assert 'id="session-panel"' in response.text and "<html" not in response.text
    assert "Tallennettu: Terveys." in response.text
    assert data["client_uuid"] not in response.text  # the next tap gets a new nonce


def test_the_visitor_tally_goes_up_and_down_with_buttons(as_user, bob, tampere_site):
    session = fe.session(tampere_site)
    client = as_user(bob)
    for delta in ("1", "1", "-1", "1"):
        client.post(f"/counsellor/sessions/{session.pk}/tally/", {"delta": delta})
    session.refresh_from_db()
    assert session.visitor_count == 2
    response = client.post(f"/counsellor/sessions/{session.pk}/tally/", {"delta": "1"}, headers=HTMX)
    assert '<span class="count">3</span>' in response.text


def test_undo_removes_the_last_encounter_shown_on_the_button(as_user, bob, tampere_site):
    session = fe.session(tampere_site)
    first = fe.encounter(session, by=bob)
    last = fe.encounter(session, by=bob, topics=["health"])
    client = as_user(bob)
    assert f'name="encounter" value="{last.pk}"' in client.get(f"/counsellor/sessions/{session.pk}/").text
    client.post(f"/counsellor/sessions/{session.pk}/undo/", {"encounter": last.pk})
    client.post(f"/counsellor/sessions/{session.pk}/undo/", {"encounter": last.pk})
    assert list(Encounter.objects.all()) == [first]


def test_the_full_form_saves_every_field(as_user, bob, tampere_site):
    session = fe.session(tampere_site)
    client = as_user(bob)
    page = client.get(f"/counsellor/sessions/{session.pk}/encounters/new/")
    assert page.status_code == 200 and "<legend>" in page.text
    data = {
        "client_uuid": str(uuid.uuid4()),
        "topics": ["debt_money", "rent_bills"],
        "help_forms": ["hands_on"],
        "referrals": ["debt_advice"],
        "more_info": ["benefits"],
        "language": "uk",
        "coping": "much_better",
        "note": "Ulosotto, 3 lasta, vuokra 650 €. Tulee taas ti klo 14.",
    }
    response = client.post(f"/counsellor/sessions/{session.pk}/encounters/new/", data)
    assert response.status_code == 302
    encounter = Encounter.objects.get()
    assert sorted(t.code for t in encounter.topics.all()) == ["debt_money", "rent_bills"]
    assert (encounter.language.code, encounter.coping, encounter.note) == ("uk", "much_better", data["note"])


def test_a_note_with_an_identity_code_is_refused_with_the_error_tied_to_the_field(as_user, bob, tampere_site):
    session = fe.session(tampere_site)
    data = {"client_uuid": str(uuid.uuid4()), "topics": ["benefits"], "note": "hetu 131052-308T"}
    page = as_user(bob).post(f"/counsellor/sessions/{session.pk}/encounters/new/", data)
    assert page.status_code == 200
    textarea = re.search(r"<textarea[^>]*>", page.text).group(0)
    assert 'aria-invalid="true"' in textarea
    assert 'aria-describedby="id_note_helptext id_note_error"' in textarea
    assert 'id="id_note_error"' in page.text and "henkilötunnus" in page.text
    assert "hetu 131052-308T" in page.text  # nothing typed is lost
    assert not Encounter.objects.exists()


def test_a_counsellor_edits_their_own_encounter_the_same_day(as_user, bob, alice, tampere_site):
    session = fe.session(tampere_site)
    mine = fe.encounter(session, by=bob, topics=["housing"])
    theirs = fe.encounter(session, by=alice)
    client = as_user(bob)
    page = client.get(f"/counsellor/encounters/{mine.pk}/")
    assert page.status_code == 200
    assert re.search(r'<input type="checkbox" name="topics" value="housing"[^>]*checked', page.text)
    assert not re.search(r'<input type="checkbox" name="topics" value="health"[^>]*checked', page.text)
    response = client.post(f"/counsellor/encounters/{mine.pk}/", {"topics": ["housing", "health"], "coping": ""})
    assert response.status_code == 302
    assert sorted(t.code for t in mine.topics.all()) == ["health", "housing"]
    assert client.get(f"/counsellor/encounters/{theirs.pk}/").status_code == 403


def test_a_wish_is_saved_and_one_with_an_email_address_refused(as_user, bob, tampere_site):
    session = fe.session(tampere_site)
    client = as_user(bob)
    url = f"/counsellor/sessions/{session.pk}/wishes/"
    client.post(
        url, {"client_uuid": str(uuid.uuid4()), "text": "Kahvila myös lauantaisin", "themes": ["opening_hours"]}
    )
    page = client.post(url, {"client_uuid": str(uuid.uuid4()), "text": "ota yhteyttä liisa@example.com"})
    assert page.status_code == 200 and 'id="id_text_error"' in page.text
    assert [w.text for w in Wish.objects.all()] == ["Kahvila myös lauantaisin"]


def test_a_viewer_is_forbidden_every_counsellor_page(as_user, vera, bob, tampere_site):
    session = fe.session(tampere_site)
    encounter = fe.encounter(session, by=bob)
    token, _ = fe.api_token(bob)
    term = fe.term("housing")
    client = as_user(vera)
    pages = [
        "/counsellor/",
        "/counsellor/sessions/ad-hoc/",
        f"/counsellor/sessions/{session.pk}/",
        f"/counsellor/sessions/{session.pk}/encounters/new/",
        f"/counsellor/encounters/{encounter.pk}/",
        "/counsellor/tokens/",
        "/counsellor/terms/",
        "/counsellor/terms/new/",
        f"/counsellor/terms/{term.pk}/",
    ]
    for url in pages:
        assert client.get(url).status_code == 403, url
    posts = [
        "/counsellor/sessions/open/",
        f"/counsellor/sessions/{session.pk}/quick/",
        f"/counsellor/sessions/{session.pk}/tally/",
        f"/counsellor/sessions/{session.pk}/undo/",
        f"/counsellor/sessions/{session.pk}/wishes/",
        f"/counsellor/tokens/{token.pk}/revoke/",
        f"/counsellor/terms/{term.pk}/retire/",
    ]
    for url in posts:
        assert client.post(url, {"topic": "housing", "delta": "1"}).status_code == 403, url
    assert Encounter.objects.count() == 1


def test_logging_in_is_required(client, tampere_site):
    response = client.get("/counsellor/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_session_of_another_county_is_not_found(as_user, carol, tampere_site):
    session = fe.session(tampere_site)
    client = as_user(carol)
    assert client.get(f"/counsellor/sessions/{session.pk}/").status_code == 404
    assert client.post(f"/counsellor/sessions/{session.pk}/quick/", {"topic": "housing"}).status_code == 404


def test_a_counsellor_cannot_log_at_a_site_of_their_own_county_not_theirs(as_user, bob):
    other = f.site(name="Nokian päiväkeskus", municipality=f.municipality(f.NOKIA))
    session = fe.session(other)
    data = {"client_uuid": str(uuid.uuid4()), "topic": "housing"}
    assert as_user(bob).post(f"/counsellor/sessions/{session.pk}/quick/", data).status_code == 404
    assert not Encounter.objects.exists()


def test_the_nav_links_the_counsellors_screen_for_staff_who_log_only(as_user, bob, vera):
    assert 'href="/counsellor/"' in as_user(bob).get("/").text
    assert 'href="/counsellor/"' not in as_user(vera).get("/").text


def test_the_screen_renders_in_three_languages_without_inline_scripts_or_styles(as_user, bob, tampere_site):
    session = fe.session(tampere_site)
    fe.encounter(session, by=bob)
    client = as_user(bob)
    for prefix in ("", "/sv", "/en"):
        for path in (f"/counsellor/sessions/{session.pk}/", f"/counsellor/sessions/{session.pk}/encounters/new/"):
            page = client.get(prefix + path)
            assert page.status_code == 200, prefix + path
            assert " style=" not in page.text and "hx-on" not in page.text
            assert not re.search(r"<script(?![^>]*\bsrc=)", page.text)


def test_a_countys_admin_adds_retires_and_restores_its_own_terms(as_user, ada):
    client = as_user(ada)
    assert client.get("/counsellor/terms/").status_code == 200
    data = {
        "kind": "topic",
        "code": "food_bank",
        "label_fi": "Ruoka-apu",
        "label_sv": "Matbank",
        "county": "",
        "order": 5,
    }
    page = client.post("/counsellor/terms/new/", {**data, "county": ""})
    assert page.status_code == 200 and 'id="id_county_error"' in page.text  # a county's admin adds county terms
    county = ada.county
    response = client.post("/counsellor/terms/new/", {**data, "county": county.pk})
    assert response.status_code == 302
    term = Term.objects.get(code="food_bank")
    assert (term.county, term.label_fi, term.active) == (county, "Ruoka-apu", True)
    client.post(f"/counsellor/terms/{term.pk}/retire/")
    term.refresh_from_db()
    assert not term.active and term.retired_at
    client.post(f"/counsellor/terms/{term.pk}/retire/", {"restore": "1"})
    term.refresh_from_db()
    assert term.active and term.retired_at is None
    assert {"term.create", "term.retire", "term.restore"} <= set(LogEntry.objects.values_list("action", flat=True))


def test_a_countys_admin_cannot_change_national_terms_or_another_countys(as_user, ada):
    other = fe.county_term("food_bank", f.VARSINAIS_SUOMI)
    client = as_user(ada)
    for term in (fe.term("housing"), other):
        assert client.get(f"/counsellor/terms/{term.pk}/").status_code == 404
        assert client.post(f"/counsellor/terms/{term.pk}/retire/").status_code == 404
    assert Term.objects.filter(active=False).count() == 0


def test_a_coordinator_has_no_taxonomy_pages(as_user, alice):
    assert as_user(alice).get("/counsellor/terms/").status_code == 403


def test_a_superuser_manages_terms_in_the_django_admin_and_cannot_delete_them():
    root = f.user("root", role=Role.ADMIN, is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(root)
    term = fe.term("housing")
    assert client.get("/admin/encounters/term/").status_code == 200
    assert client.get(f"/admin/encounters/term/{term.pk}/change/").status_code == 200
    assert client.post(f"/admin/encounters/term/{term.pk}/delete/", {"post": "yes"}).status_code == 403


def test_my_api_tokens_page_shows_a_new_token_once_and_revokes_it(as_user, bob):
    client = as_user(bob)
    response = client.post("/counsellor/tokens/", {"name": "Työpuhelin"})
    raw = re.search(r'value="(kht_[^"]+)"', response.text).group(1)
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=bob)
    assert token.name == "Työpuhelin" and raw not in token.token_hash
    assert raw not in client.get("/counsellor/tokens/").text
    client.post(f"/counsellor/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_nobody_revokes_another_persons_token(as_user, bob, alice):
    token, _ = fe.api_token(alice)
    assert as_user(bob).post(f"/counsellor/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
