"""The statistics dashboard on 10 million synthetic encounters (PostgreSQL), against the raw rows and DuckDB.

The same dashboard (key figures for the period and the previous one, trends by month, breakdowns by
municipality, site, matter, referral, information need, form of help, coping answer and wish theme)
is computed three ways: (a) from the rollups, as the app does; (b) with the same Django code over the
raw tables (`sources.RAW`); (c) with DuckDB over the raw rows exported to Parquet. Also measured: the
rollup rows against the raw rows, and refreshing one day whose every site was marked stale.

The data set is made with set-based SQL in the database `kohtaamo_statsbench` and kept between runs
(drop it, or change the size, to start afresh). BENCH_STATS_ENCOUNTERS sets the size (default
10 000 000; `--quick` takes a tenth); BENCH_STATS_DATABASE_URL the database.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench import Options

TITLE = "Statistics dashboard: rollups against raw PostgreSQL and DuckDB"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kohtaamo_statsbench"
SITES, ORGANISATIONS, DAYS = 500, 20, 730
ROUNDS = 10  # the rollups; raw PostgreSQL (slow at 10 million) is run RAW_ROUNDS times, DuckDB DUCK_ROUNDS
RAW_ROUNDS, DUCK_ROUNDS = 2, 3
# What the last full write-up found (2026-11-23); edit it when a run says otherwise.
FINDINGS = """Findings (2026-11-23, session 4): 10 million encounters (9 943 658, about 45 a session), made
by set-based INSERT ... SELECT with generate_series in date order (ids grow with time, as when
counsellors log them), the big tables loaded without their indexes and foreign keys, which are made
again afterwards (488 s at a load average of about 4; kept in `kohtaamo_statsbench` with a note of
its size; the rollups are rebuilt only when the stats migrations or `rollups.FORMAT` change).
The design: SiteMonth (site, month, partner) and SiteWeek hold the measures; SiteMonthCount holds
each site's breakdowns per month over all its sessions; AreaMonthCount holds them per county, per
county and kind, and per county and partner. A page reads the county rows for counties it covers
whole, the site rows for other sites (one site, a municipality, a scope of named sites), and the raw
rows only for a partner chosen with part of a county or with a kind. A page is five queries: the
SiteMonth rows of the period and the one before (totals, months and sites are summed from them),
which rows to read, the sites' names (plain values), the breakdowns, and the vocabulary's version
(the term labels are cached per process under it).
A refresh recomputes a stale site's month: SiteMonth and SiteWeek from its sessions, encounters and
wishes by day; the breakdowns with one read of the month's raw rows per dimension, grouped by session
into a temporary table, from which both the sites' rows and the counties' rows per partner are summed;
the counties' other rows are sums of their sites' rows. For many sites' month it bounds the term links
by the month's id range and turns nested loops and JIT off for the transaction, so the links' index
is read in order instead of probed once per encounter (the planner underestimates the correlated
conditions); a few sites' month is read by probing.
What the aims compare: "20x over raw PostgreSQL" is judged on the dashboard's queries against the same
queries over the raw tables (what the rollups replace); the page column shows the whole page, whose
Python part (tables, suppression, charts, about 10-90 ms) is the same on both sides, and there one
site is 9x and a municipality's quarter 26x. "Rollup rows at most 5 % of raw rows" counts every row
of the raw tables a GROUP BY reads (encounters, term links, sessions, partners, wishes, themes); the
per-site breakdowns make the rollups 8.4 % of the encounters alone.
Earlier designs, for comparison: without per-site breakdowns (a single site's breakdowns read from its
raw rows) one site was 1x and a municipality's quarter 9-11x, and refreshing a day with every site
stale took 9.4-12.3 s with a second read of the month for the partner counts and JIT on."""
PARQUET = Path(os.environ.get("BENCH_STATS_PARQUET", "/tmp/kohtaamo-statsbench"))


def run(options: Options) -> str:
    count = int(int(os.environ.get("BENCH_STATS_ENCOUNTERS", 10_000_000)) * options.scale)
    url = os.environ.get("BENCH_STATS_DATABASE_URL", DEFAULT_URL)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "kohtaamo.settings",
        "KOHTAAMO_ENV": "development",
    }
    job = subprocess.run(
        [sys.executable, "-m", "bench.benchmarks.stats", str(count)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    sys.stderr.write(job.stderr)
    return _report(json.loads(job.stdout.strip().splitlines()[-1]))


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms".replace(",", " ")


def _report(r: dict) -> str:
    rows = []
    for case in r["cases"]:
        rows.append(
            f"| {case['name']} | {_ms(case['rollups_p50'])} | {_ms(case['rollups_p95'])} "
            f"| {_ms(case['rollups_queries_p50'])} | {_ms(case['raw_p50'])} | {_ms(case['raw_queries_p50'])} "
            f"| {_ms(case['duckdb_p50'])} | {case['raw_queries_p50'] / case['rollups_queries_p50']:.0f}× "
            f"| {case['raw_p50'] / case['rollups_p50']:.0f}× | {case['duckdb_p50'] / case['rollups_p50']:.1f}× |"
        )
    worst_raw = min(c["raw_queries_p50"] / c["rollups_queries_p50"] for c in r["cases"])
    worst_page = min(c["raw_p50"] / c["rollups_p50"] for c in r["cases"])
    worst_duck = min(c["duckdb_p50"] / c["rollups_p50"] for c in r["cases"])
    p95 = max(c["rollups_p95"] for c in r["cases"])
    ratio = r["rollup_rows"] / r["raw_rows"]
    raw = ", ".join(f"{name.removeprefix('encounters_')} {n:,}" for name, n in r["raw_tables"].items())
    aims = [
        f"- dashboard at most DuckDB's time: {'met' if worst_duck >= 1 else 'NOT met'} (worst case {worst_duck:.1f}×; "
        "the whole page with Django against DuckDB's queries alone)",
        f"- at least 20× faster than raw PostgreSQL: {'met' if worst_raw >= 20 else 'NOT met'} "
        f"(the dashboard's queries against the same queries over the raw tables, worst case {worst_raw:.0f}×; "
        f"the whole page with Django's part, which is the same on both sides, worst case {worst_page:.0f}×)",
        f"- p95 under 300 ms: {'met' if p95 < 0.3 else 'NOT met'} (worst {_ms(p95)}, the whole page)",
        f"- rollup rows at most 5 % of raw rows: {'met' if ratio <= 0.05 else 'NOT met'} "
        f"({r['rollup_rows']:,} rollup rows for {r['raw_rows']:,} raw rows, {100 * ratio:.2f} %; "
        f"{100 * r['rollup_rows'] / r['encounters']:.1f} % of the {r['encounters']:,} encounters alone)",
        "  - rollup rows by table: " + ", ".join(f"{name} {n:,}" for name, n in r["rollup_tables"].items()),
        f"  - raw rows by table: {raw}",
        f"- refreshing one day under 10 s: {'met' if r['refresh_day'] < 10 else 'NOT met'} "
        f"({r['refresh_day']:.1f} s for a day with all {r['day_sites']} sites marked stale)",
    ]
    return "\n".join(
        [
            f"{r['encounters']:,} encounters in {r['sessions']:,} sessions at {SITES} sites over {DAYS} days on "
            f"PostgreSQL {r['postgres']}; DuckDB {r['duckdb']} over Parquet. Data made in {r['generate']:.0f} s "
            f"(kept between runs), rollups built in {r['rebuild']:.0f} s, Parquet written in {r['export']:.0f} s.",
            "",
            "Each case is the whole dashboard (key figures and their change, month trends, every breakdown), run "
            f"from the rollups {ROUNDS} times, over raw PostgreSQL {RAW_ROUNDS} and with DuckDB {DUCK_ROUNDS}, "
            'each after a warm-up; times are wall-clock in this process. "page" is all of it, Django included; '
            '"its queries" is the part spent in the database\'s queries (execute and fetch), which is what the '
            "rollups replace: the tables, suppression and charts built from the figures are the same on both sides.",
            "",
            "| case | page p50 | page p95 | its queries p50 | raw PostgreSQL page p50 | its queries p50 | DuckDB p50 "
            "| raw / rollups, queries | raw / rollups, page | DuckDB / page |",
            "|---|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            *aims,
            "",
            FINDINGS,
        ]
    )


# --- The job, run in its own process with DATABASE_URL pointing at the bench database ---


def _ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


# Encounters per session: the site's size (a fixed spread from 0.2 to 2.2) times the season, around the mean.
# The same expression sizes the session's tally and its encounters, so no UPDATE pass is needed afterwards.
PER_SESSION = (
    "greatest(1, round(%(mean)s * (0.2 + ((se.site_id * 7919) %% 100) / 50.0)"
    " * CASE WHEN extract(month FROM se.date) = 7 THEN 0.35 ELSE 1.07 END)::int)"
)
GENERATE = f"""
SELECT setseed(0.2026);
INSERT INTO encounters_session (site_id, kind, date, starts_at, ends_at, place, visitor_count)
SELECT se.site_id, 'scheduled', se.date, (se.date + time '09:00') AT TIME ZONE 'Europe/Helsinki',
       (se.date + time '16:00') AT TIME ZONE 'Europe/Helsinki', '', {PER_SESSION} + {PER_SESSION} / 3
