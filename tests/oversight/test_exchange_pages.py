"""The exchange as people meet it: the regulator's inbox, a notice with its acknowledgement
and findings, subscriptions, the approver's findings queue and the staff outbox page."""

import pytest
from django_tasks_db.models import DBTaskResult

from tests.factories import cases as make
from tests.factories import catalog
from tests.factories import oversight_exchange as factories
from tests.factories import subjects as people
from yimen.catalog.models import Role
from yimen.oversight.models.exchange import OutboxMessage, RegulatorFinding, RegulatorSubscription

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    factories.sandbox(settings, tmp_path)


@pytest.fixture
def crew():
    return make.team()


@pytest.fixture
def food():
    return make.licence_item("220105-SCJ-006", name="食品经营许可证核发")


@pytest.fixture
def market():
    return factories.regulator_department()


@pytest.fixture
def notice(crew, food, market) -> OutboxMessage:
    factories.subscribed(food, market)
    factories.licence(crew, food)
    return OutboxMessage.objects.get()


def signed_in(client, account):
    client.force_login(account)
    return client


def test_the_regulator_sees_and_acknowledges_the_notices_of_their_department(
    client, notice, market, crew, food
):
    inspector = factories.regulator(market, name="李监管")
    page = signed_in(client, inspector).get("/regulator/")
    assert page.status_code == 200
    text = page.content.decode()
    assert notice.licence_no in text and "食品经营许可证核发" in text and "确认收到" in text

    answer = client.post(f"/regulator/notices/{notice.pk}/ack/", follow=True)
    assert "已确认收到证照" in answer.content.decode()
    notice.refresh_from_db()
    assert notice.acknowledged_by == inspector and notice.acknowledged_at is not None
    first = notice.acknowledged_at
    assert "已确认（" in client.get("/regulator/").content.decode()
    assert "已于" in client.get(f"/regulator/notices/{notice.pk}/").content.decode()
    client.post(f"/regulator/notices/{notice.pk}/ack/")
    notice.refresh_from_db()
    assert notice.acknowledged_at == first

    unacknowledged = client.get("/regulator/?show=new").content.decode()
    assert f"/regulator/notices/{notice.pk}/" not in unacknowledged
    assert f"/regulator/notices/{notice.pk}/" in client.get("/regulator/").content.decode()


def test_another_department_neither_sees_nor_touches_the_notice(client, notice):
    stranger = factories.regulator(factories.regulator_department("WJJG", "区卫生监督所"))
    signed_in(client, stranger)
    assert notice.licence_no not in client.get("/regulator/").content.decode()
    assert client.get(f"/regulator/notices/{notice.pk}/").status_code == 404
    assert client.post(f"/regulator/notices/{notice.pk}/ack/").status_code == 404
    notice.refresh_from_db()
    assert notice.acknowledged_at is None


def test_the_inbox_is_for_regulators_only(client, notice, crew):
    response = signed_in(client, crew.applicant).get("/regulator/")
    assert response.status_code == 403
    assert "您没有办理此项业务的权限" in response.content.decode()
    assert client.get("/regulator/notices/not-a-uuid/").status_code == 404


def test_a_finding_is_sent_and_lands_in_the_approvers_queue(client, notice, market, crew):
    inspector = factories.regulator(market)
    signed_in(client, inspector)
    page = client.get(f"/regulator/notices/{notice.pk}/").content.decode()
    assert "发送反馈" in page and notice.licence_no in page

    sent = client.post(
        f"/regulator/notices/{notice.pk}/findings/",
        {"kind": "request_revoke", "text": "现场检查发现无冷藏设施。"},
        follow=True,
    )
    assert "反馈已送达审批部门" in sent.content.decode()
    finding = RegulatorFinding.objects.get()
    assert (finding.kind, finding.department, finding.created_by) == (
        "request_revoke",
        market,
        inspector,
    )

    queue = signed_in(client, crew.approver).get("/findings/").content.decode()
    assert "现场检查发现无冷藏设施。" in queue and notice.licence_no in queue
    assert "建议撤销许可" in queue
    assert f'href="/licences/{notice.licence_no}/revoke/"' in queue

    blank = client.post(f"/findings/{finding.pk}/handle/", {"response": "  "})
    assert blank.status_code == 422
    finding.refresh_from_db()
    assert finding.status == RegulatorFinding.Status.OPEN

    done = client.post(f"/findings/{finding.pk}/handle/", {"response": "已撤销许可。"}, follow=True)
    assert "已处理证照" in done.content.decode()
    finding.refresh_from_db()
    assert finding.status == RegulatorFinding.Status.HANDLED
    assert (finding.handled_by, finding.response) == (crew.approver, "已撤销许可。")
    assert "已撤销许可。" in client.get("/findings/?show=handled").content.decode()
    again = client.post(f"/findings/{finding.pk}/handle/", {"response": "再次处理"})
    assert again.status_code == 409 and "该反馈已处理" in again.content.decode()


