"""The benchmarks `python -m bench` runs: each module in this package is one, named after the module.

A benchmark module defines::

    TITLE = "Directory pages"               # the heading of its section in docs/benchmarks.md

    def run(options: bench.Options) -> str:
        ...                                 # serve with bench.server.Server, load with bench.load.hammer
        return markdown                     # the section's body: tables, findings, whether an aim was met

The runner adds the heading, the date, the machine and the command that repeats the run, and
replaces the benchmark's own section of docs/benchmarks.md. Keep a benchmark to about a minute.
"""

import importlib
import pkgutil
from types import ModuleType


def available() -> list[str]:
    return sorted(module.name for module in pkgutil.iter_modules(__path__) if not module.name.startswith("_"))


def load(name: str) -> ModuleType:
    module = importlib.import_module(f"{__name__}.{name}")
    for attribute in ("TITLE", "run"):
        if not hasattr(module, attribute):
            raise AttributeError(f"bench/benchmarks/{name}.py must define {attribute}")
    return module
