"""HSDS 3.0: the API under /hsds/, and `export_hsds` / `import_hsds` with their round trip."""

from __future__ import annotations

import datetime as dt
import json

import jsonschema_rs
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kohtaamo.audit.models import LogEntry
from kohtaamo.directory import hsds_mapping
from kohtaamo.directory.models import OpeningException, OpeningRule, Organisation, Site
from tests import factories as f

pytestmark = pytest.mark.django_db

TUESDAY = dt.date(2026, 11, 24)


def service_id(site: Site) -> str:
    return hsds_mapping.service_id(site.municipality.code, site.name_fi)


def full_service(client, site: Site) -> dict:
    response = client.get(f"/hsds/services/{service_id(site)}")
    assert response.status_code == 200, response.content
    return response.json()


def schedules(client, site: Site) -> list[dict]:
    return full_service(client, site)["schedules"]


@pytest.fixture
def directory(db):
    """Two running organisations, partners, three languages, and hours of every kind Kohtaamo stores."""
    pirha = f.organisation(
        name="Pirkanmaan hyvinvointialue",
        name_sv="Birkalands välfärdsområde",
        short_name="Pirha",
        kind=Organisation.Kind.COUNTY,
        business_id="3221308-6",
        website="https://www.pirha.fi",
        description="Sosiaali- ja terveyspalvelut.",
        county=f.municipality(f.TAMPERE).county,
    )
    akilta = f.organisation(name="A-kilta", name_en="A-Guild")
    parish = f.organisation(name="Tampereen seurakunnat", kind=Organisation.Kind.PARISH)
    nekala = f.site(
        name="Nekalan yhteisöneuvonta",
        name_sv="Nekala samhällsrådgivning",
        name_en="Nekala community counselling",
        description="Neuvontaa ilman ajanvarausta.",
        description_en="Counselling without an appointment.",
        accessibility="Esteetön sisäänkäynti.",
        accessibility_sv="Tillgänglig ingång.",
        kind=Site.Kind.COUNSELLING_POINT,
        organisations=[pirha, akilta],
        languages=["fi", "sv", "en"],
        street_address="Kuoppamäentie 25",
        postal_code="33800",
        post_office="Tampere",
        latitude="61.481900",
        longitude="23.785600",
        phone="+358 40 123 4567",
        email="nekala@example.fi",
        website="https://nekala.example.fi",
    )
    f.rule(nekala, weekdays=(2,), starts="11:00", ends="13:00", partners=[pirha, parish, akilta])
    f.rule(
        nekala,
        weekdays=(4,),
        starts="09:00",
        ends="11:00",
        recurrence="biweekly",
        valid_from=dt.date(2026, 1, 1),
        valid_until=dt.date(2026, 12, 31),
        description="Joka toinen viikko",
        description_sv="Varannan vecka",
        activity="breakfast",
    )
    f.rule(nekala, weekdays=(5,), starts="17:00", ends="00:00", recurrence="monthly", week_of_month=-1)
    f.exception(nekala, dt.date(2026, 12, 8), note="Koulutuspäivä", note_sv="Utbildningsdag")
    f.exception(nekala, dt.date(2026, 12, 6), closed=False, starts="12:00", ends="14:00", note="Itsenäisyyspäivä")
    olkkari = f.site(name="Olkkari", municipality=f.municipality(f.RAISIO), organisations=[parish])
    f.rule(olkkari, weekdays=(1, 3), starts="10:00", ends="14:00", recurrence="monthly", week_of_month=1)
    internal = f.site(name="Sisäinen tila", is_public=False, organisations=[pirha])
    f.rule(internal, weekdays=(1,))
    return {"nekala": nekala, "olkkari": olkkari, "internal": internal, "pirha": pirha, "akilta": akilta}


# --- The API -------------------------------------------------------------------------------------------------


def test_the_root_says_hsds_3_0_and_where_the_openapi_document_is(client):
    body = client.get("/hsds/").json()
    assert body["version"] == "3.0"
    assert body["openapi_url"] == "http://testserver/api/openapi.json"
    assert body["profile"].startswith("https://")
    assert client.get(body["openapi_url"]).status_code == 200