def test_a_finding_with_bad_input_keeps_what_was_typed_and_saves_nothing(client, notice, market):
    signed_in(client, factories.regulator(market))
    empty = client.post(f"/regulator/notices/{notice.pk}/findings/", {"kind": "opinion"})
    assert empty.status_code == 422
    no_kind = client.post(
        f"/regulator/notices/{notice.pk}/findings/", {"kind": "praise", "text": "请关注。"}
    )
    assert no_kind.status_code == 422
    assert "请关注。" in no_kind.content.decode()
    assert not RegulatorFinding.objects.exists()


def test_a_revocation_cannot_be_asked_for_a_revoked_licence(client, crew, food, market):
    factories.subscribed(food, market)
    factories.revoked(crew, factories.licence(crew, food))
    revoked = OutboxMessage.objects.get(kind=OutboxMessage.Kind.REVOKED)
    signed_in(client, factories.regulator(market))
    answer = client.post(
        f"/regulator/notices/{revoked.pk}/findings/",
        {"kind": "request_revoke", "text": "建议撤销。"},
    )
    assert answer.status_code == 409
    body = answer.content.decode()
    assert "该证照已被撤销" in body and "建议撤销。" in body
    assert not RegulatorFinding.objects.exists()


def test_an_approver_of_another_department_does_not_see_the_finding(client, notice, market):
    finding = RegulatorFinding.objects.create(
        notice=notice,
        department=market,
        kind="opinion",
        text="请加强日常检查。",
        created_by=factories.regulator(market),
    )
    elsewhere = people.staff(Role.APPROVER, department=catalog.department("ZJJ", "住建局"))
    signed_in(client, elsewhere)
    assert "请加强日常检查。" not in client.get("/findings/").content.decode()
    assert client.post(f"/findings/{finding.pk}/handle/", {"response": "x"}).status_code == 404


def test_the_regulator_subscribes_with_a_webhook_and_unsubscribes(client, food, market):
    signed_in(client, factories.regulator(market))
    bad = client.post(
        "/regulator/subscriptions/",
        {"department": market.pk, "item_code": food.item.code, "webhook_url": "ftp://x"},
    )
    assert bad.status_code == 422
    assert "推送地址无效" in bad.content.decode() and "ftp://x" in bad.content.decode()
    unknown = client.post(
        "/regulator/subscriptions/", {"department": market.pk, "item_code": "NO-SUCH"}
    )
    assert unknown.status_code == 422 and "事项编码“NO-SUCH”不存在" in unknown.content.decode()
    assert not RegulatorSubscription.objects.exists()

    made = client.post(
        "/regulator/subscriptions/",
        {
            "department": market.pk,
            "item_code": food.item.code,
            "webhook_url": "https://scjg.example.cn/yimen",
        },
        follow=True,
    )
    subscription = RegulatorSubscription.objects.get()
    assert len(subscription.secret) >= 32
    assert subscription.secret in made.content.decode()

    client.post(f"/regulator/subscriptions/{subscription.pk}/end/")
    subscription.refresh_from_db()
    assert not subscription.is_active


def test_staff_see_failed_deliveries_and_retry_them(
    client, crew, food, market, django_capture_on_commit_callbacks
):
    factories.subscribed(food, market, "http://127.0.0.1:9/hook")
    factories.licence(crew, food)
    message = OutboxMessage.objects.get()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.FAILED, attempts=3, last_error="HTTP 500 Internal Server Error"
    )
    assert signed_in(client, crew.applicant).get("/outbox/").status_code == 403

    page = signed_in(client, factories.supervisor()).get("/outbox/").content.decode()
    assert message.licence_no in page and "HTTP 500" in page and "重新推送" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/outbox/{message.pk}/retry/")
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 0)
    queued = DBTaskResult.objects.get()  # the delivery task, for the worker
    assert queued.task_result.args == [str(message.pk)]
    twice = client.post(f"/outbox/{message.pk}/retry/")
    assert twice.status_code == 409 and "只有推送失败的通知可以重新推送" in twice.content.decode()

    approver_page = signed_in(client, crew.approver).get("/outbox/").content.decode()
    assert message.licence_no in approver_page
