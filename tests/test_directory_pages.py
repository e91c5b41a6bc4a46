"""The public directory pages: filters, a site's page, the anonymous page cache, query counts."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kohtaamo.directory.models import Site
from kohtaamo.lib import hours
from tests import factories as f

pytestmark = pytest.mark.django_db

TUESDAY = dt.date(2027, 3, 2)  # an ordinary Tuesday, far from holidays and daylight-saving changes


def names(response) -> list[str]:
    return [site.name for site in response.context["page"]]


@pytest.fixture
def sites(db):
    """Sites in Tampere, Nokia (both Pirkanmaa) and Raisio (Varsinais-Suomi) with different hours."""
    hervanta = f.site(name="Hervanta L8", kind="community_centre", municipality=f.municipality(f.TAMPERE))
    f.rule(hervanta, weekdays=(2,), starts="11:00", ends="13:00")
    nokia = f.site(
        name="Nokian olkkari", kind="residents_lounge", municipality=f.municipality(f.NOKIA), languages=["sv"]
    )
    f.rule(nokia, weekdays=(2,), starts="15:00", ends="17:00")
    olkkari = f.site(
        name="Olkkari", kind="meeting_place", municipality=f.municipality(f.RAISIO), languages=["fi", "sv", "en"]
    )
    f.rule(olkkari, weekdays=(1,), starts="09:00", ends="12:00")
    f.site(name="Sisäinen tila", municipality=f.municipality(f.TAMPERE), is_public=False)
    return {"hervanta": hervanta, "nokia": nokia, "olkkari": olkkari}


def test_the_list_shows_public_sites_only(client, sites):
    assert sorted(names(client.get("/sites/"))) == ["Hervanta L8", "Nokian olkkari", "Olkkari"]


def test_the_list_filters_by_municipality_code(client, sites):
    assert names(client.get("/sites/", {"municipality": f.NOKIA})) == ["Nokian olkkari"]


def test_the_list_filters_by_county_code(client, sites):
    assert sorted(names(client.get("/sites/", {"county": f.PIRKANMAA}))) == ["Hervanta L8", "Nokian olkkari"]
    assert names(client.get("/sites/", {"county": f.VARSINAIS_SUOMI})) == ["Olkkari"]


def test_the_list_filters_by_kind(client, sites):
    assert names(client.get("/sites/", {"kind": "community_centre"})) == ["Hervanta L8"]


def test_the_language_filter_lists_a_site_with_several_languages_once(client, sites):
    response = client.get("/sites/", {"language": "sv"})
    assert sorted(names(response)) == ["Nokian olkkari", "Olkkari"]
    assert response.context["page"].paginator.count == 2
    assert names(client.get("/sites/", {"language": "en"})) == ["Olkkari"]


def test_the_list_filters_by_date_and_helsinki_time(client, sites):
    response = client.get("/sites/", {"date": TUESDAY.isoformat(), "time": "11:30"})
    assert names(response) == ["Hervanta L8"]
    assert "2.3.2027" in response.content.decode()
    assert names(client.get("/sites/", {"date": TUESDAY.isoformat(), "time": "16:00"})) == ["Nokian olkkari"]
    assert names(client.get("/sites/", {"date": TUESDAY.isoformat(), "time": "13:00"})) == []


def test_a_date_without_a_time_lists_the_sites_open_at_some_time_that_day(client, sites):
    assert sorted(names(client.get("/sites/", {"date": TUESDAY.isoformat()}))) == ["Hervanta L8", "Nokian olkkari"]


def test_a_holiday_date_lists_no_site(client, sites):
    assert names(client.get("/sites/", {"date": "2026-12-08"})) == ["Hervanta L8", "Nokian olkkari"]
    assert names(client.get("/sites/", {"date": "2027-01-05"})) == ["Hervanta L8", "Nokian olkkari"]
    assert names(client.get("/sites/", {"date": "2027-12-06"})) == []  # Independence Day, a Monday


def test_open_now_lists_the_site_open_today_and_not_the_one_closed_today(client, sites):
    today = hours.today()
    # Exceptions for today (and tomorrow, in case the clock passes midnight) decide, holiday or not.
    for day in (today, today + dt.timedelta(days=1)):
        f.exception(sites["hervanta"], day, closed=False, starts="00:00", ends="00:00")
        f.exception(sites["nokia"], day, closed=True)
        f.exception(sites["olkkari"], day, closed=True)
    response = client.get("/sites/", {"open_now": "on"})
    assert names(response) == ["Hervanta L8"]


def test_a_time_without_a_date_is_an_error_and_keeps_the_typed_filters(client, sites):
    response = client.get("/sites/", {"time": "11:30", "q": "olkkari"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Valitse kellonajalle päivä." in html
    assert 'value="11:30"' in html and 'value="olkkari"' in html
    assert names(response) == []


def test_search_finds_a_finnish_name_on_the_english_page(client, sites):
    assert names(client.get("/en/sites/", {"q": "hervanta"})) == ["Hervanta L8"]
    assert sorted(names(client.get("/sites/", {"q": "nokia"}))) == ["Nokian olkkari"]


# --- A site's page ----------------------------------------------------------------------------


def test_the_site_page_shows_this_weeks_hours_next_openings_partners_and_accessibility(client, tampere_site):
    parish = f.organisation(name="Tampereen seurakunnat", short_name="Seurakunta")
    kilta = f.organisation(name="A-kilta")
    f.rule(tampere_site, weekdays=range(1, 8), starts="11:00", ends="13:00", partners=[parish, kilta])
    Site.objects.filter(pk=tampere_site.pk).update(accessibility_fi="Esteetön sisäänkäynti Insinöörinkadun puolelta.")
    response = client.get(f"/sites/{tampere_site.pk}/")
    html = response.content.decode()
    assert len(response.context["week"]) == 7
    assert response.context["week"][0][0] == hours.monday(hours.today())
    assert len(response.context["next_openings"]) == 10
    assert "11:00–13:00" in html
    assert "Seurakunta" in html and "A-kilta" in html
    assert "Esteetön sisäänkäynti Insinöörinkadun puolelta." in html


def test_a_site_without_hours_says_so(client, tampere_site):
    response = client.get(f"/sites/{tampere_site.pk}/")
    assert response.context["next_openings"] == []
    assert not response.context["site"].schedule.is_published
    assert "Suljettu nyt" not in response.content.decode()


def test_an_internal_site_is_not_found_for_anonymous_visitors(client, tampere_site):
    Site.objects.filter(pk=tampere_site.pk).update(is_public=False)
    assert client.get(f"/sites/{tampere_site.pk}/").status_code == 404


def test_carol_from_another_county_cannot_see_an_internal_tampere_site(as_user, carol, tampere_site):
    Site.objects.filter(pk=tampere_site.pk).update(is_public=False)
    assert as_user(carol).get(f"/sites/{tampere_site.pk}/").status_code == 404


def test_alice_sees_an_internal_tampere_site_of_her_county(as_user, alice, tampere_site):
    Site.objects.filter(pk=tampere_site.pk).update(is_public=False)
    response = as_user(alice).get(f"/sites/{tampere_site.pk}/")
    assert response.status_code == 200
    assert response.context["can_edit"]


# --- The anonymous page cache ------------------------------------------------------------------


def test_the_anonymous_cache_does_not_show_alices_page_to_visitors_or_visitors_page_to_alice(
    client, as_user, alice, sites
):
    assert "Log out (alice)" in as_user(alice).get("/en/sites/").content.decode()
    visitor_page = client.get("/en/sites/").content.decode()
    assert "alice" not in visitor_page
    assert "Log in" in visitor_page
    # Now the visitor's page is cached; alice still gets her own.
    assert "Log out (alice)" in as_user(alice).get("/en/sites/").content.decode()


def test_the_anonymous_cache_keeps_each_language_apart(client, sites):
    assert 'lang="fi"' in client.get("/sites/").content.decode()
    assert 'lang="en"' in client.get("/en/sites/").content.decode()
    assert 'lang="sv"' in client.get("/sv/sites/").content.decode()
    # The unprefixed address is Finnish whatever the browser asks for, cached or not.
    assert 'lang="fi"' in Client(HTTP_ACCEPT_LANGUAGE="en").get("/sites/").content.decode()
    cache.clear()
    assert 'lang="fi"' in Client(HTTP_ACCEPT_LANGUAGE="sv").get("/sites/").content.decode()
    assert 'lang="en"' in client.get("/en/sites/").content.decode()


def test_the_anonymous_cache_serves_a_new_site_only_after_it_expires(client, sites):
    assert len(names(client.get("/sites/"))) == 3
    f.site(name="Uusi paikka")
    assert "Uusi paikka" not in client.get("/sites/").content.decode()  # cached
    cache.clear()
    assert "Uusi paikka" in client.get("/sites/").content.decode()


def test_a_flash_message_is_never_cached_for_other_visitors(as_user, alice, tampere_site):
    browser = as_user(alice)
    assert browser.post(f"/en/staff/sites/{tampere_site.pk}/hours/", _empty_hours_post()).status_code == 302
    # The session ends (it expired, say) while the message still waits in this browser's cookie.
    del browser.cookies[settings.SESSION_COOKIE_NAME]
    Client().get("/en/sites/")  # someone else's page is in the cache now
    assert "Opening hours saved." in browser.get("/en/sites/").content.decode()
    assert "Opening hours saved." not in Client().get("/en/sites/").content.decode()


def _empty_hours_post() -> dict:
    data = {}
    for prefix in ("rules", "exceptions"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


# --- Query counts -----------------------------------------------------------------------------


def _build(count: int) -> None:
    languages = ["fi", "sv"]
    for n in range(count):
        partner = f.organisation()
        site = f.site(
            municipality=f.municipality([f.TAMPERE, f.NOKIA, f.RAISIO][n % 3]),
            organisations=[f.organisation(), partner],
            languages=languages,
        )
        f.rule(site, weekdays=(1, 2, 3, 4, 5), starts="09:00", ends="12:00", partners=[partner])
        f.rule(site, weekdays=(3,), starts="13:00", ends="15:00", recurrence="biweekly", valid_from=dt.date(2026, 1, 7))
        f.exception(site, dt.date(2026, 12, 31), closed=True)


def _queries(path: str, params: dict) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(path, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/sites/", {}),
        ("/sites/", {"open_now": "on"}),
        ("/sites/", {"date": TUESDAY.isoformat(), "time": "10:00", "language": "sv"}),
        ("/api/v1/sites", {}),
        ("/api/v1/sites", {"open_at": "2027-03-02T10:00:00+02:00", "language": "sv"}),
    ],
)
def test_the_site_list_query_count_does_not_grow_with_the_number_of_sites(path, params):
    _build(3)
    with_three = _queries(path, params)
    _build(12)
    assert Site.objects.count() == 15
    assert _queries(path, params) == with_three
