"""The production server for the bench: gunicorn, one worker per core, on loopback."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

STARTUP_SECONDS = 60
THREADS_PER_WORKER = 4
# As docs/deployment.md runs it: glibc gives each thread that allocates its own heap arena,
# and a threaded worker that renders licences keeps them all (measured here: 268 → 225 MB
# per worker after issuing, the same licences per second).
SERVER_ENV = {"MALLOC_ARENA_MAX": "2"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_command(port: int, workers: int, threads: int = THREADS_PER_WORKER) -> list[str]:
    executable = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    return [
        executable,
        "yimen.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--worker-class=gthread",
        f"--threads={threads}",
        "--keep-alive=30",
        "--log-level=warning",
    ]


class Server:
    """gunicorn started for the bench and stopped after it (a context manager)."""

    def __init__(self, workers: int, env: dict | None = None):
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**SERVER_ENV, **os.environ, "YIMEN_LOG_LEVEL": "WARNING", **(env or {})}
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        self.process = subprocess.Popen(
            gunicorn_command(self.port, self.workers), env=self.env, stdin=subprocess.DEVNULL
        )
        try:
            self._wait_ready()
        except BaseException:
            self.__exit__()  # a server that never answered is stopped all the same
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped at start (exit {self.process.returncode})")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=5):
                    return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within a minute")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def worker_rss_mb(self) -> list[float]:
        return [rss_mb(pid) for pid in self.worker_pids()]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0
