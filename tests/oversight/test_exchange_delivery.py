"""Webhook delivery: signed, retried with backoff, exactly once per notice at the receiver,
and nothing lost when the worker dies or the receiver gives no answer."""

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.factories import cases as make
from tests.factories import oversight_exchange as factories
from yimen.oversight.models.exchange import OutboxMessage
from yimen.oversight.services import exchange

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status


class Receiver(ThreadingHTTPServer):
    """A regulator's endpoint: answers each delivery id from a script, then 200; keeps
    every request, and the ids it accepted (deduped, as a real receiver would)."""

    daemon_threads = True

    def __init__(self, script=(), *, delay: float = 0.0):
        super().__init__(("127.0.0.1", 0), ReceiverHandler)
        self.script, self.delay = list(script), delay
        self.requests: list[dict] = []
        self.accepted: set[str] = set()
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/yimen-hook"

    def answer(self, delivery: str) -> int:
        with self.lock:
            seen = sum(r["headers"]["X-Yimen-Delivery"] == delivery for r in self.requests)
            return self.script[seen - 1] if seen <= len(self.script) else 200

    def count(self, delivery: str, status: int | None = None) -> int:
        return sum(
            r["headers"]["X-Yimen-Delivery"] == delivery and status in (None, r["status"])
            for r in self.requests
        )


class ReceiverHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        server: Receiver = self.server
        body = self.rfile.read(int(self.headers["Content-Length"]))
        delivery = self.headers["X-Yimen-Delivery"]
        with server.lock:
            record = {"headers": dict(self.headers), "body": body, "status": None}
            server.requests.append(record)
        status = server.answer(delivery)
        record["status"] = status
        if server.delay:
            threading.Event().wait(server.delay)
        if status == 200:
            server.accepted.add(delivery)
        self.send_response(status)
        if status == 302:
            self.send_header("Location", "http://127.0.0.1:9/elsewhere")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver_factory():
    started = []

    def start(script=(), **kwargs) -> Receiver:
        server = Receiver(script, **kwargs)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    factories.sandbox(settings, tmp_path)


@pytest.fixture
def crew():
    return make.team()


@pytest.fixture
def food():
    return make.licence_item("220105-SCJ-006", name="食品经营许可证核发")


def deliver() -> str:
    out = StringIO()
    call_command("outbox-deliver", "--once", stdout=out)
    return out.getvalue()


def notices_for(receiver: Receiver, crew, food) -> list[OutboxMessage]:
    """A granted and a revoked notice of one licence, for a regulator at `receiver`."""
    factories.subscribed(food, factories.regulator_department(), receiver.url)
    factories.revoked(crew, factories.licence(crew, food))
    return list(OutboxMessage.objects.order_by("kind"))


def test_a_receiver_failing_twice_still_gets_each_notice_exactly_once(receiver_factory, crew, food):
    receiver = receiver_factory(script=[500, 500])
    granted, revoked = notices_for(receiver, crew, food)
    ids = {str(granted.pk), str(revoked.pk)}
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        assert "待重试 2 条" in deliver()
        clock.shift(dt.timedelta(seconds=31))
        assert "待重试 2 条" in deliver()
        clock.shift(dt.timedelta(seconds=31))  # the second backoff is 60 s: not yet due
        assert deliver() == ""
        assert len(receiver.requests) == 4
        clock.shift(dt.timedelta(seconds=30))
        assert "送达 2 条" in deliver()
        clock.shift(dt.timedelta(hours=2))
        assert deliver() == ""

    assert receiver.accepted == ids
    for delivery in ids:
        assert receiver.count(delivery) == 3
        assert receiver.count(delivery, 200) == 1
    for message in OutboxMessage.objects.all():
        assert message.status == Status.DELIVERED
        assert message.attempts == 3 and message.last_error == ""
        assert message.delivered_at is not None and message.next_attempt_at is None


