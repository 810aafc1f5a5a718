"""Kill the server with SIGKILL while applications with idempotency keys are in flight,
restart it, retry every request with its own key: every application the server
acknowledged exists exactly once, and no key made two.

The real server (`yimen runserver`) runs in a process of its own on a loopback port, over
a SQLite file, or a PostgreSQL database of its own when DATABASE_URL names a server.
1,000 applications are sent; a CI run (CI set in the environment) sends 200, and
YIMEN_SIGKILL_N sets any other number.
"""

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

APPLICATIONS = int(os.environ.get("YIMEN_SIGKILL_N") or (200 if os.environ.get("CI") else 1000))
WORKERS = 16
REQUEST_TIMEOUT = 30  # seconds, for every request
STEP_TIMEOUT = 180  # seconds, for every command and wait
TEST_TIMEOUT = 600  # seconds, for the whole test: it fails rather than hangs
RETRIES = 5
ROOT = Path(__file__).resolve().parents[2]
RUNSERVER = [sys.executable, "-m", "yimen.manage", "runserver"]


class Server:
    """`yimen runserver` on a free loopback port, its output in a log file."""

    def __init__(self, env: dict, log: Path):
        self.port = _free_port()
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [*RUNSERVER, f"127.0.0.1:{self.port}", "--noreload"],  # one process, the one killed
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + STEP_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "the server exited while starting"
            with contextlib.suppress(OSError):
                if self.request("GET", "/api/v1/departments")[0] == 200:
                    return
            time.sleep(0.2)
        raise TimeoutError("the server did not answer in time")

    def request(self, method: str, path: str, body=None, headers=None) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=STEP_TIMEOUT)
        self.log.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def database_url(tmp_path):
    """A SQLite file, or a new PostgreSQL database on the server DATABASE_URL names."""
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'sigkill.sqlite3'}"
        return
    name = f"yimen_sigkill_{uuid.uuid4().hex[:12]}"
    admin = urlunsplit(urlsplit(server)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def site(tmp_path, database_url) -> tuple[dict, dict]:
    """The environment of the server's processes, and what `sigkill_site setup` made."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "yimen.settings",
        "DATABASE_URL": database_url,
        "YIMEN_DATA_DIR": str(tmp_path / "data"),
        "YIMEN_SECRET_KEY": "sigkill-test-secret-key",
        "YIMEN_DEBUG": "0",
        "YIMEN_ALLOWED_HOSTS": "127.0.0.1",
        # runserver starts a thread per request: connections kept open would outlive them.
        "YIMEN_DB_CONN_MAX_AGE": "0",
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
    }
    _run(env, "-m", "yimen.manage", "migrate", "--verbosity", "0")
    return env, json.loads(_run(env, "-m", "tests.reliability.sigkill_site", "setup"))


def _run(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def apply(server: Server, made: dict, key: str) -> str | None:
    """The case number the server acknowledged for this key, or None without an answer."""
    body = json.dumps({"item_code": made["item_code"], "channel": "online"})
    headers = {
        "Authorization": f"Bearer {made['token']}",
        "Content-Type": "application/json",
        "Idempotency-Key": key,
    }
    try:
        status, content = server.request("POST", "/api/v1/cases", body, headers)
    except (OSError, http.client.HTTPException):  # refused, reset, cut short, timed out
        return None
    if status != 201:
        return None
    try:
        (case,) = json.loads(content)["cases"]
    except ValueError:  # the kill cut the answer off after its status line: not acknowledged
        return None
    return case["case_no"]


def apply_until_answered(server: Server, made: dict, key: str, deadline: float) -> str:
    for attempt in range(RETRIES):
        assert time.monotonic() < deadline, "the test ran out of time"
        if case_no := apply(server, made, key):
            return case_no
        time.sleep(0.2 * (attempt + 1))
    raise AssertionError(f"no answer for {key} after {RETRIES} tries")


def wait_for_answers(answers: list, count: int, deadline: float) -> None:
    while sum(a.done() and a.result() is not None for a in answers) < count:
        assert time.monotonic() < deadline, "too few applications were answered in time"
        time.sleep(0.01)


def test_every_acknowledged_application_exists_exactly_once_after_a_kill(site, tmp_path):
    env, made = site
    deadline = time.monotonic() + TEST_TIMEOUT
    keys = [f"sigkill-{n:05d}" for n in range(APPLICATIONS)]
    log = tmp_path / "server.log"

    server = Server(env, log)
    with ThreadPoolExecutor(WORKERS) as pool:
        answers = [pool.submit(apply, server, made, key) for key in keys]
        try:
            wait_for_answers(answers, APPLICATIONS // 3, deadline)
        finally:
            server.kill()
    acknowledged = {key: a.result() for key, a in zip(keys, answers, strict=True) if a.result()}
    assert APPLICATIONS // 3 <= len(acknowledged) < APPLICATIONS, "the kill came too late"

    server = Server(env, log)
    try:
        with ThreadPoolExecutor(WORKERS) as pool:
            answered = pool.map(lambda key: apply_until_answered(server, made, key, deadline), keys)
            retried = dict(zip(keys, answered, strict=True))
    finally:
        server.kill()

    stored = json.loads(_run(env, "-m", "tests.reliability.sigkill_site", "cases"))
    by_key = stored["by_key"]
    assert {key: by_key.get(key) for key in acknowledged} == {
        key: [case_no] for key, case_no in acknowledged.items()
    }
    assert by_key == {key: [case_no] for key, case_no in retried.items()}
    assert stored["total"] == len(set(keys)) == APPLICATIONS
