"""Webhook delivery: queued as a task when the licence commits, run by the task worker,
signed, retried with backoff at the outbox's next attempt time, exactly once per notice at
the receiver, and nothing lost when a task or the worker dies or the receiver gives no
answer (`yimen outbox-deliver` delivers whatever is due)."""

import datetime as dt
import hashlib
import hmac
import json
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.factories import cases as make
from tests.factories import oversight_exchange as factories
from yimen.oversight.models.exchange import OutboxMessage
from yimen.oversight.services import exchange, exchange_delivery

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status
DELIVER_NOTICE = "yimen.oversight.tasks.deliver_notice"


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
    """`yimen outbox-deliver`: what is due, whatever became of its task."""
    out = StringIO()
    call_command("outbox-deliver", stdout=out)
    return out.getvalue()


def work() -> None:
    """`yimen db_worker --batch` in this process: run the tasks that are due, then stop."""
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        options = ["--batch", "--no-startup-delay", "--no-reload", "--interval", "0"]
        call_command("db_worker", *options, verbosity=0)
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


def waiting_tasks() -> list[tuple[str, dt.datetime | None]]:
    """The delivery tasks not run yet: (notice id, run after)."""
    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=DELIVER_NOTICE)
    return sorted((row.task_result.args[0], row.task.run_after) for row in ready)


def notices_for(receiver: Receiver, crew, food) -> list[OutboxMessage]:
    """A granted and a revoked notice of one licence, for a regulator at `receiver`."""
    factories.subscribed(food, factories.regulator_department(), receiver.url)
    factories.revoked(crew, factories.licence(crew, food))
    return list(OutboxMessage.objects.order_by("kind"))


# --- the task worker ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_notice_is_queued_when_the_licence_commits_and_the_worker_delivers_it(
    receiver_factory, crew, food
):
    receiver = receiver_factory()
    granted, revoked = notices_for(receiver, crew, food)
    ids = sorted([str(granted.pk), str(revoked.pk)])
    assert [notice for notice, _run_after in waiting_tasks()] == ids
    assert receiver.requests == []  # queueing sends nothing

    work()
    assert receiver.accepted == set(ids) and len(receiver.requests) == 2
    assert waiting_tasks() == []
    assert set(DBTaskResult.objects.values_list("status", "return_value")) == {
        (TaskResultStatus.SUCCESSFUL, "delivered")
    }
    delivered = OutboxMessage.objects.values_list("status", "attempts", "next_attempt_at")
    assert set(delivered) == {(Status.DELIVERED, 1, None)}


@pytest.mark.django_db(transaction=True)
def test_a_receiver_failing_twice_is_retried_by_tasks_at_the_outboxs_next_attempt_time(
    receiver_factory, crew, food
):
    receiver = receiver_factory(script=[500, 500])
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        granted, revoked = notices_for(receiver, crew, food)
        ids = {str(granted.pk), str(revoked.pk)}
        work()
        assert len(receiver.requests) == 2
        retries = waiting_tasks()
        next_attempts = {
            str(m.pk): m.next_attempt_at
            for m in OutboxMessage.objects.filter(status=Status.PENDING)
        }
        assert dict(retries) == next_attempts
        assert set(next_attempts.values()) == {start + dt.timedelta(seconds=30)}

        clock.shift(dt.timedelta(seconds=29))
        work()  # not due yet
        assert len(receiver.requests) == 2
        clock.shift(dt.timedelta(seconds=2))
        work()
        assert len(receiver.requests) == 4
        clock.shift(dt.timedelta(seconds=31))  # the second backoff is 60 s: not yet due
        work()
        assert len(receiver.requests) == 4
        clock.shift(dt.timedelta(seconds=30))
        work()
        clock.shift(dt.timedelta(hours=2))
        work()
        assert deliver() == ""

    assert receiver.accepted == ids
    for delivery in ids:
        assert receiver.count(delivery) == 3
        assert receiver.count(delivery, 200) == 1
    assert waiting_tasks() == []
    for message in OutboxMessage.objects.all():
        assert message.status == Status.DELIVERED
        assert message.attempts == 3 and message.last_error == ""
        assert message.delivered_at is not None and message.next_attempt_at is None


