"""The backup and restore drill: an online backup, restored aside, holds the same rows as its source.

On SQLite the drill uses the online backup API; when the suite runs on PostgreSQL, pg_dump and pg_restore
into a scratch database named after the test database, so parallel runs do not collide.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest
from django.db import connection

from scripts import backup
from tests import factories_encounters as fe

# The drill reads through its own connection, so the rows must be committed: no test transaction.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def some_data(bob, tampere_site):
    in_session = fe.session(tampere_site)
    for note in ("", "Kela form", "Rent"):
        fe.encounter(in_session, by=bob, note=note)
    return in_session


def test_the_restore_drill_restores_the_same_data(some_data, tmp_path):
    result = backup.drill(connection.settings_dict, tmp_path)
    assert result.ok, result.differences
    assert result.vendor == connection.vendor
    assert result.source["encounters_encounter"][0] == 3
    assert result.source == result.restored
    assert result.backup.exists() and result.backup_bytes > 0
    if connection.vendor == "postgresql":
        assert any(name.startswith("sequence ") for name in result.source)


@pytest.mark.django_db(transaction=False)
def test_a_restore_that_lost_a_row_is_caught(tmp_path):
    # A SQLite file of its own, so the check runs whatever database the suite is on.
    source_file = tmp_path / "source.sqlite3"
    with contextlib.closing(sqlite3.connect(source_file)) as db, db:
        db.execute("CREATE TABLE encounters_encounter (id INTEGER PRIMARY KEY, note TEXT)")
        db.executemany("INSERT INTO encounters_encounter (note) VALUES (?)", [("",), ("Kela form",), ("Rent",)])
    source = backup.sqlite_backup(source_file, tmp_path / "backup.sqlite3")
    with contextlib.closing(sqlite3.connect(tmp_path / "backup.sqlite3")) as tampered, tampered:
        deleted = tampered.execute("DELETE FROM encounters_encounter WHERE note = 'Rent'").rowcount
    assert deleted == 1
    restored = backup.sqlite_restore_check(tmp_path / "backup.sqlite3", tmp_path)
    result = backup.DrillResult("sqlite", tmp_path / "backup.sqlite3", 1, source, restored)
    assert not result.ok
    assert any(line.startswith("encounters_encounter:") for line in result.differences)


def test_a_backup_file_is_named_by_the_time_and_readable_only_by_its_owner(some_data, tmp_path):
    written = backup.backup(connection.settings_dict, tmp_path / "backups")
    assert written.name.startswith("kohtaamo-") and written.stat().st_size > 0
    assert written.stat().st_mode & 0o077 == 0


@pytest.mark.django_db(transaction=False)
def test_the_scratch_database_name_fits_postgresql_limits():
    assert backup.scratch_name("test_kohtaamo_gw1") == "test_kohtaamo_gw1_restore_drill"
    assert len(backup.scratch_name("x" * 80)) == 63


@pytest.mark.django_db(transaction=False)
def test_a_different_digest_in_any_table_fails_the_drill():
    same = {"a": (1, "x"), "b": (2, "y")}
    assert backup.DrillResult("sqlite", Path("b"), 1, same, dict(same)).ok
    assert not backup.DrillResult("sqlite", Path("b"), 1, same, {"a": (1, "x")}).ok
    assert not backup.DrillResult("sqlite", Path("b"), 1, {}, {}).ok