def test_a_weekly_tuesday_slot_from_11_to_13_is_a_weekly_schedule_on_tu(client, directory):
    tuesday = next(s for s in schedules(client, directory["nekala"]) if s.get("byday") == "TU")
    assert tuesday["freq"] == "WEEKLY" and tuesday["interval"] == 1 and tuesday["wkst"] == "MO"
    assert (tuesday["opens_at"], tuesday["closes_at"]) == ("11:00:00", "13:00:00")
    assert tuesday["attending_type"] == "in_person"
    assert tuesday["timezone"] == 2 and tuesday["x_timezone"] == "Europe/Helsinki"
    assert "Europe/Helsinki" in tuesday["notes"]
    assert "dtstart" not in tuesday and "valid_from" not in tuesday  # unset values are left out, not null


def test_a_slots_partners_are_in_its_description_and_in_an_extension(client, directory):
    tuesday = next(s for s in schedules(client, directory["nekala"]) if s.get("byday") == "TU")
    assert tuesday["description"].startswith("Neuvonta")  # HSDS carries the Finnish texts
    assert "A-kilta, Pirha, Tampereen seurakunnat" in tuesday["description"]
    org_ids = {org["id"] for org in client.get("/hsds/organizations").json()["contents"]}
    assert len(tuesday["x_partner_organization_ids"]) == 3
    assert set(tuesday["x_partner_organization_ids"]) <= org_ids


def test_an_every_second_week_rule_starts_on_its_first_occurrence(client, directory):
    thursday = next(s for s in schedules(client, directory["nekala"]) if s.get("byday") == "TH")
    assert thursday["freq"] == "WEEKLY" and thursday["interval"] == 2
    # Weeks count from 1.1.2026 (a Thursday): that Thursday is the first occurrence.
    assert thursday["dtstart"] == "2026-01-01"
    assert (thursday["valid_from"], thursday["valid_to"], thursday["until"]) == (
        "2026-01-01",
        "2026-12-31",
        "2026-12-31",
    )
    assert thursday["x_activity"] == "breakfast"
    assert thursday["x_descriptions"] == {"fi": "Joka toinen viikko", "sv": "Varannan vecka", "en": ""}


def test_monthly_rules_name_the_weekday_of_the_month(client, directory):
    last_friday = next(s for s in schedules(client, directory["nekala"]) if s.get("freq") == "MONTHLY")
    assert last_friday["byday"] == "-1FR" and last_friday["interval"] == 1
    assert last_friday["closes_at"] == "00:00:00"
    first = schedules(client, directory["olkkari"])
    assert [s["byday"] for s in first] == ["1MO,1WE"]


def test_a_closed_day_and_special_hours_are_one_day_schedules_marked_as_exceptions(client, directory):
    exceptions = [s for s in schedules(client, directory["nekala"]) if "x_exception" in s]
    special, closed = sorted(exceptions, key=lambda s: s["valid_from"])
    assert special["x_exception"] == "special_hours"
    assert (special["valid_from"], special["valid_to"], special["dtstart"], special["until"]) == ("2026-12-06",) * 4
    assert special["count"] == 1 and special["byday"] == "SU"
    assert (special["opens_at"], special["closes_at"]) == ("12:00:00", "14:00:00")
    assert "Itsenäisyyspäivä" in special["description"]
    assert closed["x_exception"] == "closed"
    assert (closed["valid_from"], closed["valid_to"]) == ("2026-12-08", "2026-12-08")
    assert not {"freq", "opens_at", "closes_at"} & closed.keys()
    assert closed["x_descriptions"] == {"fi": "Koulutuspäivä", "sv": "Utbildningsdag", "en": ""}


def test_the_full_service_nests_its_organization_location_and_address(client, directory):
    body = full_service(client, directory["nekala"])
    assert body["name"] == "Nekalan yhteisöneuvonta" and body["status"] == "active"
    assert body["x_names"] == {
        "fi": "Nekalan yhteisöneuvonta",
        "sv": "Nekala samhällsrådgivning",
        "en": "Nekala community counselling",
    }
    assert body["url"] == f"http://testserver/sites/{directory['nekala'].pk}/"
    assert [language["code"] for language in body["languages"]] == ["en", "fi", "sv"]
    assert body["phones"][0]["number"] == "+358 40 123 4567" and body["email"] == "nekala@example.fi"
    # The first running organisation by name is the service's organisation; all are listed in the extension.
    assert body["organization"]["name"] == "A-kilta" and body["organization_id"] == body["organization"]["id"]
    assert len(body["x_organization_ids"]) == 2
    (at_location,) = body["service_at_locations"]
    location = at_location["location"]
    assert at_location["location_id"] == location["id"] and at_location["service_id"] == body["id"]
    assert (location["latitude"], location["longitude"]) == (61.4819, 23.7856)
    assert location["x_municipality_code"] == f.TAMPERE
    assert location["addresses"] == [
        {
            "id": location["addresses"][0]["id"],
            "address_1": "Kuoppamäentie 25",
            "city": "Tampere",
            "region": "Tampere",
            "state_province": "Pirkanmaan hyvinvointialue",
            "postal_code": "33800",
            "country": "FI",
            "address_type": "physical",
        }
    ]
    assert location["accessibility"][0]["description"] == "Esteetön sisäänkäynti."
    assert len(body["schedules"]) == 5


