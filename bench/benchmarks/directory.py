"""The directory's pages against a hello-world view of the same project, all served by one gunicorn.

Cases: (a) /bench/hello, the smallest view through Kohtaamo's whole middleware stack; (b) the site list
/sites/ as an anonymous visitor sees it, cached per worker as the app does; (c) a site page rendered
afresh for every request, anonymously (the app does not cache site pages; the run checks the headers) and
logged in as a coordinator (staff never get cached pages). The issue's aims are fractions of (a).
"""

from __future__ import annotations

import dataclasses
import json

from bench import Options
from bench.data import STAFF_PASSWORD, STAFF_USERNAME
from bench.load import Result, hammer
from bench.server import Server

TITLE = "Directory pages against a hello-world view"
SITES = 120  # a county-sized directory: a full list page of 50 and pagination
AIMS = {"list": 0.60, "site": 0.25, "site-staff": 0.25}
ROUNDS = 3
# What the last write-up found (2026-11-23); edit it when a run says otherwise.
FINDINGS = """Findings (sitepage, 2026-11-23). What made the site page cheaper: the parts that show the site's rows
(title, calendar link, heading, description, week table, regular hours, information) are rendered once per
site version, visibility, day and language, with the derived data that was already cached there; per request
the site's row is read with four columns and no join (logged in: plus its municipality's county), and only
"open now", the next openings and the edit links are rendered (kohtaamo/directory/views.py). What every page
repeats (header links, language switcher per path, footer) is rendered once per process and language
(`{% memo %}` in base.html). "May edit" is answered from the fetched row (permissions.site_covers), the
user's named sites in one small lookup; the session and the second-factor check are one small SELECT each
instead of the ORM's query building (kohtaamo/accounts/sessions.py, kohtaamo/lib/rows.py). Queries per page:
anonymous 1 (now without the join and the 30 columns), logged in 5 -> 4 in the user's area, 5 outside it
(a `LIMIT 1` lookup instead of the scope's EXISTS with a join and a subquery). CPU per request in-process
(`time.process_time`, best of 8 x 50, Django's test client): hello 1.0 ms; anonymous 6.7 -> 3.8 ms; logged
in 14.4 -> 6.7 ms. On the merged main (this run, a quiet machine) SQLite connections are also kept between
requests (`DB_CONN_MAX_AGE`, from the encounter batch's work): a new connection per request had cost 3.6-6.7
ms (connecting, the init PRAGMAs, SQLite reading the schema), which the test client never showed. With both,
0.46 anonymous and 0.29 logged in, against 0.22 and 0.12 before this session's work. Still left: logged in,
Django's `ModelBackend.get_user` builds the user's query through the ORM (about 0.7 ms); a lighter backend
would change the backend path that existing sessions store (everyone logged out once), so it was left alone."""


@dataclasses.dataclass(frozen=True)
class Case:
    key: str
    label: str
    path: str
    requests: int
    seconds: float
    cookie: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Cookie": self.cookie} if self.cookie else {}


def _cached(server: Server, path: str, cookie: str = "") -> bool:
    status, headers, _body = server.get(path, {"Cookie": cookie} if cookie else None)
    assert status == 200, f"{path} answered {status}"
    return "max-age" in headers.get("cache-control", "")


def _prepare(server: Server) -> tuple[str, dict]:
    try:
        server.manage("load_demo", "--force")
        source = "`manage.py load_demo --force`"
    except RuntimeError as error:
        if "Unknown command" not in str(error):
            raise
        source = "no demo data (no `load_demo` command yet)"
    data = json.loads(server.python("-m", "bench.data", "--sites", str(SITES)))
    return source, data


def run(options: Options) -> str:
    with Server() as server:
        source, data = _prepare(server)
        server.start()
        staff = server.log_in(STAFF_USERNAME, STAFF_PASSWORD)
        site = f"/sites/{data['site_id']}/"
        cached = {
            "list": _cached(server, "/sites/"),
            "site": _cached(server, site),
            "staff": _cached(server, site, staff),
        }
        cases = [
            Case("hello", "hello-world view", "/bench/hello", options.requests(8000), options.seconds(20)),
            Case("list", "site list, anonymous", "/sites/", options.requests(8000), options.seconds(20)),
            Case("site", "site page, anonymous", site, options.requests(2000), options.seconds(25)),
            Case("site-staff", "site page, logged in", site, options.requests(2000), options.seconds(25), staff),
        ]
        for case in cases:
            # Warm up: imports, templates, the list's cache and SQLite's page cache, in both workers.
            hammer(
                server.port, case.path, requests=200, seconds=3, concurrency=options.concurrency, headers=case.headers
            )
        # The cases take turns, ROUNDS times, so a busy spell on a shared machine slows every case, not one.
        rounds: dict[str, list[Result]] = {case.key: [] for case in cases}
        for _round in range(ROUNDS):
            for case in cases:
                part = hammer(
                    server.port,
                    case.path,
                    requests=case.requests // ROUNDS,
                    seconds=case.seconds / ROUNDS,
                    concurrency=options.concurrency,
                    headers=case.headers,
                )
                if part.errors:
                    raise RuntimeError(f"{case.path}: {len(part.errors)} failed requests, e.g. {part.errors[:3]}")
                rounds[case.key].append(part)
        results = {key: Result.merge(parts) for key, parts in rounds.items()}
        for case in cases:
            result = results[case.key]
            print(f"  {case.key}: {result.rps:.0f} rps, p50 {result.p50:.1f} ms, p95 {result.p95:.1f} ms", flush=True)
        missed = [key for key, aim in AIMS.items() if results[key].rps / results["hello"].rps < aim]
        profiles = {key: _profile(server, cases, key) for key in missed if key != "hello"}
        if profiles:
            profiles["hello"] = _profile(server, cases, "hello")
        command = " ".join(server.command).replace(str(server.command[0]), ".venv/bin/gunicorn")
        command = command.replace(f":{server.port}", ":<free port>")
    return _markdown(options, source, data, cases, rounds, cached, missed, profiles, command)


