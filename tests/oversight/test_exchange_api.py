"""The exchange's API for regulators' systems, and the audit check for supervisors."""

import pytest

from tests.factories import cases as make
from tests.factories import oversight_exchange as factories
from tests.factories.subjects import bearer
from yimen.oversight.models.audit import AuditEntry
from yimen.oversight.models.exchange import OutboxMessage, RegulatorFinding

pytestmark = pytest.mark.django_db


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


def post(client, url, account, body=None):
    return client.post(url, body or {}, content_type="application/json", **bearer(account))


def test_a_regulator_system_pages_through_its_notices(client, crew, food, market):
    factories.subscribed(food, market)
    for _ in range(3):
        factories.licence(crew, food)
    other = factories.regulator_department("WJJG", "区卫生监督所")
    factories.subscribed(food, other)
    factories.licence(crew, food)
    auth = bearer(factories.regulator(market))

    first = client.get("/api/v1/regulator/notices?limit=2", **auth)
    assert first.status_code == 200
    body = first.json()
    assert [n["kind"] for n in body["notices"]] == ["granted", "granted"]
    assert body["notices"][0]["kind_label"] == "准予许可"
    assert body["notices"][0]["department"] == "SCJG"
    rest = client.get(f"/api/v1/regulator/notices?limit=2&before={body['next_before']}", **auth)
    seen = [n["id"] for n in body["notices"] + rest.json()["notices"]]
    mine = OutboxMessage.objects.filter(department=market).order_by("-created_at")
    assert seen == [str(m.pk) for m in mine] and len(seen) == 4
    assert rest.json()["next_before"] is None


def test_acknowledge_and_send_a_finding(client, crew, food, market):
    factories.subscribed(food, market)
    factories.licence(crew, food)
    notice = OutboxMessage.objects.get()
    inspector = factories.regulator(market)

    acked = post(client, f"/api/v1/regulator/notices/{notice.pk}/ack", inspector)
    assert acked.status_code == 200 and acked.json()["acknowledged_at"]
    again = post(client, f"/api/v1/regulator/notices/{notice.pk}/ack", inspector)
    assert again.json()["acknowledged_at"] == acked.json()["acknowledged_at"]
    unacked = client.get("/api/v1/regulator/notices?unacknowledged=true", **bearer(inspector))
    assert unacked.json()["notices"] == []

    sent = post(
        client,
        f"/api/v1/regulator/notices/{notice.pk}/findings",
        inspector,
        {"kind": "request_revoke", "text": "抽检不合格，建议撤销。"},
    )
    assert sent.status_code == 201
    assert sent.json()["status"] == "open" and sent.json()["notice_id"] == str(notice.pk)
    assert RegulatorFinding.objects.get().text == "抽检不合格，建议撤销。"


def test_bad_requests_get_clear_errors_and_save_nothing(client, crew, food, market):
    factories.subscribed(food, market)
    factories.licence(crew, food)
    notice = OutboxMessage.objects.get()
    inspector = factories.regulator(market)
    url = f"/api/v1/regulator/notices/{notice.pk}/findings"

    empty = post(client, url, inspector, {"kind": "opinion", "text": " "})
    assert empty.status_code == 422
    assert empty.json() == {"code": "text_required", "message": "请填写反馈内容。", "field": "text"}
    wrong_kind = post(client, url, inspector, {"kind": "praise", "text": "好"})
    assert wrong_kind.status_code == 422 and wrong_kind.json()["code"] == "finding_kind_invalid"
    too_long = post(client, url, inspector, {"kind": "opinion", "text": "长" * 2001})
    assert too_long.status_code == 422 and too_long.json()["code"] == "text_too_long"
    missing = post(client, url, inspector, {"kind": "opinion"})
    assert missing.status_code == 422 and missing.json()["code"] == "invalid_request"
    assert not RegulatorFinding.objects.exists()

    unknown = post(client, "/api/v1/regulator/notices/nonsense/ack", inspector)
    assert unknown.status_code == 404 and unknown.json()["code"] == "notice_not_found"
    stranger = factories.regulator(factories.regulator_department("WJJG", "区卫生监督所"))
    hidden = post(client, f"/api/v1/regulator/notices/{notice.pk}/ack", stranger)
    assert hidden.status_code == 404
    citizen = client.get("/api/v1/regulator/notices", **bearer(crew.applicant))
    assert citizen.status_code == 403 and citizen.json()["code"] == "forbidden"
    assert client.get("/api/v1/regulator/notices").status_code == 401
    notice.refresh_from_db()
    assert notice.acknowledged_at is None


def test_a_supervisor_checks_the_audit_chain(client, crew, food):
    factories.licence(crew, food)
    supervisor = factories.supervisor()
    intact = client.get("/api/v1/audit/verify", **bearer(supervisor))
    assert intact.status_code == 200
    body = intact.json()
    assert body["intact"] is True and body["problems"] == [] and body["checked"] > 0

    AuditEntry.objects.filter(seq=2).update(actor="account:0")
    broken = client.get("/api/v1/audit/verify", **bearer(supervisor)).json()
    assert broken["intact"] is False
    assert broken["problems"][0]["kind"] == "altered" and broken["problems"][0]["seq"] == 2
    assert "第 2 条" in broken["problems"][0]["message"]

    refused = client.get("/api/v1/audit/verify", **bearer(crew.approver))
    assert refused.status_code == 403
