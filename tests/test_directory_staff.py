"""Staff pages for sites and opening hours: validation errors that keep what was typed, and saves."""

import datetime as dt

import pytest

from kohtaamo.audit.models import LogEntry
from kohtaamo.directory.models import OpeningException, OpeningRule, Site
from tests import factories as f

pytestmark = pytest.mark.django_db


def slot(**fields) -> dict:
    data = {"weekdays": ["2"], "starts": "11:00", "ends": "13:00", "recurrence": "weekly", "activity": "counselling"}
    data.update(fields)
    return data


def hours_post(rules=(), exceptions=(), *, initial_rules=0, initial_exceptions=0) -> dict:
    """The POST body of the hours page: both formsets, each form's fields under its prefix."""
    data = {}
    for prefix, forms, initial in (("rules", rules, initial_rules), ("exceptions", exceptions, initial_exceptions)):
        data[f"{prefix}-TOTAL_FORMS"] = str(len(forms))
        data[f"{prefix}-INITIAL_FORMS"] = str(initial)
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for index, form in enumerate(forms):
            for key, value in form.items():
                data[f"{prefix}-{index}-{key}"] = value
    return data


def hours_url(site) -> str:
    return f"/en/staff/sites/{site.pk}/hours/"


# --- Opening hours: validation ---------------------------------------------------------------


def test_alice_sees_end_before_start_with_her_typed_slot_kept(as_user, alice, tampere_site):
    post = hours_post(
        [slot(starts="13:00", ends="11:00", description_fi="Neuvonta A-killan kanssa", weekdays=["2", "4"])]
    )
    response = as_user(alice).post(hours_url(tampere_site), post)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The end time is before the start time." in html
    assert 'value="13:00"' in html and 'value="11:00"' in html
    assert "Neuvonta A-killan kanssa" in html
    assert 'name="rules-0-weekdays" value="2"' in html and 'value="4"' in html
    assert html.count("checked") >= 2
    assert not OpeningRule.objects.exists()


def test_alice_sees_overlapping_slots_as_an_error_and_keeps_both(as_user, alice, tampere_site):
    post = hours_post([slot(starts="09:00", ends="12:00"), slot(starts="11:30", ends="14:00", weekdays=["2", "3"])])
    response = as_user(alice).post(hours_url(tampere_site), post)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Two slots overlap" in html
    assert all(f'value="{time}"' in html for time in ("09:00", "12:00", "11:30", "14:00"))
    assert not OpeningRule.objects.exists()


def test_a_slot_overlapping_an_existing_one_is_refused(as_user, alice, tampere_site):
    existing = f.rule(tampere_site, weekdays=(2,), starts="11:00", ends="13:00")
    post = hours_post(
        [slot(id=str(existing.pk), site=str(tampere_site.pk)), slot(starts="12:00", ends="15:00")], initial_rules=1
    )
    response = as_user(alice).post(hours_url(tampere_site), post)
    assert "Two slots overlap" in response.content.decode()
    assert OpeningRule.objects.count() == 1


def test_a_deleted_form_with_errors_does_not_hide_an_overlap(as_user, alice, tampere_site):
    post = hours_post(
        [slot(starts="09:00", ends="12:00"), slot(starts="10:00", ends="11:00"), slot(starts="", DELETE="on")]
    )
    response = as_user(alice).post(hours_url(tampere_site), post)
    assert response.status_code == 200
    assert "Two slots overlap" in response.content.decode()
    assert not OpeningRule.objects.exists()


def test_slots_on_alternate_weeks_at_the_same_time_are_fine(as_user, alice, tampere_site):
    post = hours_post(
        [
            slot(recurrence="biweekly", valid_from="2026-11-02"),
            slot(recurrence="biweekly", valid_from="2026-11-09"),
        ]
    )
    assert as_user(alice).post(hours_url(tampere_site), post).status_code == 302
    assert OpeningRule.objects.filter(site=tampere_site).count() == 2


def test_alice_sees_an_inverted_validity_with_her_dates_kept(as_user, alice, tampere_site):
    post = hours_post([slot(valid_from="2027-06-01", valid_until="2027-01-31")])
    response = as_user(alice).post(hours_url(tampere_site), post)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The validity ends before it starts." in html
    assert 'value="2027-06-01"' in html and 'value="2027-01-31"' in html
    assert "is violated" not in html  # the check constraint's generic message is not shown as well