def test_an_organisations_business_id_is_an_fi_pro_identifier(client, directory):
    pirha_id = hsds_mapping.organization_id(directory["pirha"])
    body = client.get(f"/hsds/organizations/{pirha_id}").json()
    assert body["name"] == "Pirkanmaan hyvinvointialue" and body["alternate_name"] == "Pirha"
    assert body["x_kind"] == "county" and body["x_county_code"] == f.PIRKANMAA
    assert body["website"] == "https://www.pirha.fi"
    (identifier,) = body["organization_identifiers"]
    assert (identifier["identifier_scheme"], identifier["identifier_type"], identifier["identifier"]) == (
        "FI-PRO",
        "Y-tunnus",
        "3221308-6",
    )
    akilta = client.get(f"/hsds/organizations/{hsds_mapping.organization_id(directory['akilta'])}").json()
    assert akilta["organization_identifiers"] == [] and akilta["x_names"]["en"] == "A-Guild"


def test_an_internal_site_is_in_no_list_and_its_id_is_404_even_for_its_coordinator(client, directory, alice, as_user):
    internal_id = service_id(directory["internal"])
    for http in (client, as_user(alice)):
        listed = http.get("/hsds/services", {"per_page": 500}).json()["contents"]
        assert len(listed) == 2 and internal_id not in {service["id"] for service in listed}
        at_locations = http.get("/hsds/service_at_locations").json()["contents"]
        assert internal_id not in {item["service_id"] for item in at_locations}
        assert http.get(f"/hsds/services/{internal_id}").status_code == 404


def test_unknown_ids_are_404(client, directory):
    for path in ("/hsds/services/", "/hsds/organizations/"):
        assert client.get(path + "00000000-0000-0000-0000-000000000000").status_code == 404
        assert client.get(path + "not-a-uuid").status_code == 404


def test_page_numbers_below_1_and_page_sizes_outside_1_to_500_are_422(client, directory):
    for path in ("/hsds/services", "/hsds/organizations", "/hsds/service_at_locations"):
        assert client.get(path, {"page": 0}).status_code == 422
        assert client.get(path, {"per_page": 0}).status_code == 422
        assert client.get(path, {"per_page": 501}).status_code == 422
        assert client.get(path, {"page": "x"}).status_code == 422
        assert client.get(path, {"per_page": 500}).status_code == 200


def test_pages_say_where_they_are_in_the_list(client, directory):
    first = client.get("/hsds/organizations", {"per_page": 2}).json()
    assert {key: first[key] for key in ("total_items", "total_pages", "page_number", "size")} == {
        "total_items": 3,
        "total_pages": 2,
        "page_number": 1,
        "size": 2,
    }
    assert first["first_page"] and not first["last_page"] and not first["empty"]
    second = client.get("/hsds/organizations", {"per_page": 2, "page": 2}).json()
    assert second["size"] == 1 and second["last_page"] and not second["first_page"]
    beyond = client.get("/hsds/organizations", {"per_page": 2, "page": 3}).json()
    assert beyond["empty"] and beyond["contents"] == []
    assert {org["id"] for org in first["contents"]} | {org["id"] for org in second["contents"]} == {
        org["id"] for org in client.get("/hsds/organizations").json()["contents"]
    }


def test_the_service_list_gives_one_to_one_fields_unless_full_is_asked(client, directory):
    basic = client.get("/hsds/services").json()["contents"]
    assert [service["name"] for service in basic] == ["Olkkari", "Nekalan yhteisöneuvonta"]  # by municipality code
    assert not {"schedules", "organization", "service_at_locations"} & basic[1].keys()
    full = client.get("/hsds/services", {"full": "true"}).json()["contents"]
    assert full[1] == full_service(client, directory["nekala"])


