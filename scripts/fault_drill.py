"""Fault drill: post encounter batches with retries while PostgreSQL restarts and a gunicorn worker is killed.

    .venv/bin/python -m scripts.fault_drill            # or: make fault-drill

It starts a throwaway PostgreSQL cluster of its own on a spare loopback port (never the shared one), migrates
a database there, and serves Kohtaamo with gunicorn (deploy/gunicorn.conf.py, 2 workers) on loopback. Client
threads post batches of encounters, each with its own client_uuid, and resend the same payload after any
error or timeout. Meanwhile the drill stops and starts PostgreSQL twice (a fast shutdown, then an immediate
one, which is a crash as far as the database is concerned) and SIGKILLs a gunicorn worker twice while
requests are in flight. Afterwards it counts the rows: every client_uuid must be stored exactly once, none
missing, each with its topics. Bounded in count and time (about a minute); it removes everything it made.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import datetime as dt
import http.client
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = Path(sys.executable)
HOST = "127.0.0.1"
TOPICS = ["housing", "loneliness", "e_services", "benefits", "health", "forms"]


# --- Counting: what the client saw, and what the database holds ---


@dataclasses.dataclass
class Tally:
    """What the clients sent and heard. Thread-safe; `verdict()` compares it with the stored rows."""

    sent: set[str] = dataclasses.field(default_factory=set)
    batches: int = 0
    attempts: int = 0
    answers: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    errors: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    unanswered: set[str] = dataclasses.field(default_factory=set)
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock, repr=False)

    @property
    def retries(self) -> int:
        return self.attempts - self.batches

    def batch_sent(self, keys: list[str]) -> None:
        with self.lock:
            self.batches += 1
            self.sent.update(keys)

    def attempt(self, error: str | None = None) -> None:
        with self.lock:
            self.attempts += 1
            if error:
                self.errors[error] += 1

    def answered(self, results: list[dict]) -> None:
        with self.lock:
            for result in results:
                self.answers[result["status"]] += 1

    def gave_up(self, keys: list[str]) -> None:
        with self.lock:
            self.unanswered.update(keys)

    def verdict(self, stored: collections.Counter, without_topics: int) -> dict:
        """The drill's result: counts, and whether every encounter sent is stored exactly once."""
        twice = sorted(key for key, count in stored.items() if count > 1)
        missing = sorted(self.sent - set(stored))
        unexpected = sorted(set(stored) - self.sent)
        passed = (
            not twice
            and not missing
            and not unexpected
            and not without_topics
            and not self.unanswered
            and self.answers["rejected"] == 0
            and self.answers["created"] + self.answers["duplicate"] == len(self.sent)
        )
        return {
            "passed": passed,
            "batches": self.batches,
            "encounters_sent": len(self.sent),
            "attempts": self.attempts,
            "retries": self.retries,
            "errors": dict(self.errors.most_common()),
            "answered_created": self.answers["created"],
            "answered_duplicate": self.answers["duplicate"],
            "answered_rejected": self.answers["rejected"],
            "never_answered": len(self.unanswered),
            "rows_stored": sum(stored.values()),
            "distinct_stored": len(stored),
            "stored_twice": len(twice),
            "missing": len(missing),
            "unexpected": len(unexpected),
            "without_topics": without_topics,
        }


# --- The throwaway PostgreSQL cluster ---


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def pg_bin(tool: str) -> str:
    """A PostgreSQL server tool (initdb, pg_ctl): Debian keeps them out of PATH, in /usr/lib/postgresql/N/bin."""
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{tool}"), key=lambda p: int(p.parent.parent.name))
    if candidates:
        return str(candidates[-1])
    found = shutil.which(tool)
    if not found:
        raise RuntimeError(f"{tool} not found: install PostgreSQL's server package")
    return found