FROM (SELECT s.id AS site_id, d::date AS date
      FROM directory_site s CROSS JOIN generate_series(%(first)s::date, %(last)s::date, interval '1 day') d
      WHERE extract(isodow FROM d) < 6 AND (s.id + extract(doy FROM d)::int) %% 7 <> 0) se;
INSERT INTO encounters_session_partners (session_id, organisation_id)
SELECT se.id, o.id FROM encounters_session se
JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM directory_organisation) o ON o.n = se.id %% %(orgs)s
WHERE se.id %% 5 < 2;
INSERT INTO encounters_encounter (client_uuid, session_id, site_id, occurred_at, coping, note)
SELECT gen_random_uuid(), se.id, se.site_id, se.starts_at + (g %% 7) * interval '1 hour',
       (ARRAY[NULL, NULL, NULL, 'much_better', 'better', 'better', 'same_or_less', 'not_applicable'])
           [1 + (g * 7 + se.id) %% 8],
       ''
FROM encounters_session se CROSS JOIN LATERAL generate_series(1, {PER_SESSION}) g;
INSERT INTO encounters_wish (client_uuid, session_id, site_id, text)
SELECT gen_random_uuid(), se.id, se.site_id, 'Bench wish ' || se.id FROM encounters_session se
CROSS JOIN generate_series(1, 1 + se.id %% 3) g WHERE se.id %% 10 = 0;
INSERT INTO encounters_wish_themes (wish_id, term_id)
SELECT w.id, t.id FROM encounters_wish w
JOIN (SELECT id, row_number() OVER (ORDER BY code) - 1 AS n, count(*) OVER () AS c
      FROM encounters_term WHERE kind = 'wish_theme' AND county_id IS NULL) t
  ON t.n = w.id %% t.c OR (w.id %% 3 = 0 AND t.n = (w.id / 3 + 1) %% t.c);
