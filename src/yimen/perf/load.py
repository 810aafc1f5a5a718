"""Real HTTP load from threads with keep-alive connections, bounded in count and in time.

Only loopback addresses are accepted: the bench measures this machine, nothing else.
"""

import http.client
import json
import statistics
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class NotLoopback(ValueError):
    pass


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: dict | None = None
    headers: dict = field(default_factory=dict)


@dataclass
class Outcome:
    """What a run of requests gave: how many, how fast, and how long each took."""

    seconds: float
    latencies: list[float]  # seconds, of the successful requests
    errors: int
    error_samples: list[str]

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def summary(self) -> dict:
        return {
            "requests": self.ok,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "per_second": round(self.per_second, 1),
            "p50_ms": percentile_ms(self.latencies, 50),
            "p95_ms": percentile_ms(self.latencies, 95),
            "error_samples": self.error_samples,
        }


def percentile_ms(values: list[float], pct: int) -> float | None:
    """Nearest-rank percentile, in milliseconds."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-pct * len(ordered) // 100))
    return round(ordered[rank - 1] * 1000, 2)


def median(values) -> float | None:
    found = [v for v in values if v is not None]
    return round(statistics.median(found), 2) if found else None


def check_loopback(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK:
        raise NotLoopback(f"the bench only targets http://127.0.0.1, not {url}")
    return parts.hostname, parts.port or 80


class Client:
    """One keep-alive connection; sends a Request, returns (status, body)."""

    def __init__(self, url: str, timeout: float = 30):
        self.host, self.port = check_loopback(url)
        self.timeout = timeout
        self.connection: http.client.HTTPConnection | None = None

    def send(self, request: Request) -> tuple[int, bytes]:
        body = None if request.body is None else json.dumps(request.body).encode()
        headers = (
            {"Content-Type": "application/json", **request.headers} if body else {**request.headers}
        )
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    self.host, self.port, timeout=self.timeout
                )
            try:
                self.connection.request(request.method, request.path, body, headers)
                response = self.connection.getresponse()
                return response.status, response.read()
            except (ConnectionError, http.client.HTTPException):
                self.close()  # the server closed a kept-alive connection: once more, anew
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


# A client's script: a generator that yields (request, expected status) and is sent back
# each (status, body) it got.
Work = Callable[[Client], Generator[tuple[Request, int], tuple[int, bytes] | None, None]]


def run(url: str | list[str], works: list[Work], *, seconds: float, max_requests: int) -> Outcome:
    """Each work (one per concurrent client) yields (request, expected status) pairs; the
    run stops after `seconds` or `max_requests` requests in all, whichever comes first.
    Given several servers' URLs, the clients take them in turn."""
    urls = [url] if isinstance(url, str) else url
    for each in urls:
        check_loopback(each)
    lock, latencies, errors, samples = threading.Lock(), [], [0], []
    sent = [0]
    deadline = time.perf_counter() + seconds

    def worker(work: Work, url: str) -> None:
        client = Client(url)
        steps, response = work(client), None
        try:
            while True:
                try:
                    request, expected = steps.send(response)
                except StopIteration:
                    return
                with lock:
                    if sent[0] >= max_requests or time.perf_counter() >= deadline:
                        return
                    sent[0] += 1
                began = time.perf_counter()
                try:
                    response = client.send(request)
                except Exception as error:  # counted as a failed request, the run goes on
                    response = (0, repr(error).encode())
                took = time.perf_counter() - began
                with lock:
                    record(request, expected, response, took)
        finally:
            client.close()

    def record(request: Request, expected: int, response: tuple, took: float) -> None:
        status, body = response
        if status == expected:
            latencies.append(took)
            return
        errors[0] += 1
        if len(samples) < 3:
            text = body[:200].decode(errors="replace")
            samples.append(f"{request.method} {request.path} → {status}: {text}")

    threads = [
        threading.Thread(target=worker, args=(work, urls[n % len(urls)]), daemon=True)
        for n, work in enumerate(works)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    return Outcome(time.perf_counter() - started, latencies, errors[0], samples)


def repeat(request: Request, expected: int = 200) -> Work:
    """A work that sends the same request again and again."""

    def work(_client: Client):
        while True:
            yield request, expected

    return work


def cycle(requests: list[Request], expected: int = 200) -> Work:
    def work(_client: Client):
        while True:
            for request in requests:
                yield request, expected

    return work