def test_the_body_is_signed_with_the_subscription_key(receiver_factory, crew, food):
    receiver = receiver_factory()
    granted, _revoked = notices_for(receiver, crew, food)
    deliver()
    request = next(
        r for r in receiver.requests if r["headers"]["X-Yimen-Delivery"] == str(granted.pk)
    )
    headers, body = request["headers"], request["body"]
    timestamp, signature = headers["X-Yimen-Timestamp"], headers["X-Yimen-Signature"]
    expected = hmac.new(
        factories.SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert signature == f"sha256={expected}"
    assert exchange.signature_valid(factories.SECRET, timestamp, body, signature)
    forged = body.replace(b"granted", b"revoked")
    assert not exchange.signature_valid(factories.SECRET, timestamp, forged, signature)
    assert not exchange.signature_valid("another key", timestamp, body, signature)
    document = json.loads(body)
    assert document["id"] == str(granted.pk) and document["kind"] == "granted"
    assert document["department"] == "SCJG"
    assert document["data"]["licence_no"] == granted.licence_no
    assert abs(int(timestamp) - timezone.now().timestamp()) < 60


def test_a_notice_in_flight_when_the_worker_died_is_delivered_on_a_later_run(
    receiver_factory, crew, food
):
    receiver = receiver_factory()
    notices_for(receiver, crew, food)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        claimed = exchange.outbox_claim()  # the worker took them, then died before posting
        assert len(claimed) == 2
        message = OutboxMessage.objects.get(pk=claimed[0].pk)
        assert (message.status, message.attempts, message.delivered_at) == (Status.PENDING, 1, None)
        assert deliver() == ""  # still leased to the dead worker
        clock.shift(dt.timedelta(seconds=31))
        assert "送达 2 条" in deliver()
    assert len(receiver.requests) == 2
    assert not OutboxMessage.objects.exclude(status=Status.DELIVERED).exists()


def test_a_receiver_that_keeps_failing_is_given_up_until_staff_retry(receiver_factory, crew, food):
    receiver = receiver_factory(script=[503, 302, 500])  # a redirect is a failure too
    granted, _revoked = notices_for(receiver, crew, food)
    OutboxMessage.objects.exclude(pk=granted.pk).delete()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert "待重试 1 条" in deliver()
        clock.shift(dt.timedelta(minutes=10))
        assert "待重试 1 条" in deliver()
        clock.shift(dt.timedelta(minutes=10))
        assert "失败 1 条" in deliver()
        granted.refresh_from_db()
        assert (granted.status, granted.attempts) == (Status.FAILED, 3)
        assert granted.last_error.startswith("HTTP 500")
        clock.shift(dt.timedelta(hours=5))
        assert deliver() == ""
        assert receiver.count(str(granted.pk)) == 3

        exchange.outbox_retry(actor=factories.supervisor(), message=granted)
        assert "送达 1 条" in deliver()
    granted.refresh_from_db()
    assert granted.status == Status.DELIVERED and receiver.accepted == {str(granted.pk)}


def test_a_refused_connection_and_a_timeout_are_failed_attempts(receiver_factory, crew, food):
    slow = receiver_factory(delay=1.5)  # the timeout is 1 s
    factories.subscribed(food, factories.regulator_department(), "http://127.0.0.1:9/closed")
    factories.subscribed(food, factories.regulator_department("WJJG", "区卫生监督所"), slow.url)
    factories.licence(crew, food)
    assert "待重试 2 条" in deliver()
    errors = {m.department.code: m for m in OutboxMessage.objects.select_related("department")}
    assert "refused" in errors["SCJG"].last_error.lower()
    assert "timed out" in errors["WJJG"].last_error
    assert all(m.status == Status.PENDING and m.attempts == 1 for m in errors.values())


def test_the_worker_refuses_nonsense_options():
    with pytest.raises(CommandError, match="须为正数"):
        call_command("outbox-deliver", "--limit", "0")


def test_a_pass_posts_at_most_its_limit(receiver_factory, crew, food):
    receiver = receiver_factory()
    notices_for(receiver, crew, food)
    out = StringIO()
    call_command("outbox-deliver", "--limit", "1", stdout=out)
    assert "本轮推送 1 条：送达 1 条" in out.getvalue()
    assert len(receiver.requests) == 1
    assert OutboxMessage.objects.filter(status=Status.PENDING, attempts=0).count() == 1
