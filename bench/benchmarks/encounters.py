"""Batch POSTs of encounters against a hello-world POST of the same project, with a million encounters stored.

Cases: (a) /bench/hello-post, the smallest view that reads a POST body, through Kohtaamo's whole
middleware stack, sent the same batch bodies; (b) POST /api/v1/encounters/batch with 10 new encounters
(fresh client_uuids) per request, authenticated with a personal API token, into a database that already
holds a year of encounters. The issue's aim is a fraction of (a).

The database with the million encounters is made once, set-based (bench/encounters_data.py), and kept in
var/bench/; each run starts from a copy of it, so runs are alike and short.
"""

from __future__ import annotations

import functools
import http.client
import json
import shutil
import sqlite3
import time
from pathlib import Path

from bench import Options
from bench.encounters_data import BATCH, batch_body
from bench.load import Result, hammer
from bench.server import HOST, ROOT, Server

TITLE = "Encounter batches against a hello-world POST"
ENCOUNTERS = 1_000_000
SITES = 120
AIM = 0.30
ROUNDS = 3
PREPARED = ROOT / "var" / "bench" / f"encounters-v1-{ENCOUNTERS}.sqlite3"
BATCH_PATH = "/api/v1/encounters/batch"
FINDINGS = """Findings (batchperf, 2026-11-23). Before: 0.08 of hello (63 req/s against 808, p95 96 ms; in-process
20.2 ms a batch with 11.1 queries). What changed: the batch's hot reads are written-out queries of plain
values instead of querysets and model instances: the token with its user (one query by the hash's unique
index; last use still written at most every five minutes), the sites with the actor's scope applied in Python
by `permissions.site_in_scope` (held equal to `scoped()` by a test), the stored `client_uuid`s and the day's
sessions. Terms and languages are kept per process under `encounters.Vocabulary`'s version (renewed by
signals on every save or delete of a term or a language), schedules in a per-process dict under each site's
`updated_at`. The rows go in as multi-row INSERTs of plain values: the encounters with `ON CONFLICT
(client_uuid) DO NOTHING RETURNING`, so a resend racing the batch answers `duplicate` without the
item-by-item fallback, then one INSERT per term field and one for the counsellor's presence, in one
transaction. The index on `encounters_encounter.site_id` alone is gone (the `(site_id, occurred_at)` one
serves its lookups), and SQLite connections are kept between requests (`DB_CONN_MAX_AGE`): one per request
parsed the schema again each time, and closing the last one checkpointed the WAL into the database with an
fsync. A batch now costs a constant 10 queries whatever its size (a test holds 500 items to the count of 3).
What remains, in CPU time in-process while other engineers' test suites shared the 2 cores (hello-world
1.2 ms then): about 10 ms a batch, against 22-26 ms for the code before these changes measured the same
way. On the merged main on a quiet machine the commit itself was then the largest single cost, 2.5 ms of a
batch's 10.3 ms in-process: SQLite's automatic checkpoint runs inside the commit that takes the log past
1000 pages and waits for the disk. A serving process now checkpoints from a background thread every two
seconds instead (kohtaamo/lib/checkpoint.py, PASSIVE: it never blocks a reader or the writer) and turns the
automatic one off for its own connections: the commit 2.5 -> 0.6 ms, a batch 10.3 -> 8.3-8.9 ms in-process.
Two quiet runs of this code gave 0.29 and 0.28 of hello (p95 30 ms against 9).

Findings (batch3, 2026-11-23). What changed since: the token's user is made from its row without a raw()
queryset; the day's sessions are read with whether the sender is already present at each, so the presence
INSERT runs only at a session's first batch; the `client_uuid` pre-read is gone (the INSERT's ON CONFLICT
answers the duplicates of good items; refused items' `client_uuid`s are looked up only when an item is
refused, so a resend of an item that would now be refused still answers `duplicate`); the vocabulary's
version is a column of the sites' query; the term fields have through models of their own on the same tables
without the indexes on `encounter_id` alone (the unique index leads with it) and on `term_id` (never looked
up: 63.5 WAL frames a batch before, 42.5 after); and Python work was cut: values prepared for the INSERTs
without Field.get_db_prep_save's checks, sessions and users made without Model.__init__'s walk, items'
hours turned to Helsinki time once, no deep copies of pydantic defaults, a schedule's openings kept per
day, SiteRefs kept per site version, and API paths that skip the pages' URL patterns. A batch is 6
statements (BEGIN and COMMIT counted) plus one INSERT per term field used: 8 here. Measured: callgrind,
all items at one moment with every session open (deterministic), 13.0 -> 9.06 M instructions a batch
against 1.95 M for hello-world; in-process, interleaved with hello-world in one process, a batch went from
7.8-10.1 times hello's time (median of a run; three runs, load 1-4) to 5.4-6.5.
The machine was slower than in the run above (hello-world 620-680 req/s against 808) and shared: run back
to back at load 0.4-1.2, this benchmark gave 0.25 of hello for the code before and 0.29 for this code, and
alternating short hello and batch phases on one server gave medians of 0.22-0.25 against 0.30-0.34. In the
served batches the workers spend some 2.5 ms more CPU than in-process: each worker's SQLite page cache is
dropped whenever the other commits, and BEGIN IMMEDIATE waits about 0.8 ms a batch for the other worker's
write in SQLite's busy handler, which sleeps in steps of 1, 2, 5 ms. Neither `PRAGMA mmap_size` nor a
file-lock queue for the writers (which wakes the next writer at once) measured better than the noise.

Findings (session 5, 2026-11-24). perf showed most of a raw 10-row INSERT's time in the kernel, writing and
deleting a temporary file: a multi-row INSERT that could fail halfway keeps a statement journal, which SQLite
spills to a temporary file once it passes 64 KiB (the batch's INSERT changes some 30 pages of the encounters
table and its six indexes). `PRAGMA temp_store=MEMORY` (settings.py) keeps it in memory. The SQL of a batch in
the profile this benchmark runs (`bench.profile`): 1.43 ms before (a run at 00:22 UTC) against 0.58-0.63 ms in
three runs after; on the served benchmark, alternating runs of `python -m bench.alternate` on the commit
before and this one, 0.323 and 0.302 of hello before against 0.352 and 0.338 after (medians of five phase
pairs). What a served batch still spends in SQLite (strace of one worker): 52.5 WAL frames a batch (the
`(site_id, occurred_at)` index 13.5, the `client_uuid` index 13.3 and the `session_id` index 10.3: ten items
at random sites touch ten leaves of each), each written with two pwrite calls, and some 100 page reads,
because each worker's page cache is dropped whenever the other commits. Tried again without a gain beyond the
noise: `PRAGMA mmap_size` (half of the reads are of the log, which is not mapped) and waiting for the write
lock in short steps instead of SQLite's busy handler (1, 2, 5 ms sleeps); worse: a RESTART checkpoint every
two seconds, which keeps the log short (a commit on a log that keeps growing costs 0.33 ms against 0.21 ms on
a short one) but makes the writers wait while it copies and syncs (0.30-0.32 of hello against 0.35-0.37
alternating with PASSIVE). The machine's speed varies through the day (hello-world 860-1370 req/s in this
session), and the ratio falls when it is slow: runs in a slow hour gave 0.29-0.30 before this change."""


