"""kohtaamo/lib/bulk.py: multi-row INSERTs of plain values, prepared for the database as the ORM prepares them."""

import datetime as dt
import uuid

import pytest
from django.db import connection, models
from django.utils import timezone

from kohtaamo.encounters.models import Encounter, EncounterTopic, Session
from kohtaamo.lib import bulk
from kohtaamo.lib.hours import HELSINKI
from tests import factories_encounters as fe

pytestmark = pytest.mark.django_db


class Shouting(models.CharField):
    def get_prep_value(self, value):
        return super().get_prep_value(value).upper()


SAMPLES = {
    "client_uuid": [uuid.uuid4(), str(uuid.uuid4())],
    "occurred_at": [dt.datetime(2026, 3, 29, 4, tzinfo=HELSINKI), dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC), None],
    "coping": ["better", None],
    "note": ["", "a note"],
    "session": [7, "7", None],
    "created_by_id": [3, None],
}


def test_values_are_prepared_as_get_db_prep_save_prepares_them():
    for name, values in SAMPLES.items():
        field = Encounter._meta.get_field(name)
        prepare = bulk._preparer(field, connection)
        for value in values:
            expected = None if value is None else field.get_db_prep_save(value, connection)
            assert prepare(value, connection) == expected, (name, value)
    shouting = Shouting(max_length=10)
    assert bulk._preparer(shouting, connection)("quiet", connection) == "QUIET"  # its own preparation is kept


def test_inserted_rows_read_back_as_the_orm_wrote_them(bob, tampere_site):
    session = Session.objects.create(site=tampere_site, date=dt.date(2026, 3, 2), starts_at=timezone.now())
    key, moment = uuid.uuid4(), dt.datetime(2026, 3, 2, 12, tzinfo=HELSINKI)
    columns = ("client_uuid", "session_id", "site_id", "occurred_at", "language_id", "coping", "note", "created_by_id")
    row = (key, session.pk, tampere_site.pk, moment, None, "better", "", bob.pk)
    inserted = bulk.insert(Encounter, columns, [row, row], returning=("id",), skip_conflicts_on=("client_uuid",))
    assert len(inserted) == 1  # the second row is the first's client_uuid again: skipped
    stored = Encounter.objects.get()
    assert (stored.pk, stored.client_uuid, stored.occurred_at, stored.coping) == (inserted[0][0], key, moment, "better")
    bulk.insert(EncounterTopic, ("encounter_id", "term_id"), [(stored.pk, fe.term("housing").pk)])
    assert [term.code for term in stored.topics.all()] == ["housing"]
