"""`python -m bench.alternate`: the encounter benchmark's two cases in short alternating phases on one server.

`python -m bench encounters` gives the figures of record. This tool is for comparing two versions of the code
on a machine whose speed drifts: run it on each commit, one run after the other, and compare the medians.
Each pair of phases (hello-world POST, then batches) gives one ratio, so a slow spell affects both cases of
a pair alike. The gunicorn workers' CPU per request is read from /proc and shown too: it moves less with the
clients and the machine than req/s do. Prints a summary; writes no docs.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
from pathlib import Path

from bench.benchmarks.encounters import BATCH_PATH, PREPARED, _prepare
from bench.encounters_data import batch_body
from bench.load import hammer
from bench.server import Server

HELLO_PATH = "/bench/hello-post"
TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of the processes, threads included (/proc/<pid>/stat)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=5, help="pairs of phases (default: 5)")
    parser.add_argument("--seconds", type=float, default=2.5, help="length of a phase (default: 2.5)")
    args = parser.parse_args()
    _prepare()
    with Server(database=PREPARED) as server:
        spec = json.loads(server.python("-m", "bench.encounters_data", "--token"))
        server.start()
        assert server.process is not None
        children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children").read_text()
        workers = [int(pid) for pid in children.split()]
        load = {
            "headers": {"Authorization": f"Bearer {spec['token']}", "Content-Type": "application/json"},
            "body": functools.partial(batch_body, spec),
        }
        for path in (HELLO_PATH, BATCH_PATH):
            hammer(server.port, path, requests=200, seconds=3, **load)  # warm-up
        found: dict[str, list[tuple[float, float]]] = {"hello": [], "batch": []}
        for _pair in range(args.pairs):
            for key, path in (("hello", HELLO_PATH), ("batch", BATCH_PATH)):
                before = _cpu_seconds(workers)
                result = hammer(server.port, path, requests=1_000_000, seconds=args.seconds, **load)
                if result.errors:
                    raise RuntimeError(f"{path}: {len(result.errors)} failed requests, e.g. {result.errors[:3]}")
                found[key].append((result.rps, (_cpu_seconds(workers) - before) * 1000 / result.requests))
    ratios = [batch[0] / hello[0] for hello, batch in zip(found["hello"], found["batch"], strict=True)]
    print(f"batch / hello by pair: {' '.join(f'{ratio:.2f}' for ratio in ratios)}")
    print(f"median ratio {statistics.median(ratios):.3f}")
    for key, rows in found.items():
        rps, cpu = statistics.median(row[0] for row in rows), statistics.median(row[1] for row in rows)
        print(f"{key}: median {rps:.0f} req/s, workers' CPU {cpu:.2f} ms a request")


if __name__ == "__main__":
    main()