def _prepare() -> tuple[str, float]:
    """The prepared database: reused when there, else made (about a minute). Returns how, and seconds taken."""
    if PREPARED.exists():
        return "reused", 0.0
    began = time.monotonic()
    PREPARED.parent.mkdir(parents=True, exist_ok=True)
    with Server() as server:
        server.manage("load_demo", "--force")
        server.python("-m", "bench.data", "--sites", str(SITES))
        server.python("-m", "bench.encounters_data", "--encounters", str(ENCOUNTERS))
        partial = PREPARED.with_suffix(".partial")
        shutil.copyfile(server.database, partial)
        partial.rename(PREPARED)
    return "made", time.monotonic() - began


def _counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as db:
        return {
            table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 (fixed names)
            for table in ("encounters_encounter", "encounters_encounter_topics", "encounters_session")
        }


def _post(server: Server, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, server.port, timeout=30)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def run(options: Options) -> str:
    how, prepared_seconds = _prepare()
    with Server(database=PREPARED) as server:
        before = _counts(server.database)
        spec = json.loads(server.python("-m", "bench.encounters_data", "--token"))
        server.start()
        headers = {"Authorization": f"Bearer {spec['token']}", "Content-Type": "application/json"}
        status, answer = _post(server, BATCH_PATH, batch_body(spec), headers)
        results = json.loads(answer)["results"] if status == 200 else []
        if status != 200 or [r["status"] for r in results] != ["created"] * BATCH:
            raise RuntimeError(f"a batch answered {status}: {answer[:500]!r}")
        body = functools.partial(batch_body, spec)
        cases = [
            ("hello", "hello-world POST", "/bench/hello-post", options.requests(6000), options.seconds(20)),
            ("batch", f"batch of {BATCH} encounters", BATCH_PATH, options.requests(2000), options.seconds(30)),
        ]
        for _key, _label, path, _requests, _seconds in cases:
            warm = {"concurrency": options.concurrency, "headers": headers, "body": body}
            hammer(server.port, path, requests=100, seconds=3, **warm)
        rounds: dict[str, list[Result]] = {key: [] for key, *_ in cases}
        for _round in range(ROUNDS):
            for key, _label, path, requests, seconds in cases:
                part = hammer(
                    server.port,
                    path,
                    requests=requests // ROUNDS,
                    seconds=seconds / ROUNDS,
                    concurrency=options.concurrency,
                    headers=headers,
                    body=body,
                )
                if part.errors:
                    raise RuntimeError(f"{path}: {len(part.errors)} failed requests, e.g. {part.errors[:3]}")
                rounds[key].append(part)
        merged = {key: Result.merge(parts) for key, parts in rounds.items()}
        for key, result in merged.items():
            print(f"  {key}: {result.rps:.0f} rps, p50 {result.p50:.1f} ms, p95 {result.p95:.1f} ms", flush=True)
        ratio = merged["batch"].rps / merged["hello"].rps
        spec_file = server.var_dir / "batch.json"
        spec_file.write_text(json.dumps(spec))
        profiles = {
            key: json.loads(server.python("-m", "bench.profile", path, "--requests", "100", "--batch", str(spec_file)))
            for key, path in (("hello", "/bench/hello-post"), ("batch", BATCH_PATH))
        }
        server.stop()
        after = _counts(server.database)
        command = " ".join(server.command).replace(str(server.command[0]), ".venv/bin/gunicorn")
        command = command.replace(f":{server.port}", ":<free port>")
    return _markdown(options, how, prepared_seconds, before, after, cases, rounds, ratio, profiles, command)


