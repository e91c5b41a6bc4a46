"""Kohtaamo's benchmarks: real gunicorn, a scratch database, a Python load generator; results in docs/benchmarks.md.

`python -m bench` (or `make bench`) runs every benchmark in bench/benchmarks/; `python -m bench directory`
runs one. See bench/benchmarks/__init__.py for how to add one.
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Options:
    """How hard to run: `scale` multiplies request counts and time limits (0.1 with --quick)."""

    scale: float = 1.0
    concurrency: int = 4

    def requests(self, count: int) -> int:
        return max(20, round(count * self.scale))

    def seconds(self, limit: float) -> float:
        return max(2.0, limit * self.scale)
