"""Two clients at once: the same batch is stored once, and every tap on the tally counts.

These run on SQLite (writers queue behind one lock) and on PostgreSQL (writers really race:
the unique constraints on client_uuid and on (site, starts_at) decide). CI runs both.
"""

import json
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from kohtaamo.encounters import sessions
from kohtaamo.encounters.models import Encounter, Session
from kohtaamo.lib.hours import HELSINKI
from tests import factories_encounters as fe

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_together(count: int, work) -> list:
    """Run `work(i)` in `count` threads that start at the same moment; return their results."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def test_the_same_batch_sent_by_two_clients_at_once_stores_each_item_once(bob, tampere_site):
    raw = fe.api_token(bob)[1]
    now = timezone.now().astimezone(HELSINKI).isoformat()
    batch = [
        {"client_uuid": str(uuid.uuid4()), "site": tampere_site.pk, "occurred_at": now, "topics": ["housing"]}
        for _ in range(60)
    ]

    def send(_index: int) -> list[dict]:
        response = Client().post(
            "/api/v1/encounters/batch",
            data=json.dumps({"encounters": batch}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {raw}"},
        )
        assert response.status_code == 200, response.content
        return response.json()["results"]

    first, second = run_together(2, send)
    for item, one, other in zip(batch, first, second, strict=True):
        assert one["client_uuid"] == other["client_uuid"] == item["client_uuid"]
        assert sorted([one["status"], other["status"]]) == ["created", "duplicate"]
    assert Encounter.objects.count() == len(batch)
    assert Session.objects.count() == 1  # the day's session was opened once too


def test_taps_on_the_tally_from_two_phones_at_once_all_count(bob, alice, tampere_site):
    session = fe.session(tampere_site)
    users = [bob, alice]

    def tap(index: int) -> None:
        mine = Session.objects.get(pk=session.pk)
        for _ in range(15):
            sessions.tally_change(actor=users[index], session=mine, delta=1)

    run_together(2, tap)
    session.refresh_from_db()
    assert session.visitor_count == 30