def _count_queries(client, path: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("full", ["false", "true"])
def test_the_number_of_queries_for_the_service_list_does_not_grow_with_the_sites(client, full):
    partner = f.organisation(name="Partner", county=f.municipality().county)

    def add_sites(count: int) -> None:
        for _ in range(count):
            site = f.site(organisations=[partner], languages=["fi", "sv"], street_address="Katu 1")
            f.rule(site, weekdays=(2,), partners=[partner])
            f.rule(site, weekdays=(3,), recurrence="monthly", week_of_month=2)
            f.exception(site, TUESDAY)

    add_sites(3)
    few = _count_queries(client, "/hsds/services", {"full": full, "per_page": 100})
    add_sites(9)
    many = _count_queries(client, "/hsds/services", {"full": full, "per_page": 100})
    assert many == few
    assert _count_queries(client, "/hsds/service_at_locations", {}) <= 4


def test_the_openapi_document_describes_the_hsds_endpoints(client):
    document = client.get("/api/openapi.json").json()
    for path in (
        "/hsds/",
        "/hsds/services",
        "/hsds/services/{id}",
        "/hsds/organizations",
        "/hsds/service_at_locations",
    ):
        assert path in document["paths"], path
    schemas = document["components"]["schemas"]
    assert "contents" in schemas["HsdsServicePage"]["properties"]
    assert "x_partner_organization_ids" in schemas["HsdsSchedule"]["properties"]


def test_the_responses_match_the_schemas_of_the_openapi_document(client, directory):
    components = client.get("/api/openapi.json").json()["components"]

    def check(path: str, schema: str) -> None:
        validator = jsonschema_rs.validator_for({"$ref": f"#/components/schemas/{schema}", "components": components})
        validator.validate(client.get(path).json())

    check("/hsds/", "HsdsInfo")
    check("/hsds/services", "HsdsServicePage")
    check("/hsds/services?full=true", "HsdsServicePage")
    check(f"/hsds/services/{service_id(directory['nekala'])}", "HsdsService")
    check("/hsds/organizations", "HsdsOrganizationPage")
    check(f"/hsds/organizations/{hsds_mapping.organization_id(directory['pirha'])}", "HsdsOrganization")
    check("/hsds/service_at_locations", "HsdsServiceAtLocationPage")
    check("/hsds/services/unknown", "HsdsNotFound")
    check("/hsds/services?page=0", "HsdsInvalid")


# --- Export and import ---------------------------------------------------------------------------------------


def export(tmp_path, name: str = "dump.json", *args) -> dict:
    path = tmp_path / name
    call_command("export_hsds", "--output", str(path), *args)
    return json.loads(path.read_text(encoding="utf-8"))


def clear_directory() -> None:
    OpeningRule.objects.all().delete()
    OpeningException.objects.all().delete()
    Site.objects.all().delete()
    Organisation.objects.all().delete()


def test_an_export_imported_into_an_empty_directory_exports_the_same(tmp_path, directory):
    before = export(tmp_path, "before.json")
    assert [len(before[table]) for table in before] == [3, 2, 2, 2, 6]
    clear_directory()

    call_command("import_hsds", str(tmp_path / "before.json"))

    assert export(tmp_path, "after.json") == before
    nekala = Site.objects.get(name_fi="Nekalan yhteisöneuvonta")
    assert (nekala.name_sv, nekala.description_en, nekala.accessibility_sv) == (
        "Nekala samhällsrådgivning",
        "Counselling without an appointment.",
        "Tillgänglig ingång.",
    )
    assert nekala.municipality.code == f.TAMPERE and nekala.is_public
    tuesday = nekala.opening_rules.get(weekdays=[2])
    assert sorted(org.name_fi for org in tuesday.partners.all()) == [
        "A-kilta",
        "Pirkanmaan hyvinvointialue",
        "Tampereen seurakunnat",
    ]
    assert nekala.opening_exceptions.get(closed=True).note_sv == "Utbildningsdag"
    assert not Site.objects.filter(name_fi="Sisäinen tila").exists()  # internal sites are not exported
    assert LogEntry.objects.filter(action="directory.hsds_import").exists()


def test_importing_the_same_dump_twice_changes_nothing(tmp_path, directory):
    before = export(tmp_path)
    counts = (Organisation.objects.count(), Site.objects.count(), OpeningRule.objects.count())
    call_command("import_hsds", str(tmp_path / "dump.json"))
    call_command("import_hsds", str(tmp_path / "dump.json"))
    assert (Organisation.objects.count(), Site.objects.count(), OpeningRule.objects.count()) == counts
    assert export(tmp_path, "again.json") == before


def test_the_export_gives_service_urls_only_with_a_base_url(tmp_path, directory):
    assert "url" not in export(tmp_path)["services"][0]
    services = export(tmp_path, "with-urls.json", "--base-url", "https://kohtaamo.example.fi/")["services"]
    olkkari = next(service for service in services if service["name"] == "Olkkari")
    assert olkkari["url"] == f"https://kohtaamo.example.fi/sites/{directory['olkkari'].pk}/"
    with pytest.raises(CommandError, match="base-url"):
        call_command("export_hsds", "--base-url", "kohtaamo.example.fi")


def _write(tmp_path, dump: dict):
    path = tmp_path / "import.json"
    path.write_text(json.dumps(dump), encoding="utf-8")
    return str(path)


def test_an_unknown_municipality_stops_the_import_and_nothing_is_saved(tmp_path, directory):
    dump = export(tmp_path)
    clear_directory()
    dump["locations"][-1]["x_municipality_code"] = "999"
    with pytest.raises(CommandError, match="unknown municipality code '999'"):
        call_command("import_hsds", _write(tmp_path, dump))
    assert not Organisation.objects.exists() and not Site.objects.exists()


def _foreign_dump() -> dict:
    """A minimal dump from another HSDS publisher: no Kohtaamo extensions at all."""
    return {
        "organizations": [{"id": "org-1", "name": "Raision kaupunki", "description": ""}],
        "services": [{"id": "svc-1", "name": "Asukastupa", "status": "active", "organization_id": "org-1"}],
        "locations": [
            {
                "id": "loc-1",
                "location_type": "physical",
                "addresses": [{"address_1": "Katu 2", "city": "Reso", "postal_code": "21200", "country": "FI"}],
            }
        ],
        "service_at_locations": [{"id": "sal-1", "service_id": "svc-1", "location_id": "loc-1"}],
        "schedules": [
            {
                "id": "s-1",
                "service_id": "svc-1",
                "freq": "WEEKLY",
                "byday": "MO,WE",
                "opens_at": "09:00",
                "closes_at": "12:00",
            }
        ],
    }


def test_import_finds_the_municipality_by_its_finnish_or_swedish_name(tmp_path, db):
    call_command("import_hsds", _write(tmp_path, _foreign_dump()))
    site = Site.objects.get(name_fi="Asukastupa")
    assert site.municipality.code == f.RAISIO  # Reso is Raisio in Swedish
    assert site.organisations.get().name_fi == "Raision kaupunki"
    rule = site.opening_rules.get()
    assert (rule.weekdays, rule.starts, rule.recurrence) == ([1, 3], dt.time(9), "weekly")


def test_import_refuses_a_place_it_cannot_tell_and_a_recurrence_it_cannot_store(tmp_path, db):
    dump = _foreign_dump()
    dump["locations"][0]["addresses"][0]["city"] = "Atlantis"
    with pytest.raises(CommandError, match="no municipality matches 'Atlantis'"):
        call_command("import_hsds", _write(tmp_path, dump))
    dump = _foreign_dump()
    dump["schedules"][0] |= {"freq": "MONTHLY", "byday": "MO", "interval": 3}
    with pytest.raises(CommandError, match="schedule s-1: Kohtaamo stores weekly"):
        call_command("import_hsds", _write(tmp_path, dump))
    assert not Site.objects.exists() and not Organisation.objects.exists()


def test_the_export_refuses_two_sites_an_import_could_not_tell_apart(tmp_path, db):
    f.site(name="Olkkari", municipality=f.municipality(f.RAISIO))
    f.site(name="Olkkari", municipality=f.municipality(f.RAISIO))
    with pytest.raises(CommandError, match="services Olkkari, Olkkari: two share a key"):
        call_command("export_hsds", "--output", str(tmp_path / "dump.json"))
    assert not (tmp_path / "dump.json").exists()
