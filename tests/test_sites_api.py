"""GET /api/v1/sites and /api/v1/sites/{id}: filters, pagination, hours, and the OpenAPI document."""

import datetime as dt

import pytest

from kohtaamo.directory import api
from kohtaamo.directory.models import Site
from kohtaamo.lib import hours
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def sites(db):
    hervanta = f.site(name="Hervanta L8", kind="community_centre", municipality=f.municipality(f.TAMPERE))
    f.rule(hervanta, weekdays=(1,), starts="00:00", ends="02:00")  # Monday night
    nokia = f.site(
        name="Nokian olkkari", kind="residents_lounge", municipality=f.municipality(f.NOKIA), languages=["sv"]
    )
    f.rule(nokia, weekdays=(7,), starts="20:00", ends="00:00")  # Sunday evening
    olkkari = f.site(name="Olkkari", municipality=f.municipality(f.RAISIO), languages=["fi", "sv", "en"])
    f.rule(olkkari, weekdays=(2,), starts="09:00", ends="12:00")
    f.site(name="Sisäinen tila", municipality=f.municipality(f.TAMPERE), is_public=False)
    return {"hervanta": hervanta, "nokia": nokia, "olkkari": olkkari}


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(site["name"]["fi"] for site in response.json()["results"])


def test_the_list_gives_public_sites_with_id_names_kind_municipality_and_url(client, sites):
    body = client.get("/api/v1/sites").json()
    assert body["count"] == 3 and body["next"] is None
    hervanta = next(site for site in body["results"] if site["id"] == sites["hervanta"].pk)
    assert hervanta["name"] == {"fi": "Hervanta L8", "sv": "", "en": ""}
    assert hervanta["kind"] == "community_centre"
    assert hervanta["municipality"] == {
        "code": f.TAMPERE,
        "name": {"fi": "Tampere", "sv": "Tammerfors", "en": "Tampere"},
        "county_code": f.PIRKANMAA,
    }
    assert hervanta["url"] == f"http://testserver/sites/{sites['hervanta'].pk}/"
    assert client.get(hervanta["url"]).status_code == 200


def test_the_list_filters_by_municipality_county_and_kind(client, sites):
    assert names(client.get("/api/v1/sites", {"municipality": f.NOKIA})) == ["Nokian olkkari"]
    assert names(client.get("/api/v1/sites", {"county": f.PIRKANMAA})) == ["Hervanta L8", "Nokian olkkari"]
    assert names(client.get("/api/v1/sites", {"county": f.VARSINAIS_SUOMI})) == ["Olkkari"]
    assert names(client.get("/api/v1/sites", {"kind": "community_centre"})) == ["Hervanta L8"]
    assert names(client.get("/api/v1/sites", {"county": f.PIRKANMAA, "kind": "residents_lounge"})) == ["Nokian olkkari"]


def test_the_language_filter_lists_each_site_once(client, sites):
    response = client.get("/api/v1/sites", {"language": "sv"})
    assert names(response) == ["Nokian olkkari", "Olkkari"]
    assert response.json()["count"] == 2
    assert names(client.get("/api/v1/sites", {"language": "en"})) == ["Olkkari"]


def test_an_unknown_kind_is_422(client, sites):
    response = client.get("/api/v1/sites", {"kind": "castle"})
    assert response.status_code == 422
    assert "kind" in response.content.decode()


def test_open_at_with_an_offset_uses_the_helsinki_date(client, sites):
    # Sunday 6.12.2026 23:30 UTC is Monday 7.12 01:30 in Helsinki: Hervanta's Monday night is on.
    assert names(client.get("/api/v1/sites", {"open_at": "2026-12-06T23:30:00Z"})) == ["Hervanta L8"]
    assert names(client.get("/api/v1/sites", {"open_at": "2026-12-07T01:30:00+02:00"})) == ["Hervanta L8"]
    # Sunday 20:30 in Helsinki, written in UTC: Nokia's Sunday evening. (6.12 is a holiday, so use 13.12.)
    assert names(client.get("/api/v1/sites", {"open_at": "2026-12-13T18:30:00+00:00"})) == ["Nokian olkkari"]
    assert names(client.get("/api/v1/sites", {"open_at": "2026-12-08T10:00:00+02:00"})) == ["Olkkari"]
    assert names(client.get("/api/v1/sites", {"open_at": "2026-12-08T12:00:00+02:00"})) == []


def test_open_at_in_summer_time_with_its_own_offset(client, sites):
    # Tuesday 8.6.2027 09:30 EEST is 06:30 UTC; in winter time it would have been 07:30 UTC.
    assert names(client.get("/api/v1/sites", {"open_at": "2027-06-08T06:30:00Z"})) == ["Olkkari"]
    assert names(client.get("/api/v1/sites", {"open_at": "2027-06-08T09:30:00+03:00"})) == ["Olkkari"]
    assert names(client.get("/api/v1/sites", {"open_at": "2027-06-08T05:30:00Z"})) == []


def test_open_at_without_an_offset_is_refused_with_a_clear_message(client, sites):
    response = client.get("/api/v1/sites", {"open_at": "2026-12-08T10:00:00"})
    assert 400 <= response.status_code < 500
    assert "open_at needs a UTC offset" in response.json()["detail"]


def test_open_at_that_is_not_a_date_time_is_422(client, sites):
    assert client.get("/api/v1/sites", {"open_at": "tomorrow"}).status_code == 422