class Cluster:
    """A PostgreSQL cluster in a temporary directory, on its own port, trusted on loopback only."""

    def __init__(self, workdir: Path):
        self.dir = workdir / "pg"
        self.data = self.dir / "data"
        self.port = free_port()
        self.log = self.dir / "postgresql.log"
        # initdb refuses to run as root; run the server tools as the postgres user then.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - our own fixed arguments
            [*self.as_user, *command], capture_output=True, text=True, check=check, timeout=60
        )

    def create(self) -> None:
        self.dir.mkdir()
        if self.as_user:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        options = f"-p {self.port} -k {self.dir} -c listen_addresses={HOST} -c max_connections=50"
        self.options = options
        self.start()

    def start(self) -> None:
        self._run(pg_bin("pg_ctl"), "-D", str(self.data), "-o", self.options, "-l", str(self.log), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def url(self, name: str = "kohtaamo") -> str:
        return f"postgres://postgres@{HOST}:{self.port}/{name}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        done = subprocess.run(  # noqa: S603 - our own fixed arguments
            ["psql", "-h", HOST, "-p", str(self.port), "-U", "postgres", "-d", database, "-Atc", sql],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return done.stdout


# --- The app server ---


class App:
    """gunicorn with deploy/gunicorn.conf.py and 2 workers, on a loopback port, against the cluster."""

    def __init__(self, workdir: Path, database_url: str, workers: int = 2):
        self.port = free_port()
        self.log = workdir / "gunicorn.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL"}},
            "DJANGO_SETTINGS_MODULE": "kohtaamo.settings",
            "KOHTAAMO_ENV": "development",
            "KOHTAAMO_VAR_DIR": str(workdir),
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "ALLOWED_HOSTS": HOST,
            "LOG_LEVEL": "WARNING",
            "GUNICORN_BIND": f"{HOST}:{self.port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_TIMEOUT": "20",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        self.process: subprocess.Popen | None = None

    def python(self, *args: str) -> str:
        done = subprocess.run(  # noqa: S603 - our own fixed arguments
            [str(PYTHON), *args], cwd=ROOT, env=self.env, capture_output=True, text=True, check=False, timeout=300
        )
        if done.returncode:
            raise RuntimeError(f"python {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start(self) -> None:
        gunicorn = PYTHON.parent / "gunicorn"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own fixed arguments
                [str(gunicorn), "-c", "deploy/gunicorn.conf.py", "kohtaamo.wsgi"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log.read_text()}")
            try:
                if request(self.port, "GET", "/healthz", timeout=2)[0] == 200 and len(self.workers()) == 2:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not become healthy:\n{self.log.read_text()}")

    def workers(self) -> list[int]:
        """The master's children, read from /proc."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def busy_worker(self) -> int | None:
        """A worker that is running (serving a request) rather than sleeping in accept()."""
        for pid in self.workers():
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if state == "R":
                return pid
        return None

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def request(port: int, method: str, path: str, body: bytes | None = None, headers=None, timeout: float = 10):
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


PREPARE = """
import json
from kohtaamo.accounts.models import Role, User
from kohtaamo.directory.models import Municipality, Site
from kohtaamo.encounters.tokens import api_token_create
tampere = Municipality.objects.get(code="837")
site = Site.objects.create(name="Fault drill", kind=Site.Kind.MEETING_PLACE, municipality=tampere)
user = User.objects.create_user(username="fault-drill", password=None, role=Role.COUNSELLOR)
user.sites.set([site])
print(json.dumps({"site": site.pk, "token": api_token_create(actor=user, name="fault drill")[1]}))
"""


# --- The client and the faults ---


def batch_payload(site: int, size: int, number: int) -> tuple[list[str], bytes]:
    now = dt.datetime.now(dt.UTC).isoformat()
    items = [
        {
            "client_uuid": str(uuid.uuid4()),
            "site": site,
            "occurred_at": now,
            "topics": [TOPICS[(number + i) % len(TOPICS)]],
            "coping": "better" if i % 3 == 0 else None,
        }
        for i in range(size)
    ]
    return [item["client_uuid"] for item in items], json.dumps({"encounters": items}).encode()


def post_with_retries(port, token, keys, body, tally: Tally, deadline: float, max_attempts: int) -> None:
    """Send one batch until it is answered, the same payload every time, backing off a little after errors."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    tally.batch_sent(keys)
    for attempt in range(max_attempts):
        if time.monotonic() > deadline:
            break
        try:
            status, answer = request(port, "POST", "/api/v1/encounters/batch", body, headers, timeout=10)
        except (OSError, http.client.HTTPException) as error:
            tally.attempt(type(error).__name__)
        else:
            if status == 200:
                tally.attempt()
                tally.answered(json.loads(answer)["results"])
                return
            tally.attempt(f"HTTP {status}")
        time.sleep(min(0.05 * 2**attempt, 1.0))
    tally.gave_up(keys)


def client(port, token, site, work: queue.Queue, tally: Tally, size: int, deadline: float, progress) -> None:
    while True:
        try:
            number = work.get_nowait()
        except queue.Empty:
            return
        keys, body = batch_payload(site, size, number)
        post_with_retries(port, token, keys, body, tally, deadline, max_attempts=60)
        progress()


def faults(cluster: Cluster, app: App, done_batches, total: int, stop: threading.Event, log) -> None:
    """At fixed shares of the work: restart PostgreSQL (fast, then immediate) and SIGKILL a busy worker."""
    plan = [
        (0.15, "restart PostgreSQL (fast shutdown, 2 s down)", lambda: restart(cluster, "fast")),
        (0.35, "SIGKILL a gunicorn worker mid-batch", lambda: kill_worker(cluster, app, log)),
        (0.55, "restart PostgreSQL (immediate shutdown = crash, 2 s down)", lambda: restart(cluster, "immediate")),
        (0.75, "SIGKILL a gunicorn worker mid-batch", lambda: kill_worker(cluster, app, log)),
    ]
    for share, name, action in plan:
        while done_batches() < share * total and not stop.is_set():
            time.sleep(0.05)
        if stop.is_set():
            return
        log(f"fault at {done_batches()}/{total} batches: {name}")
        action()


def restart(cluster: Cluster, mode: str) -> None:
    cluster.stop(mode)
    time.sleep(2)
    cluster.start()


def kill_worker(cluster: Cluster, app: App, log) -> None:
    """SIGKILL a worker caught between the INSERTs of a batch: its earlier items are committed, the rest not."""
    deadline = time.monotonic() + 10
    pid, how = None, "mid-batch, between its INSERTs"
    while pid is None and time.monotonic() < deadline:
        pid = worker_inserting(cluster, app)
        if pid is None:
            time.sleep(0.01)
    if pid is None:
        pid, how = app.busy_worker() or app.workers()[0], "no INSERT seen in time; killed a worker anyway"
    os.kill(pid, signal.SIGKILL)
    log(f"  killed worker {pid} ({how})")


def worker_inserting(cluster: Cluster, app: App) -> int | None:
    """The gunicorn worker whose database session is inserting encounters right now, if any."""
    ports = cluster.psql(
        "SELECT client_port FROM pg_stat_activity WHERE datname = 'kohtaamo' "
        "AND state IN ('active', 'idle in transaction') AND query LIKE 'INSERT INTO \"encounters_encounter%'"
    ).split()
    if not ports:
        return None
    # Map the session's client port to its socket inode (/proc/net/tcp), and the inode to the worker holding it.
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if str(int(fields[1].split(":")[1], 16)) in ports:
            inodes.add(f"socket:[{fields[9]}]")
    for pid in app.workers():
        try:
            links = {os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()}
        except OSError:
            continue
        if links & inodes:
            return pid
    return None


# --- The drill ---


def count_stored(cluster: Cluster) -> tuple[collections.Counter, int]:
    rows = cluster.psql("SELECT client_uuid FROM encounters_encounter", "kohtaamo").split()
    without_topics = cluster.psql(
        "SELECT count(*) FROM encounters_encounter e WHERE NOT EXISTS "
        "(SELECT 1 FROM encounters_encounter_topics t WHERE t.encounter_id = e.id)",
        "kohtaamo",
    )
    return collections.Counter(rows), int(without_topics)


def run(batches: int, size: int, clients: int, seconds: float, log=print) -> dict:
    began = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="kohtaamo-fault-drill-"))
    workdir.chmod(0o755)  # noqa: S103 - the postgres user must reach its cluster inside; nothing secret here
    cluster = Cluster(workdir)
    app = None
    try:
        cluster.create()
        cluster.psql("CREATE DATABASE kohtaamo")
        log(f"PostgreSQL cluster on {HOST}:{cluster.port} in {cluster.dir}")
        app = App(workdir, cluster.url())
        app.python("manage.py", "migrate", "--noinput", "--verbosity", "0")
        prepared = json.loads(app.python("manage.py", "shell", "-c", PREPARE).splitlines()[-1])
        app.start()
        log(f"gunicorn on {HOST}:{app.port}, workers {app.workers()}")

        tally, work = Tally(), queue.Queue()
        for number in range(batches):
            work.put(number)
        finished = [0]
        finished_lock = threading.Lock()

        def progress() -> None:
            with finished_lock:
                finished[0] += 1

        deadline = time.monotonic() + seconds
        stop = threading.Event()
        chaos = threading.Thread(target=faults, args=(cluster, app, lambda: finished[0], batches, stop, log))
        threads = [
            threading.Thread(
                target=client,
                args=(app.port, prepared["token"], prepared["site"], work, tally, size, deadline, progress),
            )
            for _ in range(clients)
        ]
        load_began = time.monotonic()
        chaos.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stop.set()
        chaos.join()
        load_seconds = time.monotonic() - load_began
        stored, without_topics = count_stored(cluster)
        result = tally.verdict(stored, without_topics)
        boots = app.log.read_text().count("Booting worker")
        result.update(
            {
                "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "batch_size": size,
                "clients": clients,
                "worker_boots": boots,
                "load_seconds": round(load_seconds, 1),
                "total_seconds": round(time.monotonic() - began, 1),
            }
        )
        return result
    finally:
        if app:
            app.stop()
        cluster.stop("immediate")
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.fault_drill", description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=160, help="batches to post (default 160)")
    parser.add_argument("--size", type=int, default=25, help="encounters per batch (default 25)")
    parser.add_argument("--clients", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--seconds", type=float, default=120, help="give up posting after this long (default 120)")
    arguments = parser.parse_args(argv)
    result = run(arguments.batches, arguments.size, arguments.clients, arguments.seconds)
    print(json.dumps(result, indent=2))
    print("PASSED: every encounter stored exactly once" if result["passed"] else "FAILED", file=sys.stderr)
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
