"""A correction notice that asks for more than missing materials (a resolution not signed,
a form filled in wrongly) is answered by handing a material in again, corrected: online on
the case page, or at the window."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import cases as make
from tests.factories import subjects as people
from tests.factories.pages import signed_in, text
from tests.licences import helpers as licences
from yimen.cases import selectors, services
from yimen.cases.models import Case, Channel

pytestmark = pytest.mark.django_db

SIGNED_LEASE = licences.minimal_pdf("lease, signed by both parties")


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    people.sandbox(settings, tmp_path)


@pytest.fixture
def crew(db) -> make.Team:
    return make.team()


@pytest.fixture
def licence(db):
    return make.licence_item()


def act(client, case: Case, action: str, **data):
    case.refresh_from_db()
    return client.post(
        f"/cases/{case.case_no}/act/{action}/", {"version": case.lock_version, **data}
    )


def owed_kinds(case: Case) -> list[str]:
    case.refresh_from_db()
    return [m.spec.kind.code for m in selectors.materials_to_supply(case)]


def test_a_notice_of_other_corrections_lets_the_applicant_upload_a_material_again(crew, licence):
    case = make.submitted(crew, licence, channel=Channel.ONLINE)
    services.case_request_correction(case=case, clerk=crew.clerk, notes=["租赁合同缺少出租方签字"])
    assert owed_kinds(case) == ["id_card", "floor_plan", "lease"]
    citizen = signed_in(crew.applicant)
    assert "上传补交材料" in text(citizen.get(f"/cases/{case.case_no}/"))

    lease = SimpleUploadedFile("lease.pdf", SIGNED_LEASE)
    assert act(citizen, case, "supply_online", lease=lease).status_code == 302

    case.refresh_from_db()
    assert case.state == "submitted"
    assert case.corrections.get().resolved_at is not None
    assert case.materials.get(spec__kind__code="lease").file.read() == SIGNED_LEASE
    assert not case.visits.exists()


def test_a_notice_of_missing_materials_only_asks_for_those(crew, licence):
    case = make.submitted(crew, licence, channel=Channel.ONLINE, provided=("id_card",))
    services.case_request_correction(case=case, clerk=crew.clerk)
    assert owed_kinds(case) == ["floor_plan", "lease"]


def test_a_file_that_is_not_a_document_is_refused_and_the_notice_stays_open(crew, licence):
    case = make.submitted(crew, licence, channel=Channel.ONLINE)
    services.case_request_correction(case=case, clerk=crew.clerk, notes=["租赁合同缺少出租方签字"])
    fake = SimpleUploadedFile("lease.pdf", b"just some words, not a scan")

    response = act(signed_in(crew.applicant), case, "supply_online", lease=fake)

    assert response.status_code in (400, 422)
    assert "只能上传 PDF、OFD、JPG 或 PNG 格式的文件" in text(response)
    case.refresh_from_db()
    assert case.state == "correction"
    assert case.corrections.get().resolved_at is None
    assert not case.materials.get(spec__kind__code="lease").file


def test_the_window_registers_a_corrected_material_handed_in(crew, licence):
    case = make.submitted(crew, licence)
    services.case_request_correction(case=case, clerk=crew.clerk, notes=["租赁合同缺少出租方签字"])
    window = signed_in(crew.clerk)
    assert "窗口登记补正材料" in text(window.get(f"/cases/{case.case_no}/"))

    assert act(window, case, "supply_correction", kinds=["lease"]).status_code == 302

    case.refresh_from_db()
    assert case.state == "submitted"
    assert case.visits.count() == 2  # handing in, then bringing the corrected lease
