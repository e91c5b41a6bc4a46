"""The audit log of directory changes: who, when and what, and nothing for refused changes."""

import pytest
from django.utils import timezone

from kohtaamo.audit.models import LogEntry
from kohtaamo.directory.models import OpeningException
from tests import factories as f

pytestmark = pytest.mark.django_db


def hours_post(exceptions) -> dict:
    data = {"rules-TOTAL_FORMS": "0", "rules-INITIAL_FORMS": "0"}
    data |= {"exceptions-TOTAL_FORMS": str(len(exceptions)), "exceptions-INITIAL_FORMS": "0"}
    for index, form in enumerate(exceptions):
        data |= {f"exceptions-{index}-{key}": value for key, value in form.items()}
    return data


def test_a_site_change_records_who_when_and_what(as_user, alice, tampere_site):
    started = timezone.now()
    post = {"name_fi": "Hervanta L8", "kind": "community_centre", "is_public": "on"}
    post |= {"municipality": str(tampere_site.municipality.pk), "phone": "040 123 4567", "accessibility_fi": "Hissi"}
    assert as_user(alice).post(f"/staff/sites/{tampere_site.pk}/", post).status_code == 302
    (entry,) = LogEntry.objects.all()
    assert (entry.actor, entry.actor_name, entry.action) == (alice, "alice", "site.update")
    assert started <= entry.created_at <= timezone.now()
    assert (entry.object_type, entry.object_id, entry.object_repr) == (
        "directory.site",
        str(tampere_site.pk),
        "Hervanta L8",
    )
    assert entry.data["changes"] == {
        "phone": ["", "040 123 4567"],
        "accessibility": ["", "Hissi"],
        "accessibility_fi": [None, "Hissi"],
    }


def test_an_exception_is_logged_against_its_site(as_user, ada, tampere_site):
    post = hours_post([{"date": "2026-12-24", "closed": "on", "note_fi": "Jouluaatto"}])
    assert as_user(ada).post(f"/staff/sites/{tampere_site.pk}/hours/", post).status_code == 302
    exception = OpeningException.objects.get()
    entry = LogEntry.objects.get(action="opening_exception.create")
    assert (entry.actor, entry.object_id, entry.data["item"]) == (ada, str(tampere_site.pk), exception.pk)
    assert entry.data["changes"]["date"] == [None, "2026-12-24"]
    assert entry.data["changes"]["closed"] == [None, True]


def test_a_refused_or_invalid_change_writes_nothing(as_user, alice, carol, vera, tampere_site):
    invalid = hours_post([{"date": "2026-12-24", "starts": "12:00"}])
    assert as_user(alice).post(f"/staff/sites/{tampere_site.pk}/hours/", invalid).status_code == 200
    valid = hours_post([{"date": "2026-12-24", "closed": "on"}])
    assert as_user(carol).post(f"/staff/sites/{tampere_site.pk}/hours/", valid).status_code == 404
    assert as_user(vera).post(f"/staff/sites/{tampere_site.pk}/hours/", valid).status_code == 403
    assert not LogEntry.objects.exists()
    assert not OpeningException.objects.exists()


def test_the_log_keeps_the_actors_name_after_the_account_is_erased(as_user, tampere_site):
    temp = f.user("tilapainen", role="coordinator", county=f.PIRKANMAA)
    post = hours_post([{"date": "2026-12-24", "closed": "on"}])
    assert as_user(temp).post(f"/staff/sites/{tampere_site.pk}/hours/", post).status_code == 302
    temp.delete()
    entry = LogEntry.objects.get()
    assert entry.actor is None and entry.actor_name == "tilapainen"
