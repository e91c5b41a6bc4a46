"""Serve Kohtaamo with gunicorn from a scratch SQLite database in a temporary directory, on loopback only."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
WORKERS = 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Server:
    """A gunicorn serving `bench.settings` (Kohtaamo plus /bench/hello) with DEBUG off.

    Use as a context manager: the scratch directory is migrated on entry; `manage()` and `python()`
    prepare data in it; `start()` launches gunicorn; leaving stops gunicorn and deletes the directory.
    """

    def __init__(self, *, workers: int = WORKERS, env: dict[str, str] | None = None, database: Path | None = None):
        """`database`: a prepared SQLite file to start from (copied, so the prepared one stays as it was)."""
        self.workers = workers
        self.prepared = database
        self.port = free_port()
        self.var_dir = Path(tempfile.mkdtemp(prefix="kohtaamo-bench-"))
        self.database = self.var_dir / "kohtaamo.sqlite3"
        self.env = {
            **{name: value for name, value in os.environ.items() if name not in {"DATABASE_URL", "REDIS_URL"}},
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "KOHTAAMO_ENV": "development",
            "KOHTAAMO_VAR_DIR": str(self.var_dir),
            "DATABASE_URL": f"sqlite:///{self.database}",
            "DEBUG": "0",
            "ALLOWED_HOSTS": HOST,
            "LOG_LEVEL": "WARNING",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),
            **(env or {}),
        }
        self.process: subprocess.Popen | None = None
        self.log = self.var_dir / "gunicorn.log"

    @property
    def command(self) -> list[str]:
        return [str(BIN / "gunicorn"), "kohtaamo.wsgi", "-w", str(self.workers), "-b", f"{HOST}:{self.port}"]

    def __enter__(self) -> Server:
        if self.prepared is not None:
            shutil.copyfile(self.prepared, self.database)
        self.manage("migrate", "--noinput", "--verbosity", "0")
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()
        shutil.rmtree(self.var_dir, ignore_errors=True)

    def python(self, *args: str) -> str:
        """Run `python *args` in the scratch environment; returns its standard output."""
        done = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=self.env, capture_output=True, text=True, check=False
        )
        if done.returncode:
            raise RuntimeError(f"`python {' '.join(args)}` failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def manage(self, *args: str) -> str:
        return self.python("manage.py", *args)

    def start(self, timeout: float = 30) -> None:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log.read_text()}")
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer /healthz within {timeout} s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        """One request on a fresh connection: status, headers (lower-case names) and body."""
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def log_in(self, username: str, password: str) -> str:
        """Log in through the login form; returns the Cookie header of the session."""
        status, headers, body = self.get("/accounts/login/")
        csrf_cookie = _cookie(headers.get("set-cookie", ""), "csrftoken")
        marker = b'name="csrfmiddlewaretoken" value="'
        start = body.index(marker) + len(marker)
        token = body[start : body.index(b'"', start)].decode()
        form = f"csrfmiddlewaretoken={token}&username={username}&password={password}"
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            connection.request(
                "POST",
                "/accounts/login/",
                body=form,
                headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf_cookie}"},
            )
            response = connection.getresponse()
            response.read()
            session = _cookie(response.getheader("Set-Cookie", ""), "sessionid")
        finally:
            connection.close()
        if response.status != 302 or not session:
            raise RuntimeError(f"logging in as {username} failed with {response.status}")
        return f"sessionid={session}; csrftoken={csrf_cookie}"


def _cookie(set_cookie: str, name: str) -> str:
    # http.client joins several Set-Cookie headers with ", "; cookie values here contain neither "," nor ";".
    for part in set_cookie.replace(",", ";").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""