@pytest.mark.django_db(transaction=True)
def test_a_notice_that_gave_up_queues_nothing_until_staff_retry_it(receiver_factory, crew, food):
    receiver = receiver_factory(script=[503, 302, 500])  # a redirect is a failure too
    with time_machine.travel(timezone.now(), tick=False) as clock:
        factories.subscribed(food, factories.regulator_department(), receiver.url)
        factories.licence(crew, food)
        granted = OutboxMessage.objects.get()
        for _attempt in range(3):
            work()
            clock.shift(dt.timedelta(minutes=10))
        granted.refresh_from_db()
        assert (granted.status, granted.attempts) == (Status.FAILED, 3)
        assert granted.last_error.startswith("HTTP 500")
        assert waiting_tasks() == []
        clock.shift(dt.timedelta(hours=5))
        work()
        assert deliver() == ""
        assert receiver.count(str(granted.pk)) == 3

        exchange.outbox_retry(actor=factories.supervisor(), message=granted)
        assert [notice for notice, _run_after in waiting_tasks()] == [str(granted.pk)]
        work()
    granted.refresh_from_db()
    assert granted.status == Status.DELIVERED and receiver.accepted == {str(granted.pk)}


# --- the outbox, whatever became of the tasks ---------------------------------------------


def test_a_notice_whose_task_was_lost_is_delivered_by_outbox_deliver(receiver_factory, crew, food):
    receiver = receiver_factory(script=[500])
    factories.subscribed(food, factories.regulator_department(), receiver.url)
    factories.licence(crew, food)
    notice = OutboxMessage.objects.get()
    assert waiting_tasks() == []  # this test's transaction never commits: no task was queued
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert "本轮推送 1 条：送达 0 条，待重试 1 条，失败 0 条。" in deliver()
        notice.refresh_from_db()
        # The failed attempt queued its retry for the time the outbox row names.
        assert waiting_tasks() == [(str(notice.pk), notice.next_attempt_at)]
        clock.shift(dt.timedelta(seconds=31))
        assert "本轮推送 1 条：送达 1 条" in deliver()
    assert receiver.accepted == {str(notice.pk)} and len(receiver.requests) == 2


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
    assert exchange_delivery.signature_valid(factories.SECRET, timestamp, body, signature)
    forged = body.replace(b"granted", b"revoked")
    assert not exchange_delivery.signature_valid(factories.SECRET, timestamp, forged, signature)
    assert not exchange_delivery.signature_valid("another key", timestamp, body, signature)
    document = json.loads(body)
    assert document["id"] == str(granted.pk) and document["kind"] == "granted"
    assert document["department"] == "SCJG"
    assert document["data"]["licence_no"] == granted.licence_no
    assert abs(int(timestamp) - timezone.now().timestamp()) < 60


def test_a_notice_in_flight_when_the_worker_died_is_delivered_once_its_lease_ends(
    receiver_factory, crew, food
):
    receiver = receiver_factory()
    notices = notices_for(receiver, crew, food)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for notice in notices:  # the worker took them, then died before posting
            assert exchange_delivery.outbox_claim(notice.pk) is not None
        message = OutboxMessage.objects.get(pk=notices[0].pk)
        assert (message.status, message.attempts, message.delivered_at) == (Status.PENDING, 1, None)
        assert exchange_delivery.notice_deliver(message.pk).outcome == "skipped"
        assert deliver() == ""  # still leased to the dead worker
        clock.shift(dt.timedelta(seconds=31))
        assert "送达 2 条" in deliver()
        assert exchange_delivery.notice_deliver(message.pk).outcome == "skipped"
    assert len(receiver.requests) == 2
    assert not OutboxMessage.objects.exclude(status=Status.DELIVERED).exists()


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


def test_outbox_deliver_refuses_a_nonsense_limit():
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
