"""The batch API's cost: a fixed number of queries per batch, not a few per encounter."""

import datetime as dt
import json
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kohtaamo.encounters import batch
from kohtaamo.encounters.models import Encounter
from kohtaamo.lib import hours
from kohtaamo.lib.hours import HELSINKI
from tests import factories as f
from tests import factories_encounters as fe

pytestmark = pytest.mark.django_db
URL = "/api/v1/encounters/batch"


def item(at_site, **fields) -> dict:
    return {
        "client_uuid": str(uuid.uuid4()),
        "site": at_site.pk,
        "occurred_at": timezone.now().astimezone(HELSINKI).isoformat(),
        "topics": ["housing", "health"],
        "help_forms": ["advice"],
        "referrals": ["kela"],
        **fields,
    }


def post(items, token: str) -> tuple[list[dict], int]:
    with CaptureQueriesContext(connection) as queries:
        response = Client().post(
            URL,
            data=json.dumps({"encounters": items}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200
    return response.json()["results"], len(queries)


@pytest.fixture
def token(bob):
    return fe.api_token(bob)[1]


def test_a_batch_costs_the_same_number_of_queries_for_two_encounters_as_for_fifty(token, bob, tampere_site):
    post([item(tampere_site)], token)  # opens today's session, once
    results, two = post([item(tampere_site) for _ in range(2)], token)
    assert {r["status"] for r in results} == {"created"}
    results, fifty = post([item(tampere_site) for _ in range(50)], token)
    assert {r["status"] for r in results} == {"created"}
    assert fifty == two
    assert Encounter.objects.count() == 53
    stored = Encounter.objects.filter(client_uuid=results[-1]["client_uuid"]).get()
    assert sorted(t.code for t in stored.topics.all()) == ["health", "housing"]
    assert [t.code for t in stored.referrals.all()] == ["kela"]
    assert bob in stored.session.staff_present.all()


def test_a_batch_over_several_sites_costs_queries_per_new_session_not_per_encounter(token, bob, tampere_site):
    other = f.site(name="Nokian olkkari", municipality=f.municipality(f.NOKIA))
    bob.sites.add(other)
    post([item(tampere_site), item(other)], token)
    _results, few = post([item(tampere_site), item(other)], token)
    _results, many = post([item(site) for site in (tampere_site, other) for _ in range(20)], token)
    assert many == few


def test_bad_items_and_duplicates_in_a_batch_are_answered_item_by_item(token, tampere_site):
    first = item(tampere_site)
    post([first], token)
    again, bad, good = first, item(tampere_site, topics=["no_such_code"]), item(tampere_site)
    results, _queries = post([again, bad, good, good], token)
    assert [r["status"] for r in results] == ["duplicate", "rejected", "created", "duplicate"]
    assert results[1]["errors"][0]["code"] == "unknown_code"
    assert Encounter.objects.count() == 2


def test_a_resend_racing_the_batch_is_a_duplicate_and_the_others_are_stored(token, bob, tampere_site, monkeypatch):
    post([item(tampere_site)], token)
    items = [item(tampere_site) for _ in range(3)]
    session = Encounter.objects.get().session
    load = batch._load_day_sessions

    def racing_resend(context, batch_items):
        # The same item, sent again from a second connection, lands between the check and the insert.
        fe.encounter(session, by=bob, client_uuid=uuid.UUID(items[1]["client_uuid"]))
        load(context, batch_items)

    monkeypatch.setattr(batch, "_load_day_sessions", racing_resend)
    results, _queries = post(items, token)
    assert [r["status"] for r in results] == ["created", "duplicate", "created"]
    assert Encounter.objects.count() == 4


def _sql(items, token: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = Client().post(
            URL,
            data=json.dumps({"encounters": items}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def test_a_batch_reads_the_opening_hours_only_after_they_changed(token, tampere_site):
    """The schedules are cached under the site's version in the database: an edit is seen at once."""
    now = timezone.now().astimezone(HELSINKI)
    if hours.holiday_name(now.date()) or now.time() < dt.time(0, 5):
        pytest.skip("a public holiday closes the day whatever the rules; the rule below opens at 00:05")
    _sql([item(tampere_site)], token)
    sql = _sql([item(tampere_site) for _ in range(3)], token)
    assert not any("directory_opening" in query for query in sql)
    first = Encounter.objects.latest("pk").session
    assert first.kind == first.Kind.AD_HOC  # no rules: the day's ad-hoc session
    rule = f.rule(tampere_site, weekdays=range(1, 8), starts="00:05", ends="00:00")  # every day till midnight
    sql = _sql([item(tampere_site)], token)
    assert any("directory_openingrule" in query for query in sql)  # a new version: read once
    session = Encounter.objects.latest("pk").session
    assert (session.kind, session.opening_rule_id) == (session.Kind.SCHEDULED, rule.pk)
    sql = _sql([item(tampere_site)], token)
    assert not any("directory_opening" in query for query in sql)
    assert Encounter.objects.latest("pk").session == session


def test_a_full_batch_of_five_hundred_costs_the_queries_of_a_batch_of_three(token, bob, tampere_site):
    """The constant: auth, sites (the vocabulary's version read beside them), sessions, then one INSERT per table
    in a transaction (savepoints here): 10 with every term field."""
    post([item(tampere_site)], token)  # opens today's session and fills this process's vocabulary
    full = {"more_info": ["housing"], "language": "fi", "coping": "better"}
    results, three = post([item(tampere_site, **full) for _ in range(3)], token)
    assert {r["status"] for r in results} == {"created"}
    results, five_hundred = post([item(tampere_site, **full) for _ in range(500)], token)
    assert {r["status"] for r in results} == {"created"}
    assert five_hundred == three == 10
    stored = Encounter.objects.get(client_uuid=results[-1]["client_uuid"])
    assert (stored.language.code, stored.coping) == ("fi", "better")
    assert [t.code for t in stored.more_info.all()] == ["housing"]
    assert Encounter.objects.count() == 504


def test_a_batch_with_nothing_refused_reads_no_client_uuids_and_marks_presence_once(token, bob, tampere_site):
    """Duplicates of good items are answered by the INSERT; the actor's presence is read with the sessions."""
    sql = _sql([item(tampere_site)], token)
    assert any(query.startswith("INSERT") and "staff_present" in query for query in sql)  # the day's first batch
    assert bob in Encounter.objects.get().session.staff_present.all()
    sql = _sql([item(tampere_site) for _ in range(3)], token)
    assert not any("staff_present" in query for query in sql if query.startswith("INSERT"))
    assert not any(query.startswith('SELECT "client_uuid"') for query in sql)


def test_a_changed_term_is_seen_by_the_next_batch(token, ada, tampere_site):
    """The vocabulary kept in the process is read again once a term changes (models.Vocabulary)."""
    from kohtaamo.encounters import taxonomies

    results, _queries = post([item(tampere_site, topics=["loneliness"])], token)
    assert results[0]["status"] == "created"
    taxonomies.term_retire(actor=ada, term=fe.term("loneliness"))
    results, _queries = post([item(tampere_site, topics=["loneliness"])], token)
    assert [e["code"] for e in results[0]["errors"]] == ["retired_code"]
    county_term = fe.county_term("food_bank", f.PIRKANMAA)
    results, _queries = post([item(tampere_site, topics=[county_term.code])], token)
    assert results[0]["status"] == "created"
