"""Inputs the API fuzzing found answered with a server error: each is now a clear 422."""

import pytest

from tests.factories import subjects as people
from yimen.api.params import MAX_ROW_ID
from yimen.subjects import services as subjects
from yimen.subjects.models import Account

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser() -> dict:
    admin = Account.objects.create_superuser("admin", password="x-admin-password-1")
    _token, raw = subjects.token_create(account=admin, name="测试")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def refused(response, code: str) -> str:
    assert response.status_code == 422, response.content
    assert response.json()["code"] == code
    return response.json()["message"]


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/persons/{MAX_ROW_ID + 1}",
        "/api/v1/organisations/0",
        f"/api/v1/subjects/{10**30}/materials",
        f"/api/v1/licences?before={MAX_ROW_ID + 1}",
        f"/api/v1/spot-checks/{MAX_ROW_ID + 1}",
    ],
)
def test_a_row_id_no_database_can_hold_is_a_bad_request(client, superuser, path):
    message = refused(client.get(path, **superuser), "invalid_request")
    assert message.startswith("请求内容不符合要求")


def test_a_row_id_out_of_range_in_a_body_is_a_bad_request(client, superuser):
    response = client.post(
        f"/api/v1/ratings/{MAX_ROW_ID + 1}/appeal",
        {"kind": "mistaken", "reason": "误评"},
        content_type="application/json",
        **superuser,
    )
    refused(response, "invalid_request")


def test_statistics_for_a_period_outside_the_calendar_are_refused(client, superuser):
    response = client.get("/api/v1/stats?from=0001-01-01&to=2000-01-01", **superuser)
    assert (
        refused(response, "period_out_of_range") == "统计日期须在 2000-01-01 至 2099-12-31 之间。"
    )
    response = client.get("/api/v1/stats?to=9999-12-31", **superuser)
    assert response.json()["field"] == "to"


@pytest.mark.parametrize(
    "path", ["/api/v1/items?q=a%00b", "/api/v1/items/220105%00MZJ", "/api/v1/bundles/%00"]
)
def test_a_nul_character_anywhere_in_a_request_is_refused(client, path):
    message = refused(client.get(path), "invalid_characters")
    assert message == "请求中含有空字符或无效的字符编码，无法处理。"


def test_a_broken_unicode_escape_in_a_json_body_is_refused(client, settings, tmp_path):
    people.sandbox(settings, tmp_path)
    applicant, _person = people.citizen()
    _token, raw = subjects.token_create(account=applicant, name="测试")
    response = client.post(
        "/api/v1/cases",
        '{"item_code": "\\ud800", "channel": "online"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    refused(response, "invalid_characters")
