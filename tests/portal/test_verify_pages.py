"""The public verify page, a licence's page with its document and the approver's revoke form,
and issuing from a granted case: what people see, and what a refusal keeps."""

import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import cases as make
from tests.factories import subjects as people
from tests.licences import helpers
from yimen.cases.models import Case
from yimen.cases.states import CaseState
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


def signed_in(account) -> Client:
    client = Client()
    client.force_login(account)
    return client


def text(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def verdict(response) -> str:
    found = re.search(r'class="verdict verdict--(\w+)"', response.content.decode())
    return found.group(1) if found else ""


def test_the_verify_page_offers_upload_and_qr_without_a_result(client, licence):
    response = client.get("/verify")
    page = text(response)
    assert response.status_code == 200 and verdict(response) == ""
    assert 'enctype="multipart/form-data"' in response.content.decode()
    assert "上传 PDF 文件" in page and "二维码内容" in page and "下载印章根证书" in page


def test_scanning_the_qr_code_shows_valid_with_the_holder_masked(client, licence):
    response = client.get("/verify", {"p": licence.qr_payload})
    page = text(response)
    assert response.status_code == 200 and verdict(response) == "valid"
    assert "有效" in page and licence.number in page and "食品经营许可证" in page
    assert "张*兰" in page and "张桂兰" not in page and licence.holder.code not in page
    assert "长春市二道区行政审批局" in page and "演示印章" in page


def test_an_uploaded_licence_is_valid_and_one_changed_byte_is_altered(client, licence):
    signed = helpers.file_bytes(licence)
    valid = client.post("/verify", {"file": SimpleUploadedFile("licence.pdf", signed)})
    assert verdict(valid) == "valid"
    changed = SimpleUploadedFile("licence.pdf", helpers.flip_byte(signed, 500))
    altered = client.post("/verify", {"file": changed})
    assert altered.status_code == 200 and verdict(altered) == "altered"
    assert "已被篡改" in text(altered)


def test_after_revocation_the_page_says_revoked(client, crew, licence):
    services.licence_revoke(licence=licence, approver=crew.approver, reason="核查不符")
    response = client.get("/verify", {"p": licence.qr_payload})
    assert verdict(response) == "revoked" and "已撤销" in text(response)


def test_a_foreign_pdf_is_not_issued_by_this_bureau(client, licence):
    other = SimpleUploadedFile("other.pdf", helpers.foreign_signed(helpers.minimal_pdf()))
    response = client.post("/verify", {"file": other})
    assert verdict(response) == "unknown" and "非本局签发" in text(response)


def test_an_empty_upload_is_told_beside_the_field(client, licence):
    response = client.post("/verify", {"file": SimpleUploadedFile("empty.pdf", b"")})
    assert response.status_code == 422 and verdict(response) == ""
    assert 'id="file-error"' in response.content.decode()
    assert "上传的文件是空的" in text(response)


def test_a_garbled_payload_is_answered_and_kept_in_the_box(client, licence):
    garbled = licence.qr_payload[:40]
    response = client.get("/verify", {"p": garbled})
    assert response.status_code == 200 and verdict(response) == "unknown"
    assert f">{garbled}</textarea>" in response.content.decode()


def test_the_trust_list_downloads_as_pem(client, licence):
    response = client.get("/verify/seal-ca.pem")
    assert response.status_code == 200
    assert response.content.decode() == licence.seal.authority.certificate_pem


def test_the_holder_sees_the_licence_and_downloads_it_but_cannot_revoke(crew, licence):
    holder = signed_in(crew.applicant)
    page = holder.get(f"/licences/{licence.number}/")
    assert page.status_code == 200 and verdict(page) == "valid"
    assert "撤销证照" not in text(page)
    document = holder.get(f"/licences/{licence.number}/document/")
    assert document["Content-Type"] == "application/pdf"
    assert document.content == helpers.file_bytes(licence)
    refused = holder.post(f"/licences/{licence.number}/revoke/", {"reason": "自己撤销"})
    assert refused.status_code == 403
    assert Licence.objects.get().status == LicenceStatus.VALID


def test_a_stranger_is_told_the_licence_does_not_exist(licence):
    stranger, _person = people.citizen("王五", birth="19900101")
    assert signed_in(stranger).get(f"/licences/{licence.number}/").status_code == 404


def test_the_approver_revokes_and_a_missing_reason_keeps_the_form(crew, licence):
    approver = signed_in(crew.approver)
    refused = approver.post(f"/licences/{licence.number}/revoke/", {"reason": "   "})
    assert refused.status_code == 422 and 'id="reason-error"' in refused.content.decode()
    assert Licence.objects.get().status == LicenceStatus.VALID
    done = approver.post(
        f"/licences/{licence.number}/revoke/", {"reason": "市场监管部门核查：场所不符"}, follow=True
    )
    page = text(done)
    assert verdict(done) == "revoked" and "市场监管部门核查：场所不符" in page
    holder_page = signed_in(crew.applicant).get(f"/licences/{licence.number}/")
    assert "市场监管部门核查：场所不符" in text(holder_page)


def test_the_approver_issues_from_a_granted_case(crew):
    services.seal_init()
    case = helpers.granted_case(crew, make.licence_item())
    response = signed_in(crew.approver).post(f"/licences/issue/{case.case_no}/", follow=True)
    licence = Licence.objects.get()
    assert response.redirect_chain[-1][0] == f"/licences/{licence.number}/"
    assert Case.objects.get().state == CaseState.ISSUED
    again = signed_in(crew.approver).post(f"/licences/issue/{case.case_no}/")
    assert again.status_code == 409 and Licence.objects.count() == 1