INSERT INTO encounters_encounter_topics (encounter_id, term_id)
SELECT e.id, t.id FROM encounters_encounter e
JOIN (SELECT id, row_number() OVER (ORDER BY "order", code) - 1 AS n, count(*) OVER () AS c
      FROM encounters_term WHERE kind = 'topic' AND county_id IS NULL) t
  ON t.n = e.id %% t.c OR (e.id %% 10 < 3 AND t.n = (e.id / 7 + 3) %% t.c);
INSERT INTO encounters_encounter_help_forms (encounter_id, term_id)
SELECT e.id, t.id FROM encounters_encounter e
JOIN (SELECT id, row_number() OVER (ORDER BY code) - 1 AS n, count(*) OVER () AS c
      FROM encounters_term WHERE kind = 'help_form' AND county_id IS NULL) t ON t.n = e.id %% t.c;
INSERT INTO encounters_encounter_referrals (encounter_id, term_id)
SELECT e.id, t.id FROM encounters_encounter e
JOIN (SELECT id, row_number() OVER (ORDER BY code) - 1 AS n, count(*) OVER () AS c
      FROM encounters_term WHERE kind = 'referral' AND county_id IS NULL) t ON t.n = (e.id / 3) %% t.c
WHERE e.id %% 5 = 0;
INSERT INTO encounters_encounter_more_info (encounter_id, term_id)
SELECT e.id, t.id FROM encounters_encounter e
JOIN (SELECT id, row_number() OVER (ORDER BY code) - 1 AS n, count(*) OVER () AS c
      FROM encounters_term WHERE kind = 'more_info' AND county_id IS NULL) t ON t.n = (e.id / 11) %% t.c
