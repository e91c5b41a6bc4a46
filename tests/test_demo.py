"""The demo data loader: seed 002's sites with their exact hours and partners, and the five demo logins."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from kohtaamo.accounts.models import Role, User
from kohtaamo.directory import demo
from kohtaamo.directory.models import OpeningException, OpeningRule, Organisation, Site
from kohtaamo.lib import hours

pytestmark = pytest.mark.django_db

SEED_002_SITES = 28  # seed 002's list, Hervanta L8 counted twice (community centre and counselling point)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Five demo logins are hashed per load; the real hasher would make each test take seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", "--force", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "sites": Site.objects.count(),
        "rules": OpeningRule.objects.count(),
        "partners": OpeningRule.partners.through.objects.count(),
        "exceptions": OpeningException.objects.count(),
        "organisations": Organisation.objects.count(),
        "site_organisations": Site.organisations.through.objects.count(),
        "users": User.objects.count(),
    }


def demo_site(name: str, municipality: str = "Tampere") -> Site:
    return Site.objects.get(name_fi=name, municipality__name_fi=municipality)


def slots(site: Site) -> list[tuple[list[int], str, str, list[str]]]:
    return [
        (
            rule.weekdays,
            f"{rule.starts:%H:%M}",
            f"{rule.ends:%H:%M}",
            sorted(partner.name_fi for partner in rule.partners.all()),
        )
        for rule in site.opening_rules.order_by("starts", "pk")
    ]


def test_load_demo_refuses_to_run_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo", stdout=StringIO())
    assert not Site.objects.exists()
    assert not User.objects.filter(username__startswith="demo-").exists()


def test_load_demo_runs_without_force_when_debug_is_on(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    assert User.objects.filter(username="demo-admin").exists()


def test_load_demo_creates_the_five_demo_logins_in_pirkanmaa():
    output = load()
    expected = {
        "demo-admin": Role.ADMIN,
        "demo-coordinator": Role.COORDINATOR,
        "demo-professional": Role.PROFESSIONAL,
        "demo-counsellor": Role.COUNSELLOR,
        "demo-viewer": Role.VIEWER,
    }
    for username, role in expected.items():
        user = authenticate(username=username, password="kohtaamo-demo")
        assert user is not None, username
        assert user.role == role
        assert username in output
    assert "kohtaamo-demo" in output
    assert "/accounts/login/" in output

    tampere = demo_site("Yhteisöneuvonta Nekala").municipality
    for username in ("demo-admin", "demo-coordinator", "demo-professional", "demo-viewer"):
        user = User.objects.get(username=username)
        assert user.county == tampere.county
        assert user.county.name_fi == "Pirkanmaan hyvinvointialue"
    admin = User.objects.get(username="demo-admin")
    assert admin.is_staff and admin.is_superuser
    assert not User.objects.filter(username__startswith="demo-", is_superuser=True).exclude(pk=admin.pk).exists()


def test_demo_counsellor_is_scoped_to_two_tampere_sites_and_not_the_whole_county():
    load()
    counsellor = User.objects.get(username="demo-counsellor")
    assert counsellor.county is None
    assert sorted(counsellor.sites.values_list("name_fi", flat=True)) == [
        "Yhteisöneuvonta Hervanta L8",
        "Yhteisöneuvonta Nekala",
    ]
    assert counsellor.can_view_site(demo_site("Yhteisöneuvonta Nekala"))
    assert not counsellor.can_edit_site(demo_site("Yhteisöneuvonta Nekala"))
    assert not counsellor.can_edit_site(demo_site("Yhteisöneuvonta Annala"))


def test_load_demo_twice_changes_nothing():
    load()
    before = counts()
    rule_ids = set(OpeningRule.objects.values_list("pk", flat=True))
    output = load()
    assert counts() == before
    assert set(OpeningRule.objects.values_list("pk", flat=True)) == rule_ids
    assert "(0 rows created, 0 updated, 0 deleted)" in output
    assert demo.load_demo().changed == 0


def test_load_demo_restores_edited_hours_and_a_changed_password():
    load()
    nekala = demo_site("Yhteisöneuvonta Nekala")
    nekala.opening_rules.update(ends=dt.time(16))
    OpeningRule.objects.create(site=nekala, weekdays=[5], starts=dt.time(9), ends=dt.time(10))
    counsellor = User.objects.get(username="demo-counsellor")
    counsellor.set_password("something-else-entirely")
    counsellor.save()

    load()

    assert [(days, starts, ends) for days, starts, ends, _partners in slots(nekala)] == [([2], "11:00", "13:00")]
    assert authenticate(username="demo-counsellor", password="kohtaamo-demo") is not None


def test_the_demo_has_every_site_of_seed_002_in_pirkanmaa():
    load()
    pirkanmaa = Site.objects.in_county(demo.PIRKANMAA)
    assert pirkanmaa.count() == SEED_002_SITES
    assert not pirkanmaa.filter(is_public=False).exists()
    assert not pirkanmaa.exclude(street_address="").exists()
    assert set(pirkanmaa.values_list("municipality__name_fi", flat=True)) == {
        "Tampere",
        "Ruovesi",
        "Orivesi",
        "Lempäälä",
        "Nokia",
        "Vesilahti",
        "Pälkäne",
        "Sastamala",
        "Akaa",
        "Valkeakoski",
        "Urjala",
        "Kangasala",
        "Mänttä-Vilppula",
        "Juupajoki",
        "Virrat",
    }
    for site in Site.objects.all():
        assert list(site.languages.values_list("code", flat=True)) == ["fi"], site
        assert site.name_sv and site.name_en and site.description_fi and site.description_sv and site.description_en


def test_nekala_counselling_is_on_tuesdays_11_to_13_with_pirha_the_parish_and_valo_valmennus():
    load()
    nekala = demo_site("Yhteisöneuvonta Nekala")
    assert nekala.kind == Site.Kind.COUNSELLING_POINT
    assert nekala.name_sv == "Samhällsrådgivning Nekala"
    assert nekala.frequency == Site.Frequency.WEEKLY
    assert slots(nekala) == [
        (
            [2],
            "11:00",
            "13:00",
            ["Pirkanmaan hyvinvointialue", "Tampereen seurakuntayhtymä", "Valo-Valmennusyhdistys ry"],
        )
    ]
    assert nekala.opening_rules.get().activity == "counselling"
    assert nekala.responsible_person == "Joonas Kiviranta, johtava ohjaaja"
    assert Organisation.objects.get(short_name="Pirha").kind == Organisation.Kind.COUNTY


def test_hervanta_l8_is_a_community_centre_and_a_counselling_point():
    load()
    centre = demo_site("Yhteisökeskus Hervanta L8")
    counselling = demo_site("Yhteisöneuvonta Hervanta L8")
    assert centre.kind == Site.Kind.COMMUNITY_CENTRE
    assert counselling.kind == Site.Kind.COUNSELLING_POINT
    weekdays = [1, 2, 3, 4, 5]
    assert slots(centre) == [(weekdays, "08:00", "15:00", ["Pirkanmaan hyvinvointialue"])]
    assert slots(counselling) == [(weekdays, "08:00", "15:00", ["Pirkanmaan hyvinvointialue", "Tampereen A-kilta ry"])]
    assert centre.frequency == Site.Frequency.DAILY


def test_sites_listed_without_hours_have_no_opening_rules():
    load()
    for name, municipality in [
        ("Viadia Mänttä-Vilppula", "Mänttä-Vilppula"),
        ("Kohtaamispaikka Aleksiina", "Ruovesi"),
        ("Päiväkeskus Kieppi", "Virrat"),
        ("Päivätoimintakeskus Pähee", "Tampere"),
        ("Päivätoimintakeskus Huoltsu", "Tampere"),
    ]:
        site = demo_site(name, municipality)
        assert not site.opening_rules.exists(), name
        assert not site.schedule.is_published, name
        assert site.organisations.exists(), name


def test_kangasala_has_teemun_neuvo_in_two_slots_and_viadia_in_two_slots():
    load()
    teemu = ["Teemu ry"]
    assert slots(demo_site("TeeMun Neuvo", "Kangasala")) == [
        ([2], "09:00", "12:00", teemu),
        ([4], "12:00", "15:00", teemu),
    ]
    viadia = ["Viadia Pirkanmaa ry"]
    assert slots(demo_site("Yhteisökeskus Viadia", "Kangasala")) == [
        ([1, 2, 3, 4], "09:00", "15:00", viadia),
        ([5], "09:00", "14:00", viadia),
    ]


def test_the_seeds_odd_hours_are_kept_exactly():
    load()
    assert slots(demo_site("Kohtaamispaikka Narikka", "Valkeakoski")) == [
        ([2], "13:00", "15:30", ["Pirkanmaan hyvinvointialue"])
    ]
    assert slots(demo_site("Kohtaamispaikka Narikka", "Akaa")) == [
        ([1], "09:00", "12:00", ["Pirkanmaan hyvinvointialue"])
    ]
    assert slots(demo_site("Yhteisöneuvonta Pälkäne", "Pälkäne"))[0][0] == [2, 3, 4]
    assert slots(demo_site("Yhteisöneuvonta Hatanpää (Sarvis)"))[0][:3] == ([2, 4], "09:00", "14:00")
    assert slots(demo_site("Lähitoritoiminnan Perjantai-klubi", "Juupajoki")) == [([5], "09:00", "13:00", [])]
    avaamo = demo_site("Avaamo-vanhemmuskahvila")
    assert avaamo.opening_rules.get().activity == "cafe"
    assert slots(avaamo)[0][3] == [
        "Pakolaisnuorten tuki ry",
        "Pikassos Oy",
        "Pirkanmaan hyvinvointialue",
        "Tampereen kaupunki",
    ]


def test_urjala_records_the_old_partners_and_mentions_the_new_organiser():
    load()
    urjala = demo_site("Lauantaipöhinät", "Urjala")
    assert slots(urjala) == [
        ([6], "10:30", "12:00", ["Pirkanmaan hyvinvointialue", "Urjalan kunta", "Urjalan seurakunta"])
    ]
    assert urjala.opening_rules.get().activity == "group"
    assert "Huhdin kyläyhdistys" in urjala.description_fi
    assert urjala.organisations.filter(name_fi="Huhdin kyläyhdistys").exists()


def test_every_demo_rule_is_valid_and_no_site_has_overlapping_rules():
    load()
    for site in Site.objects.with_hours():
        rules = list(site.opening_rules.all())
        for rule in rules:
            rule.full_clean()
        assert hours.overlapping_pairs(rule.as_slot() for rule in rules) == [], site
        for exception in site.opening_exceptions.all():
            exception.full_clean()


def test_no_demo_organisation_has_an_invented_business_id():
    load()
    assert not Organisation.objects.exclude(business_id="").exists()


def test_demo_shows_a_closed_day_and_a_holiday_opening_ahead():
    today = dt.date(2026, 11, 23)
    demo.load_demo(today=today)
    centre = Site.objects.with_hours().get(name_fi="Yhteisökeskus Hervanta L8")

    closed = centre.opening_exceptions.get(closed=True)
    assert today < closed.date <= today + dt.timedelta(weeks=3)
    assert closed.note_fi == "Henkilöstökoulutus"
    assert closed.date.isoweekday() <= 5
    assert centre.schedule.openings_on(closed.date) == []

    special = centre.opening_exceptions.get(closed=False)
    assert special.date > today
    assert hours.holiday_name(special.date)
    assert len(centre.schedule.openings_on(special.date)) == 1

    # On a later day the exceptions move along, and nothing else changes.
    rules = set(OpeningRule.objects.values_list("pk", flat=True))
    summary = demo.load_demo(today=today + dt.timedelta(days=30))
    assert summary.updated == 0
    assert set(OpeningRule.objects.values_list("pk", flat=True)) == rules
    assert centre.opening_exceptions.get(closed=True).date > today + dt.timedelta(days=30)


def test_puumala_olkkari_and_petasmaki_are_in_their_own_counties():
    load()
    puumala = demo_site("Puumalan kylätalo", "Puumala")
    assert puumala.kind == Site.Kind.VILLAGE_HOUSE
    assert puumala.county.name_fi == "Etelä-Savon hyvinvointialue"
    assert not puumala.opening_rules.exists()
    assert set(puumala.organisations.values_list("name_fi", flat=True)) == {
        "Puumalan kunta",
        "Puumalan Klupi",
        "Etelä-Savon hyvinvointialue",
    }

    olkkari = demo_site("Olkkari", "Raisio")
    assert olkkari.kind == Site.Kind.MEETING_PLACE
    assert olkkari.county.name_fi == "Varsinais-Suomen hyvinvointialue"

    petasmaki = demo_site("Petäsmäen asukastupa", "Raisio")
    assert petasmaki.kind == Site.Kind.RESIDENTS_LOUNGE
    assert petasmaki.frequency == Site.Frequency.MONTHLY
    assert not petasmaki.opening_rules.exists()
    assert petasmaki.county == olkkari.county