def test_the_next_link_leads_through_every_site(client, monkeypatch):
    monkeypatch.setattr(api, "PAGE_SIZE", 2)
    created = {f.site(municipality=f.municipality(f.TAMPERE)).pk for _ in range(5)}
    seen, url, pages = [], "/api/v1/sites?county=" + f.PIRKANMAA, 0
    while url:
        body = client.get(url).json()
        assert body["count"] == 5
        assert len(body["results"]) <= 2
        seen += [site["id"] for site in body["results"]]
        url, pages = body["next"], pages + 1
        if url:
            assert url.startswith("http://testserver/api/v1/sites?") and "county=" + f.PIRKANMAA in url
    assert pages == 3
    assert sorted(seen) == sorted(created)
    assert len(seen) == len(set(seen))


def test_the_next_link_also_works_with_open_at(client, monkeypatch):
    monkeypatch.setattr(api, "PAGE_SIZE", 2)
    for _ in range(3):
        f.rule(f.site(), weekdays=(2,), starts="09:00", ends="12:00")
    first = client.get("/api/v1/sites", {"open_at": "2026-12-08T10:00:00+02:00"}).json()
    assert first["count"] == 3 and len(first["results"]) == 2
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None and second["previous"]
    assert {s["id"] for s in first["results"]}.isdisjoint({s["id"] for s in second["results"]})


def test_the_detail_has_weekly_hours_with_partners_and_ten_next_openings(client, tampere_site):
    kilta = f.organisation(name="A-kilta", business_id="0245437-2")
    f.rule(tampere_site, weekdays=(2, 4), starts="11:00", ends="13:00", partners=[kilta], activity="counselling")
    f.rule(
        tampere_site, weekdays=(5,), starts="20:00", ends="00:00", recurrence="biweekly", valid_from=dt.date(2026, 1, 2)
    )
    body = client.get(f"/api/v1/sites/{tampere_site.pk}").json()
    assert body["id"] == tampere_site.pk and body["timezone"] == "Europe/Helsinki"
    slots = {slot["starts"]: slot for slot in body["weekly_hours"]}
    assert slots["11:00"]["weekdays"] == [2, 4]
    assert slots["11:00"]["partners"] == [
        {"id": kilta.pk, "name": "A-kilta", "kind": "ngo", "business_id": "0245437-2"}
    ]
    assert slots["20:00"]["ends"] == "00:00" and slots["20:00"]["recurrence"] == "biweekly"
    assert slots["20:00"]["valid_from"] == "2026-01-02"
    openings = body["next_openings"]
    assert len(openings) == 10
    starts = [dt.datetime.fromisoformat(o["start"]) for o in openings]
    assert all(s.utcoffset() in (dt.timedelta(hours=2), dt.timedelta(hours=3)) for s in starts)
    assert starts == sorted(starts)
    site = Site.objects.with_hours().get(pk=tampere_site.pk)
    expected = site.schedule.next_openings(dt.datetime.now(tz=hours.HELSINKI), 10)
    # The engine's answer, unless the clock ticked past an opening's end in between.
    assert starts == [o.start for o in expected] or starts[1:] == [o.start for o in expected][:-1]


def test_the_detail_applies_holidays_and_exceptions_to_next_openings(client, tampere_site):
    f.rule(tampere_site, weekdays=range(1, 8), starts="10:00", ends="11:00")
    today = hours.today()
    closed_day, special_day = today + dt.timedelta(days=2), today + dt.timedelta(days=3)
    f.exception(tampere_site, closed_day, closed=True)
    f.exception(tampere_site, special_day, closed=False, starts="15:00", ends="16:00", note="Joulujuhla")
    openings = client.get(f"/api/v1/sites/{tampere_site.pk}").json()["next_openings"]
    days = [dt.datetime.fromisoformat(o["start"]).date() for o in openings]
    assert closed_day not in days
    special = [o for o in openings if dt.datetime.fromisoformat(o["start"]).date() == special_day]
    assert [(o["start"][11:16], o["note"]) for o in special] == [("15:00", "Joulujuhla")]
    holidays_ahead = set(hours.holiday_dates(today + dt.timedelta(days=1), today + dt.timedelta(days=14)))
    assert not holidays_ahead & set(days) - {special_day}


def test_a_site_without_hours_has_no_next_openings(client, tampere_site):
    body = client.get(f"/api/v1/sites/{tampere_site.pk}").json()
    assert body["weekly_hours"] == [] and body["next_openings"] == []


def test_an_internal_site_is_404_and_not_listed(client, sites):
    internal = Site.objects.get(name="Sisäinen tila")
    assert client.get(f"/api/v1/sites/{internal.pk}").status_code == 404
    assert client.get("/api/v1/sites/999999").status_code == 404
    assert internal.pk not in [s["id"] for s in client.get("/api/v1/sites").json()["results"]]


def test_the_anonymous_list_is_cached_but_not_across_hosts(client, sites, settings):
    settings.ALLOWED_HOSTS = ["testserver", "kohtaamo.example"]
    assert client.get("/api/v1/sites").json()["count"] == 3
    f.site(name="Uusi")
    assert client.get("/api/v1/sites").json()["count"] == 3  # cached
    other = client.get("/api/v1/sites", HTTP_HOST="kohtaamo.example").json()
    assert other["count"] == 4
    assert all(site["url"].startswith("http://kohtaamo.example/") for site in other["results"])


def test_the_openapi_document_lists_the_sites_endpoints(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/sites" in document["paths"]
    assert "/api/v1/sites/{site_id}" in document["paths"]
    parameters = {p["name"] for p in document["paths"]["/api/v1/sites"]["get"]["parameters"]}
    assert {"municipality", "county", "kind", "language", "open_at", "offset"} <= parameters
