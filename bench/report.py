"""docs/benchmarks.md: one section per benchmark, replaced when that benchmark runs again, and the machine."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import sqlite3
from importlib import metadata
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
HEADER = """# Benchmarks

Written by `make bench` (`python -m bench`, all benchmarks) or `python -m bench <name>` (one); each run
replaces its own section below and leaves the others alone. A benchmark is a module in `bench/benchmarks/`
(see its `__init__.py`). Every figure comes from the machine described in its section: compare figures
within a section, not across machines.
"""


def _first(path: str, prefix: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def machine() -> str:
    """One line about the hardware and software the figures come from."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory = _first("/proc/meminfo", "MemTotal")
    if memory.endswith(" kB"):
        memory = f"{int(memory[:-3]) / 1024 / 1024:.1f} GiB"
    return (
        f"{cpus} CPUs (nproc), {_first('/proc/cpuinfo', 'model name')}, {memory} RAM; "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
        f"Django {metadata.version('django')}, gunicorn {metadata.version('gunicorn')}, "
        f"SQLite {sqlite3.sqlite_version}"
    )


def load_average() -> str:
    """The 1, 5 and 15 minute load averages: other work on the machine shows up here."""
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def write_section(name: str, text: str, doc: Path = DOC) -> None:
    """Put `text` (starting with its own ## heading) in the section of benchmark `name`, replacing an old one."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    section = f"{start}\n{text.strip()}\n{end}\n"
    current = doc.read_text(encoding="utf-8") if doc.exists() else HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end) + r"\n?", re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _match: section, current, count=1)
    else:
        updated = current.rstrip("\n") + "\n\n" + section
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(updated, encoding="utf-8")