WHERE e.id %% 7 = 0
"""
# Loaded without their indexes and foreign keys, which are made again afterwards: building an index once
# is many times faster than keeping it up to date through 10 million inserts.
BULK_TABLES = [
    "encounters_encounter",
    *(f"encounters_encounter_{name}" for name in ("topics", "help_forms", "referrals", "more_info")),
]
# The raw rows the rollups are compared with: every table a GROUP BY over the raw rows reads.
RAW_TABLES = [
    "encounters_encounter",
    *(f"encounters_encounter_{name}" for name in ("topics", "help_forms", "referrals", "more_info")),
    "encounters_session",
    "encounters_session_partners",
    "encounters_wish",
    "encounters_wish_themes",
]
# Kept in the bench database: what the data is (so a later run reuses it) and what the rollups were built by.
STATE = "CREATE TABLE IF NOT EXISTS bench_stats_state (name text PRIMARY KEY, value text NOT NULL)"

EXPORTS = {
    "site": "SELECT s.id, s.kind, m.code AS municipality, c.code AS county FROM directory_site s "
    "JOIN directory_municipality m ON m.id = s.municipality_id "
    "JOIN directory_wellbeingservicescounty c ON c.id = m.county_id",
    "session": "SELECT id, site_id, date, visitor_count FROM encounters_session",
    "session_partner": "SELECT session_id, organisation_id FROM encounters_session_partners",
    "encounter": "SELECT id, session_id, coping FROM encounters_encounter",
    "wish": "SELECT id, session_id FROM encounters_wish",
    **{
        name: f"SELECT x.encounter_id, t.code FROM encounters_encounter_{name} x "
        "JOIN encounters_term t ON t.id = x.term_id"
        for name in ("topics", "help_forms", "referrals", "more_info")
    },
}


def _state(name: str) -> str | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(STATE)
        cursor.execute("SELECT value FROM bench_stats_state WHERE name = %s", [name])
        row = cursor.fetchone()
    return row[0] if row else None


def _set_state(name: str, value: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(STATE)
        cursor.execute(
            "INSERT INTO bench_stats_state VALUES (%s, %s) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
            [name, value],
        )


def _without_indexes(cursor) -> list[str]:
    """Drop the bulk tables' indexes and foreign keys (also those pointing at them); the statements to remake them."""
    cursor.execute(
        """
        SELECT c.conname, c.conrelid::regclass::text, pg_get_constraintdef(c.oid), c.contype
        FROM pg_constraint c
        WHERE c.contype IN ('p', 'u', 'f')
          AND (c.conrelid::regclass::text = ANY(%(t)s) OR c.confrelid::regclass::text = ANY(%(t)s))
        ORDER BY c.contype = 'f', c.contype <> 'p', c.conname
        """,
        {"t": BULK_TABLES},
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
        WHERE i.indrelid::regclass::text = ANY(%(t)s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u'))
        """,
        {"t": BULK_TABLES},
    )
    indexes = cursor.fetchall()
    for name, table, _definition, _kind in sorted(constraints, key=lambda c: c[3] != "f"):
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    remake = [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for name, table, definition, kind in constraints
        if kind != "f"
    ]
    remake += [definition for _name, definition in indexes]
    remake += [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for name, table, definition, kind in constraints
        if kind == "f"
    ]
    return remake


def _generate(count: int) -> tuple[float, bool]:
    """The synthetic data, unless the database already holds a complete set of this size; (seconds, made afresh)."""
    import datetime as dt

    from django.apps import apps
    from django.db import connection

    from kohtaamo.directory.models import Municipality, Organisation, Site

    if _state("encounters") == str(count):
        return 0.0, False
    began = time.monotonic()
    _set_state("encounters", "incomplete")
    stats_tables = [model._meta.db_table for model in apps.get_app_config("stats").get_models()]
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE encounters_encounter_topics, encounters_encounter_help_forms, encounters_encounter_referrals,"
            " encounters_encounter_more_info, encounters_wish_themes, encounters_wish, encounters_encounter,"
            " encounters_session_partners, encounters_session_staff_present, encounters_session, "
            + ", ".join(stats_tables)
            + " CASCADE"
        )
    if Site.objects.count() < SITES:
        municipalities = list(Municipality.objects.filter(county__code__in=["08", "05", "12", "02"]).order_by("code"))
        kinds = [value for value, _label in Site.Kind.choices]
        Site.objects.bulk_create(
            Site(
                name=f"Bench site {n}", kind=kinds[n % len(kinds)], municipality=municipalities[n % len(municipalities)]
            )
            for n in range(SITES - Site.objects.count())
        )
    if Organisation.objects.count() < ORGANISATIONS:
        Organisation.objects.bulk_create(
            Organisation(name=f"Bench partner {n}", kind=Organisation.Kind.NGO) for n in range(ORGANISATIONS)
        )
    last = dt.date.today() - dt.timedelta(days=1)
    first = last - dt.timedelta(days=DAYS - 1)
    sites = Site.objects.count()
    sessions = sites * DAYS * 5 / 7 * 6 / 7
    params = {"first": first, "last": last, "orgs": ORGANISATIONS, "mean": count / sessions / 1.2}
    with connection.cursor() as cursor:
        # This session only: nothing of the server's configuration changes.
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET work_mem = '256MB'")
        # What to make again is kept until it is made: an interrupted run must not lose an index for good.
        saved = _state("remake")
        remake = _without_indexes(cursor)
        if saved:
            remake = json.loads(saved)
        else:
            _set_state("remake", json.dumps(remake))
        for statement in GENERATE.split(";\n"):
            if statement.strip():
                step = time.monotonic()
                cursor.execute(statement, params)
                _log(f"{statement.split(chr(10))[1][:60]}: {cursor.rowcount} rows, {time.monotonic() - step:.0f} s")
        for statement in remake:
            step = time.monotonic()
            cursor.execute(statement)
            _log(f"{statement[:90]}: {time.monotonic() - step:.0f} s")
        cursor.execute("DELETE FROM bench_stats_state WHERE name = 'remake'")
        # What autovacuum does to insert-only tables soon after: statistics, and the visibility map that
        # lets index-only scans skip the heap.
        cursor.execute("VACUUM ANALYZE")
    _set_state("encounters", str(count))
    return time.monotonic() - began, True


def _log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def _export() -> float:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
    from django.db import connection

    began = time.monotonic()
    PARQUET.mkdir(parents=True, exist_ok=True)
    with connection.cursor() as cursor:
        for name, query in EXPORTS.items():
            csv_path = PARQUET / f"{name}.csv"
            with csv_path.open("wb") as out, cursor.copy(f"COPY ({query}) TO STDOUT WITH CSV HEADER") as copy:
                for block in copy:
                    out.write(block)
            pq.write_table(pacsv.read_csv(csv_path), PARQUET / f"{name}.parquet")
            csv_path.unlink()
    return time.monotonic() - began


def _duckdb_dashboard(db, filt) -> None:
    """The dashboard's 13 queries over Parquet: the same joins and groupings the raw source makes."""
    p = PARQUET
    where = ["se.date BETWEEN ? AND ?"]
    params = [filt.date_from, filt.date_to]
    places = (("st.county", filt.county), ("st.municipality", filt.municipality), ("st.id", filt.site))
    for column, value in (*places, ("st.kind", filt.kind)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if filt.partner:
        where.append(f"se.id IN (SELECT session_id FROM '{p}/session_partner.parquet' WHERE organisation_id = ?)")
        params.append(filt.partner)
    sessions = f"'{p}/session.parquet' se JOIN '{p}/site.parquet' st ON st.id = se.site_id"
    encounters = f"'{p}/encounter.parquet' e JOIN {sessions} ON se.id = e.session_id"
    wishes = f"'{p}/wish.parquet' w JOIN {sessions} ON se.id = w.session_id"
    cond = " AND ".join(where)
    previous = [filt.previous().date_from, filt.previous().date_to, *params[2:]]
    queries = []
    for args in (params, previous):
        queries += [
            (f"SELECT count(*), sum(visitor_count) FROM {sessions} WHERE {cond}", args),
            (f"SELECT count(*) FROM {encounters} WHERE {cond}", args),
            (f"SELECT count(*) FROM {wishes} WHERE {cond}", args),
        ]
    queries += [
        (f"SELECT date_trunc('month', se.date), count(*) FROM {encounters} WHERE {cond} GROUP BY 1", params),
        (f"SELECT date_trunc('month', se.date), sum(visitor_count) FROM {sessions} WHERE {cond} GROUP BY 1", params),
        (f"SELECT se.site_id, count(*) FROM {encounters} WHERE {cond} GROUP BY 1", params),
        (f"SELECT e.coping, count(*) FROM {encounters} WHERE {cond} AND e.coping IS NOT NULL GROUP BY 1", params),
    ]
    for name in ("topics", "referrals", "more_info", "help_forms"):
        site = f"JOIN '{p}/site.parquet' st ON st.id = se.site_id"
        terms = f"'{p}/{name}.parquet' x JOIN '{p}/encounter.parquet' e ON e.id = x.encounter_id"
        terms += f" JOIN '{p}/session.parquet' se ON se.id = e.session_id {site}"
        queries.append((f"SELECT x.code, count(*) FROM {terms} WHERE {cond} GROUP BY 1", params))
    for query, args in queries:
        db.execute(query, args).fetchall()


def _timed(function, rounds: int) -> tuple[list[float], list[float]]:
    """Wall-clock seconds of each round after a warm-up, and of each round the seconds spent in the
    database (every query's execute and fetch, measured around the driver's cursor)."""
    from django.db import connection

    spent = [0.0]

    def in_database(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[0] += time.perf_counter() - began

    function()  # warm-up
    times, queries = [], []
    with connection.execute_wrapper(in_database):
        for _ in range(rounds):
            spent[0] = 0.0
            began = time.perf_counter()
            function()
            times.append(time.perf_counter() - began)
            queries.append(spent[0])
    return times, queries


def _p95(times: list[float]) -> float:
    return sorted(times)[max(0, round(0.95 * len(times)) - 1)]


def job(count: int) -> dict:
    import django

    _ensure_database(os.environ["DATABASE_URL"])
    django.setup()
    import datetime as dt

    import duckdb
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from kohtaamo.directory.models import Municipality, Organisation, Site
    from kohtaamo.encounters.models import Encounter, Session
    from kohtaamo.stats import dashboard, rollups, sources
    from kohtaamo.stats.models import AreaMonthCount, DirtyDay, SiteMonth, SiteMonthCount, SiteWeek
    from kohtaamo.stats.queries import StatsFilter

    generated, fresh = _generate(count)
    rebuild = export = 0.0
    fingerprint = _rollup_fingerprint()
    if fresh or _state("rollups") != fingerprint:
        began = time.monotonic()
        rollups.rebuild_all()
        rebuild = time.monotonic() - began
        with connection.cursor() as cursor:
            # What autovacuum does soon after: the visibility map lets breakdowns read the covering indexes only.
            cursor.execute("VACUUM ANALYZE stats_sitemonth, stats_siteweek, stats_sitemonthcount, stats_areamonthcount")
        _set_state("rollups", fingerprint)
    if fresh or not (PARQUET / "encounter.parquet").exists():
        export = _export()
    last = Session.objects.latest("date").date
    year_start = last.replace(day=1) - dt.timedelta(days=330)
    busiest = Municipality.objects.filter(sites__sessions__isnull=False).order_by("code").first()
    site = Site.objects.filter(municipality=busiest).order_by("pk").first()
    cases = {
        "Pirkanmaa, 12 months": StatsFilter(date_from=year_start, date_to=last, county="08"),
        f"{busiest.name_fi}, a quarter": StatsFilter(
            date_from=last.replace(day=1) - dt.timedelta(days=70), date_to=last, municipality=busiest.code
        ),
        "all counties, 24 months": StatsFilter(date_from=last - dt.timedelta(days=DAYS - 1), date_to=last),
        "one partner, 12 months": StatsFilter(
            date_from=year_start, date_to=last, partner=Organisation.objects.order_by("pk").first().pk
        ),
        "one site, 12 months": StatsFilter(date_from=year_start, date_to=last, site=site.pk),
        "one kind of site, 12 months": StatsFilter(date_from=year_start, date_to=last, kind=site.kind),
    }
    duck = duckdb.connect()
    results = []
    for name, filt in cases.items():
        sources.DEFAULT = sources.ROLLUPS
        fast, fast_queries = _timed(lambda filt=filt: dashboard.dashboard_build(filt=filt), ROUNDS)
        sources.DEFAULT = sources.RAW
        raw, raw_queries = _timed(lambda filt=filt: dashboard.dashboard_build(filt=filt), RAW_ROUNDS)
        sources.DEFAULT = sources.ROLLUPS
        ducked, _none = _timed(lambda filt=filt: _duckdb_dashboard(duck, filt), DUCK_ROUNDS)
        results.append(
            {
                "name": name,
                "rollups_p50": statistics.median(fast),
                "rollups_p95": _p95(fast),
                "rollups_queries_p50": statistics.median(fast_queries),
                "raw_p50": statistics.median(raw),
                "raw_queries_p50": statistics.median(raw_queries),
                "duckdb_p50": statistics.median(ducked),
            }
        )
    day = last - dt.timedelta(days=40)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    day_sites = list(Session.objects.filter(date=day).values_list("site_id", flat=True).distinct())
    DirtyDay.objects.bulk_create([DirtyDay(site_id=s, day=day) for s in day_sites], ignore_conflicts=True)
    began = time.monotonic()
    rollups.refresh()
    refresh_day = time.monotonic() - began
    tables = {model.__name__: model.objects.count() for model in (SiteMonth, SiteWeek, SiteMonthCount, AreaMonthCount)}
    rollup_rows = sum(tables.values())
    tables["of which SiteMonth per partner"] = SiteMonth.objects.exclude(partner=0).count()
    areas = AreaMonthCount.objects
    tables["of which AreaMonthCount per county"] = areas.filter(kind="", partner=0).count()
    tables["per county and kind"] = areas.exclude(kind="").count()
    tables["per county and partner"] = areas.exclude(partner=0).count()
    with connection.cursor() as cursor:
        raw_tables = {}
        for table in RAW_TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 -- our own table names
            raw_tables[table] = cursor.fetchone()[0]
        raw_rows = sum(raw_tables.values())
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    return {
        "raw_tables": raw_tables,
        "encounters": Encounter.objects.count(),
        "sessions": Session.objects.count(),
        "raw_rows": raw_rows,
        "rollup_rows": rollup_rows,
        "rollup_tables": tables,
        "generate": generated,
        "rebuild": rebuild,
        "export": export,
        "cases": results,
        "refresh_day": refresh_day,
        "day_sites": len(day_sites),
        "postgres": postgres,
        "duckdb": duckdb.__version__,
    }


def _rollup_fingerprint() -> str:
    """What the kept rollups were built by: the stats migrations (the schema) and rollups.FORMAT."""
    from django.db.migrations.recorder import MigrationRecorder

    from kohtaamo.stats import rollups

    applied = MigrationRecorder.Migration.objects.filter(app="stats").order_by("name").values_list("name", flat=True)
    return f"{','.join(applied)};format {rollups.FORMAT}"


def generate_only(count: int) -> None:
    """`python -m bench.benchmarks.stats --generate N` (DATABASE_URL set): make the data now, for a later run."""
    import django

    _ensure_database(os.environ["DATABASE_URL"])
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    seconds, fresh = _generate(count)
    _log(f"generated in {seconds:.0f} s" if fresh else "the data was already there")


if __name__ == "__main__":
    if sys.argv[1] == "--generate":
        generate_only(int(sys.argv[2]))
    else:
        print(json.dumps(job(int(sys.argv[1]))), flush=True)
