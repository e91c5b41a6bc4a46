"""Personas shared by every test: who has access, who is near, who is outside.

alice is a coordinator in Pirkanmaa (county A), bob a counsellor at one Pirkanmaa site,
vera a viewer in Pirkanmaa, carol a coordinator in Varsinais-Suomi (county B), and
ada an admin of Pirkanmaa.
"""

from __future__ import annotations

import pytest
from django.test import Client

from kohtaamo.accounts.models import Role
from tests import factories as f


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 takes half a second per persona; the tests don't measure password strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _finnish_by_default():
    # A request under /en/ leaves English active in the thread; factories writing `name` would then
    # fill name_en in the next test instead of name_fi.
    from django.utils import translation

    translation.activate("fi")
    yield
    translation.activate("fi")


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def tampere_site(db):
    return f.site(name="Hervanta L8", kind="community_centre", municipality=f.municipality(f.TAMPERE))


@pytest.fixture
def raisio_site(db):
    return f.site(name="Olkkari", municipality=f.municipality(f.RAISIO))


@pytest.fixture
def alice(db):
    return f.user("alice", role=Role.COORDINATOR, county=f.PIRKANMAA)


@pytest.fixture
def ada(db):
    return f.user("ada", role=Role.ADMIN, county=f.PIRKANMAA)


@pytest.fixture
def bob(db, tampere_site):
    return f.user("bob", role=Role.COUNSELLOR, sites=[tampere_site])


@pytest.fixture
def vera(db):
    return f.user("vera", role=Role.VIEWER, county=f.PIRKANMAA)


@pytest.fixture
def carol(db):
    return f.user("carol", role=Role.COORDINATOR, county=f.VARSINAIS_SUOMI)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_user():
    return login


@pytest.fixture
def paula(db, tampere_site):
    """A social-work professional at the Tampere site: the one the rota needs at every session."""
    return f.user("paula", role=Role.PROFESSIONAL, sites=[tampere_site])


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    if "live_server" in fixtures or "transactional_db" in fixtures:
        return True
    return bool(marker and marker.kwargs.get("transaction"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Put the migrations' reference data back after a transactional test, before an ordinary one runs.

    A transactional test (browser tests, concurrency, backups) ends with a flush; its serialized rollback
    restores the counties, municipalities and terms only when the *next transactional* test starts. Under
    xdist the next test on the worker may be an ordinary one, which would then find no reference data.
    """
    yield
    # After the last test the session's fixtures, the test database among them, are gone already.
    if nextitem is None or not _transactional(item) or _transactional(nextitem):
        return
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        for connection in connections.all():
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection.creation.deserialize_db_from_string(contents)
