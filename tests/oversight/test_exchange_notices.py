"""Granting and revoking a licence notifies the regulators subscribed to its item."""

import pytest
from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.factories import cases as make
from tests.factories import oversight_exchange as factories
from yimen.licences import services as licences
from yimen.oversight.models.exchange import OutboxMessage
from yimen.oversight.services import exchange

pytestmark = pytest.mark.django_db
Kind, Status = OutboxMessage.Kind, OutboxMessage.Status


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    factories.sandbox(settings, tmp_path)


@pytest.fixture
def crew():
    return make.team()


@pytest.fixture
def food():
    return make.licence_item("220105-SCJ-006", name="食品经营许可证核发")


def test_a_granted_and_then_revoked_licence_notifies_each_subscribed_regulator(crew, food):
    market = factories.subscribed(food, factories.regulator_department(), "http://127.0.0.1:9/hook")
    health = factories.subscribed(food, factories.regulator_department("WJJG", "区卫生监督所"))
    other_item = make.licence_item("220105-SCJ-007", name="药品经营许可证核发")
    factories.subscribed(other_item, factories.regulator_department("YJJ", "区药监局"))

    licence = factories.licence(crew, food)
    granted = {m.subscription_id: m for m in OutboxMessage.objects.filter(kind=Kind.GRANTED)}
    assert set(granted) == {market.pk, health.pk}
    assert granted[market.pk].status == Status.PENDING
    assert granted[health.pk].status == Status.INBOX
    payload = granted[market.pk].payload
    assert payload["licence_no"] == licence.number
    assert payload["item_code"] == "220105-SCJ-006"
    assert payload["holder_name"] == crew.person.name
    assert "*" in payload["holder_code"]  # a resident ID never leaves unmasked
    assert granted[market.pk].approving_department == licence.case.department

    factories.revoked(crew, licence)
    revoked = OutboxMessage.objects.filter(kind=Kind.REVOKED)
    assert {m.subscription_id for m in revoked} == {market.pk, health.pk}
    assert revoked[0].payload["revoke_reason"] == "经营场所与许可不符。"

    licence.refresh_from_db()
    licence.save()
    assert OutboxMessage.objects.count() == 4


def test_a_webhook_notice_is_queued_for_delivery_once_the_licence_commits(
    crew, food, django_capture_on_commit_callbacks
):
    market = factories.subscribed(food, factories.regulator_department(), "http://127.0.0.1:9/hook")
    factories.subscribed(food, factories.regulator_department("WJJG", "区卫生监督所"))
    with django_capture_on_commit_callbacks() as on_commit:
        factories.licence(crew, food)
        assert not DBTaskResult.objects.exists()  # nothing queued before the commit
    for callback in on_commit:
        callback()
    notice = OutboxMessage.objects.get(subscription=market)
    queued = DBTaskResult.objects.get()  # none for the inbox-only notice
    assert queued.task_path == "yimen.oversight.tasks.deliver_notice"
    assert queued.task_result.args == [str(notice.pk)]
    assert queued.status == TaskResultStatus.READY  # for the worker; nothing ran yet
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Status.PENDING, 0)


def test_notices_are_saved_with_the_licence_or_not_at_all(
    crew, food, django_capture_on_commit_callbacks
):
    factories.subscribed(food, factories.regulator_department(), "http://127.0.0.1:9/hook")
    case = factories.granted_case(crew, food)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        licences.seal_init()
        licences.licence_issue(case=case, actor=crew.approver)
        assert OutboxMessage.objects.count() == 1
        raise RuntimeError
    assert OutboxMessage.objects.count() == 0
    assert not DBTaskResult.objects.exists()  # no delivery queued for a notice rolled back


def test_an_ended_subscription_gets_no_more_notices(crew, food):
    subscription = factories.subscribed(food, factories.regulator_department())
    exchange.subscription_end(
        actor=factories.regulator(subscription.department), subscription=subscription
    )
    factories.licence(crew, food)
    assert not OutboxMessage.objects.exists()
