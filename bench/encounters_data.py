"""A year of encounters in the scratch database, made set-based: `python -m bench.encounters_data --encounters 1000000`.

Run in the scratch environment after `manage.py load_demo --force` and `bench/data.py`. Sessions (one a
day at every site for the past year, none today) and encounters with one or two topics are made by a
few INSERT ... SELECT statements, not the ORM row by row: a million rows take seconds, not an hour.
`--token` instead makes a personal API token for the bench coordinator and prints it with the sites
and codes a batch may use (JSON).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
import uuid

import django

DAYS = 365
BATCH = 10


def batch_body(spec: dict, size: int = BATCH) -> bytes:
    """A batch of `size` new encounters, as an offline client sends it: fresh client_uuids, this hour, now-ish."""
    now = dt.datetime.now(dt.UTC)
    items = [
        {
            "client_uuid": str(uuid.uuid4()),
            "site": random.choice(spec["sites"]),
            "occurred_at": (now - dt.timedelta(minutes=random.randint(0, 50))).isoformat(),
            "topics": random.sample(spec["topics"], k=random.randint(1, 2)),
            "help_forms": random.sample(spec["help_forms"], k=1),
            "coping": random.choice([None, "better", "same_or_less"]),
        }
        for _ in range(size)
    ]
    return json.dumps({"encounters": items}).encode()


def _sqlite(cursor, *, encounters: int, user_id: int, today: str) -> None:
    cursor.execute(
        """
        WITH RECURSIVE d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < %s)
        INSERT INTO encounters_session
            (kind, date, starts_at, ends_at, place, visitor_count, opened_by_id, opening_rule_id, site_id)
        SELECT 'ad_hoc', date(%s, '-' || n || ' days'), datetime(%s, '-' || n || ' days', '+8 hours'),
               datetime(%s, '-' || n || ' days', '+11 hours'), '', 20, %s, NULL, s.id
        FROM d CROSS JOIN directory_site s
        """,
        [DAYS, today, today, today, user_id],
    )
    cursor.execute("SELECT coalesce(max(id), 0) FROM encounters_encounter")
    after_id = cursor.fetchone()[0]
    cursor.execute(
        """
        CREATE TEMP TABLE bench_session AS
        SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, site_id, starts_at FROM encounters_session
        """
    )
    cursor.execute("CREATE UNIQUE INDEX bench_session_k ON bench_session (k)")
    cursor.execute(
        """
        WITH RECURSIVE e(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM e WHERE n < %s - 1)
        INSERT INTO encounters_encounter
            (client_uuid, occurred_at, coping, note, created_by_id, language_id, site_id, session_id)
        SELECT lower(hex(randomblob(16))), datetime(s.starts_at, '+' || (e.n % 3) || ' hours'),
               CASE e.n % 5 WHEN 0 THEN 'much_better' WHEN 1 THEN 'better' WHEN 2 THEN 'same_or_less' END,
               '', %s, NULL, s.site_id, s.id
        FROM e JOIN bench_session s ON s.k = e.n % (SELECT count(*) FROM bench_session)
        """,
        [encounters, user_id],
    )
    _topics(cursor, after_id)


def _postgres(cursor, *, encounters: int, user_id: int, today: str) -> None:
    cursor.execute(
        """
        INSERT INTO encounters_session
            (kind, date, starts_at, ends_at, place, visitor_count, opened_by_id, opening_rule_id, site_id)
        SELECT 'ad_hoc', %s::date - n, (%s::date - n) + time '08:00' AT TIME ZONE 'UTC',
               (%s::date - n) + time '11:00' AT TIME ZONE 'UTC', '', 20, %s, NULL, s.id
        FROM generate_series(1, %s) AS n CROSS JOIN directory_site s
        """,
        [today, today, today, user_id, DAYS],
    )
    cursor.execute("SELECT coalesce(max(id), 0) FROM encounters_encounter")
    after_id = cursor.fetchone()[0]
    cursor.execute(
        """
        CREATE TEMP TABLE bench_session AS
        SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, site_id, starts_at FROM encounters_session
        """
    )
    cursor.execute("CREATE UNIQUE INDEX bench_session_k ON bench_session (k)")
    cursor.execute(
        """
        INSERT INTO encounters_encounter
            (client_uuid, occurred_at, coping, note, created_by_id, language_id, site_id, session_id)
        SELECT md5(random()::text || n)::uuid, s.starts_at + (n %% 3) * interval '1 hour',
               CASE n %% 5 WHEN 0 THEN 'much_better' WHEN 1 THEN 'better' WHEN 2 THEN 'same_or_less' END,
               '', %s, NULL, s.site_id, s.id
        FROM generate_series(0, %s - 1) AS n
        JOIN bench_session s ON s.k = n %% (SELECT count(*) FROM bench_session)
        """,
        [user_id, encounters],
    )
    _topics(cursor, after_id)


def _topics(cursor, after_id: int) -> None:
    """Every generated encounter one national topic, every second one a second, different topic.

    Only encounters past `after_id`: the demo data loaded before holds encounters with topics of their own.
    """
    cursor.execute(
        """
        CREATE TEMP TABLE bench_topic AS
        SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM encounters_term
        WHERE kind = 'topic' AND active AND county_id IS NULL
        """
    )
    cursor.execute("SELECT count(*) FROM bench_topic")
    topics = cursor.fetchone()[0]
    cursor.execute(
        "INSERT INTO encounters_encounter_topics (encounter_id, term_id) "
        f"SELECT e.id, t.id FROM encounters_encounter e JOIN bench_topic t ON t.k = e.id % {topics} "
        f"WHERE e.id > {int(after_id)}"
    )
    cursor.execute(
        "INSERT INTO encounters_encounter_topics (encounter_id, term_id) "
        f"SELECT e.id, t.id FROM encounters_encounter e JOIN bench_topic t ON t.k = (e.id + 5) % {topics} "
        f"WHERE e.id % 2 = 0 AND e.id > {int(after_id)}"
    )


def generate(encounters: int) -> dict:
    from django.db import connection, transaction

    from bench.data import STAFF_USERNAME
    from kohtaamo.accounts.models import User
    from kohtaamo.encounters.models import Encounter
    from kohtaamo.lib import hours

    began = time.monotonic()
    user = User.objects.get(username=STAFF_USERNAME)
    make = _postgres if connection.vendor == "postgresql" else _sqlite
    with transaction.atomic(), connection.cursor() as cursor:
        make(cursor, encounters=encounters, user_id=user.pk, today=hours.today().isoformat())
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"encounters": Encounter.objects.count(), "seconds": round(time.monotonic() - began, 1)}


def token() -> dict:
    """A fresh API token for the bench coordinator, the sites they log at and the codes a batch may use."""
    from bench.data import STAFF_USERNAME
    from kohtaamo.accounts import permissions
    from kohtaamo.accounts.models import User
    from kohtaamo.directory.models import Site
    from kohtaamo.encounters import tokens
    from kohtaamo.encounters.models import Term

    user = User.objects.get(username=STAFF_USERNAME)
    _token, raw = tokens.api_token_create(actor=user, name="bench")
    sites = list(permissions.scoped(user, Site.objects.all(), permissions.LOG).values_list("pk", flat=True))

    def codes(kind: str) -> list[str]:
        return list(Term.objects.active().filter(kind=kind, county__isnull=True).values_list("code", flat=True))

    return {
        "token": raw,
        "sites": sorted(sites),
        "topics": codes("topic"),
        "help_forms": codes("help_form"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--encounters", type=int, default=1_000_000)
    parser.add_argument("--token", action="store_true", help="make an API token instead (prints JSON)")
    args = parser.parse_args()
    django.setup()
    print(json.dumps(token() if args.token else generate(args.encounters)))


if __name__ == "__main__":
    main()
