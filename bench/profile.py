"""Where a page's time goes: `python -m bench.profile /sites/1/ --requests 200` (in the scratch environment).

Renders the page in-process with Django's test client, after a warm-up, and prints JSON: the mean time
per request and its SQL queries (timed without the profiler), then, under cProfile, the share of the time
spent in a few areas, in Kohtaamo's own functions and in the functions with the most own time. Run by a
benchmark when a page misses its aim.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import re
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent


def _where(filename: str, name: str) -> str:
    """A function as `package/module.py name`, without machine-specific paths or addresses."""
    for marker in ("site-packages/", f"{ROOT}/", "/lib/python3."):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
            if marker.startswith("/lib/"):
                filename = filename.split("/", 1)[1]  # drop the "11/" of python3.11
            break
    return f"{filename} {re.sub(r' at 0x[0-9a-f]+', '', name)}"


# Where to look first: (what, file suffix, function). Areas nest (the ORM runs inside the view and templates).
AREAS = [
    ("the view function and everything it calls", None, None),
    ("template rendering", "django/template/backends/django.py", "render"),
    ("ORM: querysets, prefetching, model instances", "django/db/models/query.py", "_fetch_all"),
    ("opening-hours engine (kohtaamo/lib/hours.py)", "kohtaamo/lib/hours.py", None),
    ("translations (gettext)", "django/utils/translation/trans_real.py", "gettext"),
    ("modeltranslation's query rewriting", "modeltranslation/manager.py", "_clone"),
]


def _rows(stats: pstats.Stats) -> list[tuple[str, str, int, float, float]]:
    """(file, function, calls, own seconds, cumulative seconds) per function."""
    return [
        (filename, name, ncalls, tottime, cumtime)
        for (filename, _line, name), (_calls, ncalls, tottime, cumtime, _callers) in stats.stats.items()  # type: ignore[attr-defined]
    ]


def _areas(rows, view: str, total: float) -> list[dict]:
    found = []
    for what, suffix, function in AREAS:
        if suffix is None:
            matching = [row for row in rows if row[1] == view and "kohtaamo/" in row[0]]
        else:
            matching = [row for row in rows if row[0].endswith(suffix) and (function is None or row[1] == function)]
        # Within one module the outermost call carries the time of the inner ones, so take the largest.
        seconds = max((row[4] for row in matching), default=0.0)
        found.append({"area": what, "share": round(seconds / total, 3)})
    return found


def _top(rows, column: int, count: int, requests: int, total: float, project_only: bool = False) -> list[dict]:
    chosen = [row for row in rows if not project_only or f"{ROOT}/kohtaamo/" in row[0]]
    chosen.sort(key=lambda row: row[column], reverse=True)
    return [
        {
            "function": _where(filename, name),
            "calls_per_request": round(calls / requests, 1),
            "share": round(seconds / total, 3),
        }
        for filename, name, calls, *times in chosen[:count]
        for seconds in [times[column - 3]]
    ]


class _QueryTimer:
    """A database execute wrapper that counts queries and their time."""

    def __init__(self):
        self.count, self.seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - began


def profile(path: str, requests: int, cookie: str = "", batch: dict | None = None) -> dict:
    """`batch`: POST encounter batches (bench/encounters_data.py's token JSON) instead of GETting the page."""
    from django.db import connection
    from django.test import Client
    from django.urls import resolve

    client = Client(HTTP_COOKIE=cookie) if cookie else Client()
    if batch is not None:
        from bench.encounters_data import batch_body

        headers = {"Authorization": f"Bearer {batch['token']}"}

        def send(path):
            return client.post(path, data=batch_body(batch), content_type="application/json", headers=headers)

    else:
        send = client.get
    for _ in range(20):
        status = send(path).status_code
        assert status == 200, f"{path} answered {status}"
    timer = _QueryTimer()
    with connection.execute_wrapper(timer):
        began = time.perf_counter()
        for _ in range(requests):
            send(path)
        plain = time.perf_counter() - began
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        send(path)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    rows = _rows(stats)
    total = stats.total_tt  # type: ignore[attr-defined]
    view = resolve(path.split("?")[0]).func.__name__
    return {
        "path": path,
        "view": view,
        "requests": requests,
        "ms_per_request": round(plain / requests * 1000, 2),
        "queries_per_request": round(timer.count / requests, 1),
        "query_ms_per_request": round(timer.seconds / requests * 1000, 2),
        "areas": _areas(rows, view, total),
        "project": _top(rows, 4, 10, requests, total, project_only=True),
        "own": _top(rows, 3, 10, requests, total),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--cookie", default="")
    parser.add_argument("--batch", default="", help="a JSON file from `bench.encounters_data --token`: POST batches")
    args = parser.parse_args()
    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    batch = json.loads(Path(args.batch).read_text()) if args.batch else None
    print(json.dumps(profile(args.path, args.requests, args.cookie, batch)))


if __name__ == "__main__":
    main()
