"""The ratings, complaints and assessment API: the same rules as the pages, refusals as 4xx
with a stable code and a Chinese message."""

import pytest

from tests.factories import oversight_ratings as make
from tests.factories.cases import accepted, licence_item, team
from tests.factories.oversight_ratings import sandbox  # noqa: F401
from yimen.oversight.models.complaints import Complaint
from yimen.oversight.models.ratings import Rating
from yimen.subjects import services as subject_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def crew():
    return team()


@pytest.fixture
def finished(crew):
    return make.finished_instant(crew, make.instant_item())


def bearer(account) -> dict:
    _token, raw = subject_services.token_create(account=account, name="测试")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client, url, account=None, **body):
    headers = bearer(account) if account else {}
    return client.post(url, body, content_type="application/json", **headers)


def test_rate_a_case_and_work_through_its_rectification(client, crew, finished):
    url = f"/api/v1/cases/{finished.case_no}/rating"
    created = post(client, url, crew.applicant, level=4, tags=["slow"], channel="mobile")
    assert created.status_code == 201
    body = created.json()
    assert (body["level"], body["level_label"], body["departments"]) == (4, "不满意", ["MZJ"])
    assert body["rectification"]["step"] == "verify"
    again = post(client, url, crew.applicant, level=1)
    assert again.status_code == 409 and again.json()["code"] == "already_rated"

    step = f"/api/v1/ratings/{body['id']}/rectification/"
    for action, extra in (
        ("verify", {}),
        ("explain", {}),
        ("follow_up", {"rater_satisfied": True}),
    ):
        answer = post(client, step + action, crew.approver, note="已办", **extra)
        assert answer.status_code == 200, answer.json()
    assert answer.json()["rectification"]["step"] == "close"
    refused = post(client, step + "close", crew.approver, note="办结")
    assert refused.status_code == 403 and refused.json()["message"]
    closed = post(client, step + "close", make.supervisor(), note="办结")
    assert closed.json()["rectification"] | {"step_due": None} == {
        "step": "closed",
        "step_label": "已办结",
        "step_due": None,
        "warning": None,
        "outcome": "explained",
        "rater_satisfied": True,
    }


def test_rating_refusals(client, crew, finished):
    url = f"/api/v1/cases/{finished.case_no}/rating"
    assert post(client, url, level=1).status_code == 401
    missing = post(client, url, crew.applicant, level=5)
    assert missing.status_code == 422 and missing.json()["field"] == "comment"
    open_case = accepted(crew, licence_item())
    early = post(client, f"/api/v1/cases/{open_case.case_no}/rating", crew.applicant, level=1)
    assert early.status_code == 409 and early.json()["code"] == "case_not_finished"
    malformed = post(client, url, crew.applicant, level="很好")
    assert malformed.status_code == 422 and malformed.json()["code"] == "invalid_request"
    unknown = post(client, "/api/v1/cases/220105-19990101-000001/rating", crew.applicant, level=1)
    assert unknown.status_code == 404
    assert not Rating.objects.exists()


def test_staff_list_ratings_and_decide_appeals(client, crew, finished):
    rating = make.rate(finished, crew, 5)
    listed = client.get("/api/v1/ratings?bad=true", **bearer(crew.approver))
    assert [r["id"] for r in listed.json()] == [rating.pk]
    assert client.get("/api/v1/ratings", **bearer(crew.clerk)).status_code == 403
    assert client.get("/api/v1/ratings", **bearer(crew.applicant)).status_code == 403

    appeal_url = f"/api/v1/ratings/{rating.pk}/appeal"
    filed = post(client, appeal_url, crew.approver, kind="mistaken", reason="评价人误选")
    assert filed.status_code == 201 and filed.json()["appeal"]["status"] == "pending"
    decided = post(client, appeal_url + "/decision", make.supervisor(), upheld=False, note="属实")
    assert decided.json()["appeal"]["status"] == "refused"
    assert decided.json()["rectification"]["step"] == "verify"


def test_anyone_may_complain_through_the_api(client, finished):
    sent = post(
        client,
        "/api/v1/complaints",
        target="case",
        case_no=finished.case_no,
        content="办理太慢",
        phone="13812345678",
    )
    assert sent.status_code == 201
    assert sent.json()["routed_to"] == "MZJ局" and sent.json()["number"].startswith("TS")
    refused = post(client, "/api/v1/complaints", target="staff", content="x", phone="13812345678")
    assert refused.status_code == 422 and refused.json()["field"] == "staff_no"
    by_phone = post(
        client, "/api/v1/complaints", target="case", case_no=finished.case_no, content="x",
        phone="13812345678", channel="phone",
    )  # fmt: skip
    assert by_phone.status_code == 403
    assert Complaint.objects.count() == 1


def test_the_assessment_is_for_supervisors(client, crew, finished):
    make.rate(finished, crew, 1)
    month = f"{finished.completed_at:%Y-%m}"
    body = client.get(f"/api/v1/assessment?month={month}", **bearer(make.supervisor())).json()
    assert body["month"] == month and body["base"] == 100
    assert [t["key"] for t in body["rule"]] == [
        "bad_rating",
        "overdue_case",
        "violation",
        "upheld_complaint",
        "very_satisfied",
    ]
    [mzj] = [d for d in body["departments"] if d["ref"] == "MZJ"]
    assert mzj["total"] == 101
    bad_month = client.get("/api/v1/assessment?month=2025-13", **bearer(make.supervisor()))
    assert bad_month.status_code == 422 and bad_month.json()["code"] == "invalid_month"
    assert client.get("/api/v1/assessment", **bearer(crew.approver)).status_code == 403
