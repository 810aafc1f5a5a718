"""A material handed in again after a correction notice carries the time it came again,
on the case and its page; the case's events keep each time it was handed in."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories.cases import at, submitted
from tests.factories.pages import signed_in, text
from tests.licences.helpers import minimal_pdf
from yimen.cases import services
from yimen.cases.models import Case, Channel

pytestmark = pytest.mark.django_db

FILED, CORRECTED = dt.date(2025, 11, 3), dt.date(2025, 11, 4)


def scan(name: str, content: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, minimal_pdf(content), content_type="application/pdf")


def supplied(case: Case) -> dict[str, dt.datetime]:
    return {m.spec.kind.code: m.supplied_at for m in case.materials.select_related("spec__kind")}


def applied_online(crew, licence) -> Case:
    """The applicant files online with a scan of every material."""
    account = crew.applicant
    with time_machine.travel(at(FILED), tick=False):
        draft = services.draft_start(
            account=account, subject_id=crew.person.pk, item_code=licence.item.code
        )
        services.draft_save_form(draft=draft, account=account, typed={"shop_name": "老王面馆"})
        files = {k: scan(f"{k}.pdf", k) for k in ("id_card", "floor_plan", "lease")}
        services.draft_save_materials(draft=draft, account=account, files=files)
        filing = services.draft_submit(
            account=account, draft_id=draft.pk, channel=Channel.ONLINE, key=draft.key
        )
    return filing.cases.get()


def test_a_lease_uploaded_again_a_day_later_shows_the_later_time(crew, licence):
    case = applied_online(crew, licence)
    services.case_request_correction(
        case=case, clerk=crew.clerk, notes=["租赁合同缺少出租方签字"], now=at(FILED, 15)
    )
    citizen = signed_in(crew.applicant)
    signed_lease = minimal_pdf("lease, signed by both parties")

    with time_machine.travel(at(CORRECTED, 9), tick=False):
        case.refresh_from_db()
        response = citizen.post(
            f"/cases/{case.case_no}/act/supply_online/",
            {"version": case.lock_version, "lease": SimpleUploadedFile("lease.pdf", signed_lease)},
        )
    assert response.status_code == 302

    assert supplied(case) == {
        "id_card": at(FILED),
        "floor_plan": at(FILED),
        "lease": at(CORRECTED, 9),
    }
    assert case.materials.get(spec__kind__code="lease").file.read() == signed_lease
    page = text(citizen.get(f"/cases/{case.case_no}/"))
    assert "下载租赁合同 2025-11-04 09:00" in page
    assert "下载居民身份证 2025-11-03 10:00" in page
    handed_in = case.events.filter(action__in=["submit", "supply_correction"])
    assert [(e.action, e.at, e.data.get("provided")) for e in handed_in.order_by("seq")] == [
        ("submit", at(FILED), None),
        ("supply_correction", at(CORRECTED, 9), ["lease"]),
    ]


def test_a_lease_brought_again_to_the_window_carries_the_day_it_came(crew, licence):
    case = submitted(crew, licence, day=FILED)
    services.case_request_correction(
        case=case, clerk=crew.clerk, notes=["租赁合同缺少出租方签字"], now=at(FILED, 15)
    )

    services.case_supply_correction(
        case=case,
        actor=crew.clerk,
        provided=["lease"],
        channel=Channel.WINDOW,
        now=at(CORRECTED, 9),
    )

    assert supplied(case) == {
        "id_card": at(FILED),
        "floor_plan": at(FILED),
        "lease": at(CORRECTED, 9),
    }
