"""`python -m bench [name ...]`: run benchmarks and write their sections of docs/benchmarks.md."""

from __future__ import annotations

import argparse
import sys
import time

from bench import Options, benchmarks, report


def main(argv: list[str] | None = None) -> int:
    names = benchmarks.available()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="name", help=f"benchmarks to run (default: all of {names})")
    parser.add_argument(
        "--quick", action="store_true", help="a tenth of the requests, to try the bench out; writes no docs"
    )
    parser.add_argument("--concurrency", type=int, default=4, help="client connections at once (default: 4)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(names))
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; available: {names}")
    options = Options(scale=0.1 if args.quick else 1.0, concurrency=args.concurrency)
    for name in args.names or names:
        module = benchmarks.load(name)
        print(f"== {name}: {module.TITLE}", flush=True)
        began = time.monotonic()
        machine, load_before = report.machine(), report.load_average()
        body = module.run(options)
        command = f"`.venv/bin/python -m bench {name}`" + (" (or `make bench` for all)" if not args.quick else "")
        section = (
            f"## {module.TITLE}\n\n"
            f"Run {report.now()} with {command}, {time.monotonic() - began:.0f} s.  \n"
            f"Machine: {machine}; load average {load_before} before the run, {report.load_average()} after.\n\n"
            f"{body.strip()}\n"
        )
        print(section, flush=True)
        if not args.quick:
            report.write_section(name, section)
            print(f"written to {report.DOC.relative_to(report.DOC.parent.parent)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