def test_a_biweekly_slot_without_a_start_date_is_explained(as_user, alice, tampere_site):
    response = as_user(alice).post(hours_url(tampere_site), hours_post([slot(recurrence="biweekly")]))
    assert response.status_code == 200
    assert "needs a start date to count weeks from" in response.content.decode()


def test_a_blank_start_time_is_a_field_error_not_a_crash(as_user, alice, tampere_site):
    response = as_user(alice).post(hours_url(tampere_site), hours_post([slot(starts="", description_fi="Aamukahvit")]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html
    assert "Aamukahvit" in html


def test_special_hours_need_both_times_and_keep_the_date(as_user, alice, tampere_site):
    post = hours_post(exceptions=[{"date": "2026-12-06", "starts": "12:00", "note_fi": "Itsenäisyyspäivän kahvit"}])
    response = as_user(alice).post(hours_url(tampere_site), post)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Give both times for special hours, or mark the day closed." in html
    assert 'value="2026-12-06"' in html and "Itsenäisyyspäivän kahvit" in html
    assert "is violated" not in html
    assert not OpeningException.objects.exists()


def test_a_day_cannot_be_both_closed_and_open_at_special_hours(as_user, alice, tampere_site):
    post = hours_post(
        exceptions=[{"date": "2026-12-08", "closed": "on"}, {"date": "2026-12-08", "starts": "10:00", "ends": "12:00"}]
    )
    response = as_user(alice).post(hours_url(tampere_site), post)
    assert response.status_code == 200
    assert "is both closed and open at special hours" in response.content.decode()


def test_rule_and_exception_errors_are_shown_together(as_user, alice, tampere_site):
    post = hours_post(
        [slot(starts="13:00", ends="11:00")], [{"date": "2026-12-08", "starts": "12:00", "ends": "10:00"}]
    )
    html = as_user(alice).post(hours_url(tampere_site), post).content.decode()
    assert html.count("The end time is before the start time.") == 2


# --- Opening hours: saving and the audit log -------------------------------------------------


def test_alice_saves_slots_with_partners_and_an_exception_and_each_is_logged(as_user, alice, tampere_site):
    kilta = f.organisation(name="A-kilta")
    post = hours_post(
        [
            slot(partners=[str(kilta.pk)], description_fi="Neuvonta"),
            slot(weekdays=["5"], starts="20:00", ends="00:00", activity="cafe"),
            slot(weekdays=["1"], starts="09:00", ends="11:00", recurrence="monthly", week_of_month="1"),
        ],
        [{"date": "2026-12-06", "starts": "12:00", "ends": "14:00", "note_fi": "Itsenäisyyspäivä"}],
    )
    response = as_user(alice).post(hours_url(tampere_site), post)
    assert response.status_code == 302
    assert response["Location"] == hours_url(tampere_site)
    rules = {rule.starts: rule for rule in OpeningRule.objects.filter(site=tampere_site)}
    assert list(rules[dt.time(11)].partners.all()) == [kilta]
    assert rules[dt.time(20)].ends == dt.time(0)
    assert rules[dt.time(9)].week_of_month == 1
    entries = LogEntry.objects.filter(actor=alice, object_id=str(tampere_site.pk))
    assert sorted(entries.values_list("action", flat=True)) == [
        "opening_exception.create",
        "opening_rule.create",
        "opening_rule.create",
        "opening_rule.create",
    ]
    created = entries.get(action="opening_rule.create", data__item=rules[dt.time(11)].pk)
    assert created.data["changes"]["partners"] == [None, [kilta.pk]]
    assert created.data["changes"]["starts"] == [None, "11:00:00"]


def test_changing_a_slot_logs_the_old_and_new_values(as_user, alice, tampere_site):
    existing = f.rule(tampere_site, weekdays=(2,), starts="11:00", ends="13:00")
    post = hours_post([slot(id=str(existing.pk), site=str(tampere_site.pk), ends="14:00")], initial_rules=1)
    assert as_user(alice).post(hours_url(tampere_site), post).status_code == 302
    entry = LogEntry.objects.get(action="opening_rule.update")
    assert entry.actor == alice
    assert entry.data["item"] == existing.pk
    assert entry.data["changes"] == {"ends": ["13:00:00", "14:00:00"]}


def test_deleting_a_slot_logs_what_it_was(as_user, alice, tampere_site):
    existing = f.rule(tampere_site, weekdays=(2,), starts="11:00", ends="13:00")
    post = hours_post([slot(id=str(existing.pk), site=str(tampere_site.pk), DELETE="on")], initial_rules=1)
    assert as_user(alice).post(hours_url(tampere_site), post).status_code == 302
    assert not OpeningRule.objects.exists()
    entry = LogEntry.objects.get(action="opening_rule.delete")
    assert entry.data["item"] == existing.pk
    assert entry.data["before"]["starts"] == "11:00:00"


def test_saving_unchanged_hours_logs_nothing(as_user, alice, tampere_site):
    existing = f.rule(tampere_site, weekdays=(2,), starts="11:00", ends="13:00")
    post = hours_post([slot(id=str(existing.pk), site=str(tampere_site.pk))], initial_rules=1)
    assert as_user(alice).post(hours_url(tampere_site), post).status_code == 302
    assert not LogEntry.objects.exists()


def test_the_hours_page_shows_existing_slots(as_user, alice, tampere_site):
    f.rule(tampere_site, weekdays=(2,), starts="11:00", ends="13:00")
    html = as_user(alice).get(hours_url(tampere_site)).content.decode()
    assert 'value="11:00"' in html and 'value="13:00"' in html


# --- Sites --------------------------------------------------------------------------------


def site_post(**fields) -> dict:
    data = {"name_fi": "Kohtaamo Kaleva", "kind": "meeting_place", "municipality": str(f.municipality(f.TAMPERE).pk)}
    data.update(fields)
    return data


def test_alice_sees_an_unknown_municipality_with_everything_else_kept(as_user, alice):
    post = site_post(municipality="999999", street_address="Sammonkatu 1", postal_code="33540", is_public="on")
    response = as_user(alice).post("/en/staff/sites/new/", post)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Unknown municipality, or one outside your area." in html
    assert 'value="Kohtaamo Kaleva"' in html and 'value="Sammonkatu 1"' in html and 'value="33540"' in html
    assert not Site.objects.exists()


def test_alice_cannot_place_a_site_in_another_county(as_user, alice):
    response = as_user(alice).post("/en/staff/sites/new/", site_post(municipality=str(f.municipality(f.RAISIO).pk)))
    assert response.status_code == 200
    assert "Unknown municipality, or one outside your area." in response.content.decode()
    assert not Site.objects.exists()


def test_alice_creates_a_site_and_it_is_logged(as_user, alice):
    response = as_user(alice).post("/en/staff/sites/new/", site_post(is_public="on", postal_code="33540"))
    site = Site.objects.get()
    assert response.status_code == 302
    assert response["Location"] == hours_url(site)
    assert site.name_fi == "Kohtaamo Kaleva" and site.municipality.code == f.TAMPERE and site.postal_code == "33540"
    entry = LogEntry.objects.get(action="site.create")
    assert (entry.actor, entry.object_type, entry.object_id) == (alice, "directory.site", str(site.pk))
    assert entry.data["changes"]["name_fi"] == [None, "Kohtaamo Kaleva"]


def test_alice_renames_a_site_and_the_change_is_logged(as_user, alice, tampere_site):
    post = site_post(name_fi="Hervannan yhteisökeskus", kind="community_centre", is_public="on")
    response = as_user(alice).post(f"/en/staff/sites/{tampere_site.pk}/", post)
    assert response.status_code == 302
    entry = LogEntry.objects.get(action="site.update")
    assert entry.actor == alice
    assert entry.data["changes"]["name_fi"] == ["Hervanta L8", "Hervannan yhteisökeskus"]
    assert "kind" not in entry.data["changes"]


def test_a_bad_postal_code_keeps_the_typed_site(as_user, alice, tampere_site):
    post = site_post(name_fi="Hervanta L8", postal_code="335", description_fi="Olohuone kaikille")
    response = as_user(alice).post(f"/en/staff/sites/{tampere_site.pk}/", post)
    assert response.status_code == 200
    html = response.content.decode()
    assert "A postal code has five digits." in html
    assert 'value="335"' in html and "Olohuone kaikille" in html
    assert not LogEntry.objects.exists()


def test_the_staff_list_shows_only_sites_in_alices_area(as_user, alice, tampere_site, raisio_site):
    response = as_user(alice).get("/en/staff/sites/")
    assert list(response.context["sites"]) == [tampere_site]
