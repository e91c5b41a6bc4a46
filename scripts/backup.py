"""Back up Kohtaamo's database online, and drill a restore: restore into a scratch copy and compare every table.

    python -m scripts.backup backup --to /var/backups/kohtaamo   # one backup file, named by the time
    python -m scripts.backup drill                               # back up, restore, compare; exit 1 on a difference

SQLite is copied with its online backup API (safe while gunicorn writes); PostgreSQL with `pg_dump -Fc` and
restored with `pg_restore` into a scratch database that the drill drops afterwards. The drill compares the
row count and a SHA-256 of the rows of every table (and each sequence's position on PostgreSQL), read in the
very snapshot the backup was taken from, so writes during the drill cannot make it fail or pass wrongly.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

Digests = dict[str, tuple[int, str]]


@dataclasses.dataclass
class DrillResult:
    vendor: str
    backup: Path
    backup_bytes: int
    source: Digests
    restored: Digests

    @property
    def differences(self) -> list[str]:
        names = sorted(set(self.source) | set(self.restored))
        return [
            f"{name}: source {self.source.get(name)} restored {self.restored.get(name)}"
            for name in names
            if self.source.get(name) != self.restored.get(name)
        ]

    @property
    def ok(self) -> bool:
        return bool(self.source) and not self.differences

    def summary(self) -> str:
        rows = sum(count for name, (count, _) in self.source.items() if not name.startswith("sequence "))
        tables = sum(1 for name in self.source if not name.startswith("sequence "))
        verdict = "same data after restore" if self.ok else f"{len(self.differences)} difference(s)"
        return f"{self.vendor}: {tables} tables, {rows} rows, backup {self.backup_bytes} bytes; {verdict}"


def table_digests(cursor, tables: list[str]) -> Digests:
    """Row count and a SHA-256 of each table's rows, independent of the order the rows come back in."""
    digests = {}
    for table in sorted(tables):
        cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names come from the catalogue
        row_hashes = sorted(hashlib.sha256(repr(tuple(row)).encode()).digest() for row in cursor.fetchall())
        digests[table] = (len(row_hashes), hashlib.sha256(b"".join(row_hashes)).hexdigest())
    return digests


# --- SQLite ---


def sqlite_tables(cursor) -> list[str]:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [name for (name,) in cursor.fetchall()]


def sqlite_backup(source: Path, target: Path) -> Digests:
    """Copy a live SQLite database with the online backup API; returns the digests of the copied snapshot."""
    connection = sqlite3.connect(source, isolation_level=None)
    try:
        cursor = connection.cursor()
        # One read transaction for the digests and the copy: both see the same snapshot (WAL mode).
        cursor.execute("BEGIN")
        digests = table_digests(cursor, sqlite_tables(cursor))
        with contextlib.closing(sqlite3.connect(target)) as copy:
            connection.backup(copy)
            # The copy inherits WAL mode; a rollback journal makes it one self-contained file to move around.
            copy.execute("PRAGMA journal_mode=DELETE")
        cursor.execute("COMMIT")
    finally:
        connection.close()
    return digests


def sqlite_restore_check(backup: Path, workdir: Path) -> Digests:
    """Restore as an operator would (copy the file into place) and read it back."""
    restored = workdir / "restored.sqlite3"
    shutil.copyfile(backup, restored)
    with contextlib.closing(sqlite3.connect(restored)) as connection:
        cursor = connection.cursor()
        (verdict,) = cursor.execute("PRAGMA integrity_check").fetchone()
        if verdict != "ok":
            raise RuntimeError(f"integrity_check of the restored copy: {verdict}")
        return table_digests(cursor, sqlite_tables(cursor))


def sqlite_drill(source: Path, workdir: Path) -> DrillResult:
    backup = workdir / "backup.sqlite3"
    digests = sqlite_backup(source, backup)
    return DrillResult("sqlite", backup, backup.stat().st_size, digests, sqlite_restore_check(backup, workdir))


# --- PostgreSQL ---


def pg_environment(database: dict) -> dict[str, str]:
    """libpq's variables for pg_dump and pg_restore, from a Django DATABASES entry."""
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if database.get(key):
            env[variable] = str(database[key])
    return env


