"""A small HTTP load generator: client processes with http.client connections, a bounded count and time.

Processes rather than threads, so the generator's own Python does not queue behind one GIL. Each client
keeps its connection open when the server allows it (HTTP/1.1); gunicorn's sync workers close it after
every response, and http.client then reconnects, so the connect is part of each measured request.
"""

from __future__ import annotations

import dataclasses
import http.client
import multiprocessing
import statistics
import time
from collections.abc import Callable

HOST = "127.0.0.1"


@dataclasses.dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    latencies_ms: tuple[float, ...]
    errors: tuple[str, ...]
    concurrency: int
    bytes_per_response: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: int) -> float:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else 0.0
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[p - 1]

    @classmethod
    def merge(cls, parts: list[Result]) -> Result:
        """Several runs of one case as one: their requests over their summed time."""
        return cls(
            requests=sum(part.requests for part in parts),
            seconds=sum(part.seconds for part in parts),
            latencies_ms=tuple(latency for part in parts for latency in part.latencies_ms),
            errors=tuple(error for part in parts for error in part.errors),
            concurrency=parts[0].concurrency,
            bytes_per_response=max(part.bytes_per_response for part in parts),
        )

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p95(self) -> float:
        return self.percentile(95)


def _client(
    port: int,
    path: str,
    headers: dict,
    count: int,
    seconds: float,
    start,
    queue,
    make_body: Callable[[], bytes] | None = None,
) -> None:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    latencies, errors, size = [], [], 0
    start.wait()
    began = time.monotonic()
    deadline = began + seconds
    for _ in range(count):
        if time.monotonic() >= deadline:
            break
        payload = make_body() if make_body else None  # made before the clock starts: it is not the server's work
        sent = time.perf_counter()
        try:
            connection.request("POST" if make_body else "GET", path, body=payload, headers=headers)
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as error:
            errors.append(f"{type(error).__name__}: {error}")
            connection.close()
            continue
        latencies.append((time.perf_counter() - sent) * 1000)
        if response.status != 200:
            errors.append(f"HTTP {response.status}")
        size = len(body)
    queue.put((began, time.monotonic(), latencies, errors, size))
    connection.close()


def hammer(
    port: int,
    path: str,
    *,
    requests: int,
    seconds: float,
    concurrency: int = 4,
    headers: dict[str, str] | None = None,
    body: Callable[[], bytes] | None = None,
) -> Result:
    """GET `path` `requests` times from `concurrency` clients at once, stopping early after `seconds`.

    With `body`, POST instead: each request sends a fresh `body()` (made in the client process, so it
    may be random, e.g. new idempotency keys every time).
    """
    context = multiprocessing.get_context("fork")
    start, queue = context.Event(), context.Queue()
    share, extra = divmod(requests, concurrency)
    clients = [
        context.Process(
            target=_client,
            args=(port, path, headers or {}, share + (i < extra), seconds, start, queue, body),
            daemon=True,
        )
        for i in range(concurrency)
    ]
    for client in clients:
        client.start()
    time.sleep(0.2)  # every client at the start line, so none has a head start
    start.set()
    reports = [queue.get(timeout=seconds + 60) for _ in clients]
    for client in clients:
        client.join()
    began = min(report[0] for report in reports)
    ended = max(report[1] for report in reports)
    latencies = tuple(latency for report in reports for latency in report[2])
    errors = tuple(error for report in reports for error in report[3])
    return Result(
        requests=len(latencies),
        seconds=ended - began,
        latencies_ms=latencies,
        errors=errors,
        concurrency=concurrency,
        bytes_per_response=max(report[4] for report in reports),
    )
