"""The health check and the replica router: reports read from the replica, everything else from the primary."""

from __future__ import annotations

import types

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, router

from kohtaamo.directory.models import Site
from kohtaamo.encounters.models import Encounter
from kohtaamo.lib import dbrouter
from tests import factories as f


def _add_alias(alias: str) -> None:
    connections.settings[alias] = dict(connections.settings[DEFAULT_DB_ALIAS])


def _drop_alias(alias: str):
    if alias in connections.settings:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]


@pytest.fixture
def replica_alias():
    """A second alias on the test database itself, as a streaming replica mirrors the primary."""
    _add_alias(dbrouter.REPLICA)
    yield dbrouter.REPLICA
    _drop_alias(dbrouter.REPLICA)


@pytest.fixture
def replica(db, replica_alias):
    # Connected here, by the fixture: Django's test case forbids a test to open connections to aliases
    # that it did not declare, and it cannot declare one that settings.DATABASES did not have at start-up.
    connections[replica_alias].connect()
    return replica_alias


def refuse(*args, **kwargs):
    raise ConnectionError("connection refused")


def model_of(app_label: str):
    return types.SimpleNamespace(_meta=types.SimpleNamespace(app_label=app_label))


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_fails(client, monkeypatch):
    monkeypatch.setattr(connections[DEFAULT_DB_ALIAS], "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}


@pytest.mark.django_db
def test_healthz_checks_the_replica_when_one_is_configured(client, replica):
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "replica": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_replica_is_down(client, replica, monkeypatch):
    monkeypatch.setattr(connections[replica], "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "replica": "unavailable"}


def test_without_a_replica_every_read_and_write_goes_to_the_primary():
    assert dbrouter.reporting_db() == DEFAULT_DB_ALIAS
    for label in ("stats", "reports", "encounters", "directory"):
        assert router.db_for_read(model_of(label)) == DEFAULT_DB_ALIAS
        assert router.db_for_write(model_of(label)) == DEFAULT_DB_ALIAS


def test_with_a_replica_reports_and_statistics_read_from_it_and_write_to_the_primary(replica_alias):
    replica = replica_alias
    assert router.db_for_read(model_of("stats")) == replica
    assert router.db_for_read(model_of("reports")) == replica
    assert router.db_for_write(model_of("stats")) == DEFAULT_DB_ALIAS
    assert router.db_for_read(Encounter) == DEFAULT_DB_ALIAS
    assert router.db_for_read(Site) == DEFAULT_DB_ALIAS
    assert dbrouter.reporting_db() == replica


def test_migrations_run_on_the_primary_only(replica_alias):
    replica = replica_alias
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "stats")
    assert not router.allow_migrate(replica, "stats")
    assert not router.allow_migrate(replica, "encounters")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_read_routed_to_the_replica_sees_what_was_written_to_the_primary(replica, monkeypatch):
    # Route the directory app like a reporting app, so that a real model's query runs through the replica alias.
    monkeypatch.setattr(dbrouter.ReplicaRouter, "apps", dbrouter.REPLICA_APPS | {"directory"})
    site = f.site(name="Replica test site")
    assert site._state.db == DEFAULT_DB_ALIAS
    queryset = Site.objects.filter(pk=site.pk)
    assert queryset.db == replica
    assert list(queryset.values_list("pk", flat=True)) == [site.pk]
    assert Encounter.objects.using(dbrouter.reporting_db()).db == replica


@pytest.mark.django_db
def test_sqlite_connections_are_set_up_for_a_busy_writer():
    """WAL with NORMAL sync, and temporary data in memory: a multi-row INSERT of an encounter batch keeps its
    statement journal there instead of writing, and deleting, a temporary file each time (settings.py)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "sqlite":
        return  # PostgreSQL has no such settings
    with connection.cursor() as cursor:
        found = {}
        for pragma in ("journal_mode", "synchronous", "temp_store"):
            cursor.execute(f"PRAGMA {pragma}")
            found[pragma] = cursor.fetchone()[0]
    assert found == {"journal_mode": "wal", "synchronous": 1, "temp_store": 2}  # 1 NORMAL, 2 MEMORY