def _profile(server: Server, cases: list[Case], key: str) -> dict:
    case = next(case for case in cases if case.key == key)
    args = ["-m", "bench.profile", case.path, "--requests", "200"]
    if case.cookie:
        args += ["--cookie", case.cookie]
    return json.loads(server.python(*args))


def _table(cases: list[Case], rounds: dict[str, list[Result]]) -> list[str]:
    results = {key: Result.merge(parts) for key, parts in rounds.items()}
    hello = results["hello"].rps
    rows = [
        "| case | path | requests | seconds | req/s | req/s by round | p50 ms | p95 ms | bytes | vs hello | aim |",
        "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for case in cases:
        result = results[case.key]
        by_round = " / ".join(f"{part.rps:.0f}" for part in rounds[case.key])
        ratio = result.rps / hello
        aim = AIMS.get(case.key)
        verdict = "" if aim is None else f"≥ {aim:.2f}: **{'met' if ratio >= aim else 'missed'}**"
        rows.append(
            f"| {case.label} | `{case.path}` | {result.requests} | {result.seconds:.1f} | {result.rps:.0f} | "
            f"{by_round} | {result.p50:.1f} | {result.p95:.1f} | {result.bytes_per_response} | {ratio:.2f} | "
            f"{verdict} |"
        )
    return rows


def _profile_section(key: str, found: dict, hello: dict) -> list[str]:
    times = found["ms_per_request"] / hello["ms_per_request"]

    def table(title: str, rows: list[dict]) -> list[str]:
        return [
            f"| {title} | calls / request | share |",
            "| --- | ---: | ---: |",
            *[f"| `{row['function']}` | {row['calls_per_request']} | {row['share']:.0%} |" for row in rows],
        ]

    return [
        "",
        f"### Where the time of `{found['path']}` goes ({key})",
        "",
        f"`python -m bench.profile {found['path']}` renders the page {found['requests']} times in-process with "
        f"Django's test client on the same data: {found['ms_per_request']} ms per request without the profiler, of "
        f"which {found['query_ms_per_request']} ms executing {found['queries_per_request']} SQL queries in SQLite, "
        f"against {hello['ms_per_request']} ms for the hello-world view: {times:.0f} times the work, where the aim "
        f"of {AIMS[key]:.2f} allows {1 / AIMS[key]:.0f} times. Shares of the profiled time (areas nest, so they "
        "do not add up):",
        "",
        "| area | share |",
        "| --- | ---: |",
        *[f"| {row['area']} | {row['share']:.0%} |" for row in found["areas"]],
        "",
        *table("Kohtaamo's functions, by time including callees", found["project"]),
        "",
        *table("functions with the most own time", found["own"]),
    ]


def _markdown(
    options: Options,
    source: str,
    data: dict,
    cases: list[Case],
    rounds: dict[str, list[Result]],
    cached: dict[str, bool],
    missed: list[str],
    profiles: dict[str, dict],
    command: str,
) -> str:
    def said(flag: bool) -> str:
        return "cached (`Cache-Control: max-age`)" if flag else "rendered afresh (no cache headers)"

    lines = [
        f"Served by `{command}` (sync workers) with `DJANGO_SETTINGS_MODULE=bench.settings` (Kohtaamo's settings "
        "and URLs plus `/bench/hello`), `KOHTAAMO_ENV=development`, `DEBUG=0`, a scratch SQLite database "
        "in a temporary directory (WAL, connections kept between requests, as configured) and the local-memory cache "
        "of each worker.",
        "",
        f"Data: {source}, topped up by `bench/data.py` to {data['sites']} sites ({data['public_sites']} public) "
        f"with {data['rules']} opening-hours rules. The site page is `{data['site_name']}`, the public site "
        f"with the most rules ({data['site_rules']} rules, {data['site_partner_links']} partner links).",
        "",
        f"Load: {options.concurrency} client processes (`bench/load.py`, `http.client`). After a warm-up of up to "
        f"200 requests or 3 s per case, the cases take turns in {ROUNDS} rounds, each stopped at its share of the "
        "request count or time limit; the figures pool the rounds. The clients run on the same "
        "machine and share its CPUs with gunicorn. gunicorn's sync workers close the connection after each "
        "response, so every request includes a loopback TCP connect.",
        "",
        *_table(cases, rounds),
        "",
        f"Caching as measured: the list was {said(cached['list'])}; the anonymous site page was "
        f"{said(cached['site'])}; the logged-in site page was {said(cached['staff'])}.",
    ]
    if cached["site"]:
        lines.append(
            "The anonymous site page is cached, so its row does not measure an uncached page; the logged-in row does."
        )
    lines.append("")
    if not missed:
        lines.append("Every aim of the issue is met.")
    else:
        lines.append(f"**Aims missed: {', '.join(missed)}.** What the profiler shows (below) is how the time is spent.")
    lines += ["", FINDINGS]
    for key, found in profiles.items():
        if key != "hello":
            lines += _profile_section(key, found, profiles["hello"])
    return "\n".join(lines)
