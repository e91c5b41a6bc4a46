"""The lookups every logged-in request makes, without the ORM's query building: same answers as the ORM's."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from kohtaamo.accounts import twofactor
from kohtaamo.accounts.models import User
from kohtaamo.accounts.sessions import SessionStore
from kohtaamo.encounters.models import Session as Visit
from kohtaamo.encounters.models import Term
from kohtaamo.lib import rows

pytestmark = pytest.mark.django_db


def test_exists_answers_as_the_orm_does(alice, bob, tampere_site, raisio_site):
    through = User.sites.through
    for user in (alice, bob):
        for site in (tampere_site, raisio_site):
            expected = through.objects.filter(user=user, site=site).exists()
            assert rows.exists(through, user=user.pk, site=site.pk) is expected
    assert rows.exists(through, user=bob.pk, site=tampere_site.pk)


def test_an_instance_from_a_written_out_row_equals_the_orms(bob, tampere_site):
    bob.last_login = timezone.now()
    bob.save()
    visit = Visit.objects.create(site=tampere_site, date=dt.date(2026, 3, 2), starts_at=timezone.now())
    term = Term.objects.get(code="housing", kind="topic")  # translated: made by from_db(), as post_init asks
    assert rows._shape(User)[2] and rows._shape(Visit)[2] and not rows._shape(Term)[2]
    for model, pk in ((User, bob.pk), (Visit, visit.pk), (Term, term.pk)):
        made, read = rows.instance(model, connection.alias, _row(model, pk)), model.objects.get(pk=pk)
        for field in model._meta.concrete_fields:
            assert getattr(made, field.attname) == getattr(read, field.attname), field.name
            assert type(getattr(made, field.attname)) is type(getattr(read, field.attname)), field.name
        assert (made._state.adding, made._state.db) == (False, read._state.db)
    made = rows.instance(Visit, connection.alias, _row(Visit, visit.pk))
    assert timezone.is_aware(made.starts_at) and made.site == tampere_site and made == visit
    made.place = "Library"
    made.save(update_fields=["place"])
    assert Visit.objects.get(pk=visit.pk).place == "Library"


def _row(model, pk: int) -> tuple:
    sql = f"SELECT {rows.columns(model, connection.alias)} FROM {model._meta.db_table} WHERE id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        return cursor.fetchone()


def test_has_device_answers_as_django_otp_does(alice, bob):
    TOTPDevice.objects.create(user=bob, name="pending", confirmed=False)
    for user in (alice, bob, AnonymousUser()):
        assert twofactor.has_device(user) is user_has_device(user)
    TOTPDevice.objects.create(user=bob, name="phone", confirmed=True)
    assert twofactor.has_device(bob) and user_has_device(bob)
    assert not twofactor.has_device(alice)


def test_the_session_store_reads_what_djangos_wrote_and_nothing_expired():
    store = SessionStore()
    store["hello"] = "world"
    store.create()
    assert SessionStore(store.session_key).load() == {"hello": "world"}
    Session.objects.filter(pk=store.session_key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    expired = SessionStore(store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None
    assert SessionStore("no-such-session-key-at-all").load() == {}