def _markdown(options, how, prepared_seconds, before, after, cases, rounds, ratio, profiles, command) -> str:
    merged = {key: Result.merge(parts) for key, parts in rounds.items()}
    hello = merged["hello"].rps
    made = f"made for this run in {prepared_seconds:.0f} s" if how == "made" else "reused from an earlier run"
    lines = [
        f"Served by `{command}` (sync workers) with `DJANGO_SETTINGS_MODULE=bench.settings`, "
        "`KOHTAAMO_ENV=development`, `DEBUG=0`, on a copy of a prepared SQLite database (WAL, connections "
        "kept between requests, as configured).",
        "",
        f"Data: `manage.py load_demo --force`, `bench/data.py` (120 sites) and `bench/encounters_data.py`: "
        f"{before['encounters_encounter']:,} encounters with {before['encounters_encounter_topics']:,} topic "
        f"links in {before['encounters_session']:,} sessions (a session a day at every site for a year), made "
        f"set-based with INSERT … SELECT and kept in `var/bench/{PREPARED.name}` ({made}). After the run the "
        f"copy held {after['encounters_encounter']:,} encounters.",
        "",
        f"Load: {options.concurrency} client processes (`bench/load.py`, `http.client`), each request a new "
        f"body of {BATCH} encounters with fresh `client_uuid`s at sites of the bench coordinator's county, "
        "made by the client before its clock starts; the hello-world POST gets the same bodies and only reads "
        f"them. The batch authenticates with a personal API token (`Authorization: Bearer`). After a warm-up "
        f"of 100 requests per case, the cases take turns in {ROUNDS} rounds; the figures pool the rounds.",
        "",
        "| case | path | requests | seconds | req/s | req/s by round | p50 ms | p95 ms | vs hello | aim |",
        "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |",
    ]
    for key, label, path, _requests, _seconds in cases:
        result = merged[key]
        by_round = " / ".join(f"{part.rps:.0f}" for part in rounds[key])
        verdict = "" if key == "hello" else f"≥ {AIM:.2f}: **{'met' if ratio >= AIM else 'missed'}**"
        lines.append(
            f"| {label} | `POST {path}` | {result.requests} | {result.seconds:.1f} | {result.rps:.0f} | {by_round} | "
            f"{result.p50:.1f} | {result.p95:.1f} | {result.rps / hello:.2f} | {verdict} |"
        )
    lines += [
        "",
        f"Encounters stored per second: {merged['batch'].rps * BATCH:.0f}.",
        "",
        "**Aim met.**" if ratio >= AIM else "**Aim missed.** What the profiler shows (below) is how the time is spent.",
    ]
    found, base = profiles["batch"], profiles["hello"]

    def table(title: str, rows: list[dict]) -> list[str]:
        return [
            f"| {title} | calls / request | share |",
            "| --- | ---: | ---: |",
            *[f"| `{row['function']}` | {row['calls_per_request']} | {row['share']:.0%} |" for row in rows],
        ]

    lines += [
        "",
        "### Where the time of a batch goes",
        "",
        f"`python -m bench.profile {BATCH_PATH} --batch <token JSON>` posts {found['requests']} batches in-process "
        f"with Django's test client on the same data: {found['ms_per_request']} ms per batch without the "
        f"profiler, of which {found['query_ms_per_request']} ms executing {found['queries_per_request']} SQL "
        f"queries, against {base['ms_per_request']} ms for the hello-world POST.",
        "",
        *table("Kohtaamo's functions, by time including callees", found["project"]),
        "",
        *table("functions with the most own time", found["own"]),
        "",
        FINDINGS,
    ]
    return "\n".join(lines)
