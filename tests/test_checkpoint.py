"""kohtaamo/lib/checkpoint.py: a serving process checkpoints SQLite's WAL from a thread, not in a commit."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import connection

from kohtaamo.lib import checkpoint


def _wal_database(path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")
    db.execute("CREATE TABLE t (x TEXT)")
    for n in range(200):
        db.execute("INSERT INTO t VALUES (?)", (str(n) * 100,))
    return db


def test_a_passive_checkpoint_copies_the_whole_log_into_the_database(tmp_path):
    writer = _wal_database(tmp_path / "db.sqlite3")
    reader = sqlite3.connect(tmp_path / "db.sqlite3")
    busy, in_log, copied = checkpoint.checkpoint(reader)
    assert (busy, copied) == (0, in_log) and in_log > 0
    assert checkpoint.checkpoint(reader)[2] == in_log  # nothing new: the same log, all of it in the database
    writer.close()
    reader.close()


@pytest.mark.django_db
def test_a_serving_process_turns_automatic_checkpoints_off_for_its_connections():
    if connection.vendor != "sqlite":
        assert checkpoint.start() is None  # PostgreSQL: nothing to do
        return
    connection.ensure_connection()
    checkpoint._no_automatic_checkpoints(sender=None, connection=connection)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == 0
        cursor.execute("PRAGMA wal_autocheckpoint=1000")  # back to SQLite's default for the other tests


def test_the_thread_waits_for_a_database_that_is_not_there_yet_without_making_one(tmp_path):
    import threading
    import time

    path = tmp_path / "later.sqlite3"
    thread = threading.Thread(target=checkpoint._run, args=(str(path), 0.01), daemon=True)
    thread.start()
    time.sleep(0.1)
    assert thread.is_alive() and not path.exists()  # no empty database made, no thread dead of the error
    writer = _wal_database(path)  # the database appears; its writer never checkpoints (autocheckpoint off)
    # Until a checkpoint copies the log in, the file holds at most its first pages; the rows are some 50 KB.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and path.stat().st_size <= 8192:
        time.sleep(0.02)
    assert path.stat().st_size > 8192  # the thread opened it and copied the log into the file
    writer.close()
