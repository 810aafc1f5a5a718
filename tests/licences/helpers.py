"""Licence test data: granted cases, issued licences, PDFs signed by the bureau or by others."""

import datetime as dt
import io

from reportlab.pdfgen.canvas import Canvas

from tests.factories import cases as make
from tests.factories import subjects as people
from yimen.cases import services as cases
from yimen.cases.models import Case
from yimen.catalog.models import ItemVersion
from yimen.licences import seal, services, signing
from yimen.licences.models import Licence, Seal
from yimen.subjects.models import Account

DECIDED_ON = dt.date(2025, 11, 5)
ISSUED_AT = make.at(dt.date(2025, 11, 6), 10)
IN_FORCE = dt.date(2026, 3, 1)  # a day on which a licence issued at ISSUED_AT is valid


def sandbox(settings, tmp_path) -> None:
    """Uploads under tmp_path, the ECDSA seal mode, and a fixed address for QR codes."""
    people.sandbox(settings, tmp_path)
    settings.YIMEN_SEAL_ALGORITHM = "ecdsa"
    settings.YIMEN_SEAL_PKCS12 = ""
    settings.YIMEN_SEAL_PKCS11_LIB = ""
    settings.YIMEN_TSA_URL = ""
    settings.YIMEN_PUBLIC_URL = "https://zwfw.example.cn"


def minimal_pdf(text: str = "Yimen test document") -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.drawString(100, 700, text)
    canvas.save()
    return buffer.getvalue()


def granted_case(crew: make.Team, version: ItemVersion) -> Case:
    case = make.accepted(crew, version, day=DECIDED_ON - dt.timedelta(days=2))
    cases.task_complete(task=make.open_tasks(case)[0], actor=crew.reviewers["MZJ"])
    cases.case_decide(
        case=case,
        approver=crew.approver,
        grant=True,
        reason="经审查，符合法定条件。",
        now=make.at(DECIDED_ON),
    )
    case.refresh_from_db()
    return case


def issued(crew: make.Team, version: ItemVersion, **kwargs) -> Licence:
    return services.licence_issue(
        case=granted_case(crew, version), actor=crew.approver, now=ISSUED_AT, **kwargs
    )


def file_bytes(licence: Licence) -> bytes:
    with licence.file.open("rb") as document:
        return document.read()


def foreign_signed(pdf_bytes: bytes, when: dt.datetime = ISSUED_AT) -> bytes:
    """Signed by a key and CA this bureau never heard of."""
    authority_key, authority = seal.demo_authority("外单位根证书", when)
    key, certificate = seal.demo_seal("外单位公章", authority_key, authority, when)
    stranger = seal.LoadedSeal(
        record=Seal(), private_key=key, certificate=certificate, chain=(authority,)
    )
    return signing.sign_pdf(pdf_bytes, stranger, reason="外单位")


def flip_byte(data: bytes, index: int) -> bytes:
    changed = bytearray(data)
    changed[index] ^= 0x01
    return bytes(changed)


def sealed(kind: str, actor: Account, case: Case, text: str = "受理通知书") -> bytes:
    return services.document_seal(
        kind=kind, pdf_bytes=minimal_pdf(text), case_ref=case.case_no, actor=actor
    )
