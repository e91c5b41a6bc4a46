"""SQLite's WAL checkpoints off the request path, for the processes that serve requests.

By default SQLite checkpoints inside a commit once the write-ahead log passes 1000 pages: that commit copies
the log into the database file and waits for the disk (fsync), so every few dozen encounter batches one
request pays milliseconds of disk waits. A serving process (kohtaamo/wsgi.py) turns that off for its own
connections and runs a PASSIVE checkpoint from a background thread every few seconds instead: the same
copying, but the thread waits for the disk, not a request (the wait releases the GIL), and a PASSIVE
checkpoint never blocks readers or the writer. Management commands keep SQLite's default. PostgreSQL is
left alone.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

from django.db import connections
from django.db.backends.signals import connection_created

log = logging.getLogger(__name__)

EVERY_SECONDS = 2.0
_started = threading.Event()


def start(alias: str = "default", every: float = EVERY_SECONDS) -> threading.Thread | None:
    """Start the checkpointing thread once per process, when `alias` is SQLite; returns it, or None."""
    settings = connections.settings[alias]
    if settings["ENGINE"] != "django.db.backends.sqlite3" or _started.is_set():
        return None
    _started.set()
    connection_created.connect(_no_automatic_checkpoints, dispatch_uid="kohtaamo.lib.checkpoint")
    thread = threading.Thread(target=_run, args=(str(settings["NAME"]), every), name="sqlite-checkpoint", daemon=True)
    thread.start()
    return thread


def _no_automatic_checkpoints(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint=0")


def checkpoint(db: sqlite3.Connection) -> tuple[int, int, int]:
    """One PASSIVE checkpoint: (1 if it could not finish, pages in the log, pages checkpointed)."""
    return tuple(db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone())


def _run(path: str, every: float) -> None:
    # A connection of its own, kept open: closing the last connection to a database checkpoints too. It is
    # opened on the first round, read-write without creating the file: a process that imported the WSGI
    # module before its database exists (a test, a fresh checkout) must not make an empty one.
    uri = f"{Path(path).resolve().as_uri()}?mode=rw"
    db = None
    failing = False
    stop = threading.Event()  # never set: the thread ends with the process (daemon)
    while not stop.wait(every):
        try:
            if db is None:
                db = sqlite3.connect(uri, uri=True, timeout=5, check_same_thread=False)
            checkpoint(db)
            failing = False
        except sqlite3.Error:
            if not failing:  # once per run of failures, not every round
                log.warning("WAL checkpoint of %s failed; trying again every %s s", path, every, exc_info=True)
            failing = True