def run_pg_tool(database: dict, *command) -> None:
    # The client tools from PATH, as the operator's shell would find them; the arguments are our own.
    subprocess.run([str(part) for part in command], env=pg_environment(database), check=True)  # noqa: S603


def pg_connect(database: dict, name: str | None = None):
    import psycopg

    return psycopg.connect(
        dbname=name or database["NAME"],
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
        autocommit=True,
    )


def pg_digests(cursor) -> Digests:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    digests = table_digests(cursor, [name for (name,) in cursor.fetchall()])
    # A restore that left a sequence behind would make the next INSERT collide with a restored row.
    cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
    for name, last_value in cursor.fetchall():
        digests[f"sequence {name}"] = (0, str(last_value))
    return digests


def pg_backup(database: dict, target: Path) -> Digests:
    """pg_dump -Fc, taken from an exported snapshot in which the digests are read too."""
    with pg_connect(database) as connection:
        cursor = connection.cursor()
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        run_pg_tool(
            database, "pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}", database["NAME"]
        )
        digests = pg_digests(cursor)
        cursor.execute("COMMIT")
    return digests


def pg_restore_check(database: dict, backup: Path, scratch: str) -> Digests:
    """pg_restore into a new scratch database, read it back, and drop it."""
    with pg_connect(database, "postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{scratch}"')
        try:
            run_pg_tool(
                database,
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--dbname={scratch}",
                backup,
            )
            with pg_connect(database, scratch) as restored:
                return pg_digests(restored.cursor())
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def scratch_name(name: str) -> str:
    # PostgreSQL names are at most 63 bytes; keep the suffix, which says what the database is for.
    suffix = "_restore_drill"
    return name[: 63 - len(suffix)] + suffix


def pg_drill(database: dict, workdir: Path, scratch: str | None = None) -> DrillResult:
    backup = workdir / "backup.dump"
    digests = pg_backup(database, backup)
    restored = pg_restore_check(database, backup, scratch or scratch_name(database["NAME"]))
    return DrillResult("postgresql", backup, backup.stat().st_size, digests, restored)


# --- Entry points ---


def drill(database: dict, workdir: Path | None = None) -> DrillResult:
    """Back up the database described by a Django DATABASES entry, restore it aside, and compare."""
    with tempfile.TemporaryDirectory(prefix="kohtaamo-drill-") as scratch_dir:
        workdir = workdir or Path(scratch_dir)
        if database["ENGINE"] == "django.db.backends.sqlite3":
            return sqlite_drill(Path(database["NAME"]), workdir)
        if database["ENGINE"] == "django.db.backends.postgresql":
            return pg_drill(database, workdir)
        raise ValueError(f"No backup method for {database['ENGINE']}")


def backup(database: dict, directory: Path) -> Path:
    """One backup file in `directory`, named by the UTC time."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    if database["ENGINE"] == "django.db.backends.sqlite3":
        target = directory / f"kohtaamo-{stamp}.sqlite3"
        sqlite_backup(Path(database["NAME"]), target)
    elif database["ENGINE"] == "django.db.backends.postgresql":
        target = directory / f"kohtaamo-{stamp}.dump"
        pg_backup(database, target)
    else:
        raise ValueError(f"No backup method for {database['ENGINE']}")
    target.chmod(0o600)  # the backup holds everything the database does
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.backup", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    to = commands.add_parser("backup", help="write one backup file").add_argument
    to("--to", type=Path, required=True, help="directory for the backup file")
    keep = commands.add_parser("drill", help="back up, restore aside and compare every table").add_argument
    keep("--keep", type=Path, default=None, help="keep the backup in this directory instead of deleting it")
    arguments = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kohtaamo.settings")
    import django
    from django.conf import settings

    django.setup()
    database = settings.DATABASES["default"]
    if arguments.command == "backup":
        print(backup(database, arguments.to))
        return 0
    if arguments.keep:
        arguments.keep.mkdir(parents=True, exist_ok=True)
    result = drill(database, arguments.keep)
    for difference in result.differences:
        print("DIFFERENT", difference, file=sys.stderr)
    print(result.summary())
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
