"""The licences API: the registry for staff, a licence's document for those allowed to see it,
issuing and revoking, and public verification that never answers with a 500."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import cases as make
from tests.factories import catalog
from tests.factories import subjects as people
from tests.factories.subjects import bearer
from tests.licences import helpers
from yimen.catalog.models import Role
from yimen.licences import services
from yimen.licences.models import Licence, LicenceStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    helpers.sandbox(settings, tmp_path)


@pytest.fixture
def crew():
    return make.team()


@pytest.fixture
def licence(crew) -> Licence:
    services.seal_init()
    return helpers.issued(crew, make.licence_item("220105-SCJ-006", name="食品经营许可证核发"))


def test_staff_list_the_registry_newest_first_page_by_page(client, crew, licence):
    second = helpers.issued(crew, licence.item_version)
    first_page = client.get("/api/v1/licences?limit=1", **bearer(crew.approver)).json()
    assert [i["number"] for i in first_page["items"]] == [second.number]
    rest = client.get(
        f"/api/v1/licences?limit=1&before={first_page['next_before']}", **bearer(crew.approver)
    ).json()
    assert [i["number"] for i in rest["items"]] == [licence.number]
    revoked = client.get("/api/v1/licences?status=revoked", **bearer(crew.clerk)).json()
    assert revoked["items"] == []


def test_citizens_do_not_list_the_registry(client, crew, licence):
    response = client.get("/api/v1/licences", **bearer(crew.applicant))
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_the_holder_gets_the_signed_pdf_exactly_as_issued(client, crew, licence):
    response = client.get(f"/api/v1/licences/{licence.number}/document", **bearer(crew.applicant))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content == helpers.file_bytes(licence)


def test_agents_supervisors_and_the_cases_staff_see_the_document(client, crew, licence):
    agent, _person = people.citizen("李秀英", birth="19800101")
    people.grant(crew.person, agent)
    supervisor = people.staff(Role.SUPERVISOR)
    for viewer in (agent, supervisor, crew.clerk, crew.approver):
        response = client.get(f"/api/v1/licences/{licence.number}/document", **bearer(viewer))
        assert response.status_code == 200, viewer


def test_others_are_told_the_licence_does_not_exist(client, crew, licence):
    stranger, _person = people.citizen("王五", birth="19900101")
    other_department = people.staff(Role.REVIEWER, department=catalog.department("XFJ"))
    for viewer in (stranger, other_department):
        response = client.get(f"/api/v1/licences/{licence.number}/document", **bearer(viewer))
        assert response.status_code == 404 and response.json()["code"] == "licence_not_found"


def test_the_approver_revokes_with_a_reason_and_the_holder_sees_it(client, crew, licence):
    url = f"/api/v1/licences/{licence.number}/revoke"
    empty = client.post(
        url, {"reason": ""}, content_type="application/json", **bearer(crew.approver)
    )
    assert empty.status_code == 422 and empty.json()["field"] == "reason"
    holder = client.post(
        url, {"reason": "核查不符"}, content_type="application/json", **bearer(crew.applicant)
    )
    assert holder.status_code == 403
    assert Licence.objects.get().status == LicenceStatus.VALID
    done = client.post(
        url,
        {"reason": "监管部门核查不符"},
        content_type="application/json",
        **bearer(crew.approver),
    )
    assert done.status_code == 200 and done.json()["status"] == "revoked"
    seen = client.get(f"/api/v1/licences/{licence.number}", **bearer(crew.applicant)).json()
    assert (seen["status"], seen["revoke_reason"]) == ("revoked", "监管部门核查不符")


def test_the_approver_issues_through_the_api(client, crew):
    services.seal_init()
    case = helpers.granted_case(crew, make.licence_item())
    refused = client.post(
        "/api/v1/licences",
        {"case_no": case.case_no},
        content_type="application/json",
        **bearer(crew.clerk),
    )
    assert refused.status_code == 403 and not Licence.objects.exists()
    issued = client.post(
        "/api/v1/licences",
        {"case_no": case.case_no},
        content_type="application/json",
        **bearer(crew.approver),
    )
    assert issued.status_code == 201 and issued.json()["case_no"] == case.case_no
    again = client.post(
        "/api/v1/licences",
        {"case_no": case.case_no},
        content_type="application/json",
        **bearer(crew.approver),
    )
    assert again.status_code == 409 and again.json()["code"] == "not_issuable"


def _verify(client, **data):
    return client.post("/api/v1/licences/verify", data)


def test_anyone_verifies_a_pdf_upload(client, licence):
    signed = helpers.file_bytes(licence)
    valid = _verify(client, file=SimpleUploadedFile("licence.pdf", signed)).json()
    assert (valid["status"], valid["number"], valid["holder"]) == ("valid", licence.number, "张*兰")
    altered = _verify(client, file=SimpleUploadedFile("l.pdf", helpers.flip_byte(signed, 400)))
    assert altered.status_code == 200 and altered.json()["status"] == "altered"


def test_anyone_verifies_a_qr_payload_or_its_url(client, licence):
    for text in (licence.qr_payload, f"https://zwfw.example.cn/verify?p={licence.qr_payload}"):
        body = _verify(client, payload=text).json()
        assert (body["status"], body["number"]) == ("valid", licence.number)


@pytest.mark.parametrize(
    "data",
    [
        {"file": SimpleUploadedFile("random.pdf", os.urandom(2048))},
        {"file": SimpleUploadedFile("other.pdf", helpers.minimal_pdf())},
        {"payload": "eyJ2IjoxfQ.c2lnbmF0dXJl"},
        {"payload": "%%%"},
    ],
)
def test_bad_files_and_payloads_get_a_status_not_an_error(client, licence, data):
    response = _verify(client, **data)
    assert response.status_code == 200
    assert response.json()["status"] == "unknown" and response.json()["message"]


def test_an_empty_upload_or_nothing_at_all_is_a_clear_422(client, licence):
    empty = _verify(client, file=SimpleUploadedFile("empty.pdf", b""))
    assert empty.status_code == 422 and empty.json()["code"] == "empty_file"
    nothing = _verify(client)
    assert nothing.status_code == 422 and nothing.json()["code"] == "payload_required"


def test_the_seals_list_is_public(client, licence):
    seals = client.get("/api/v1/licences/seals").json()
    assert [s["fingerprint"] for s in seals] == [licence.seal.fingerprint]
    assert seals[0]["key_id"] == licence.seal.fingerprint[:16] and seals[0]["demo"] is True
