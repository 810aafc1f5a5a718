"""Issuing a licence, sealing a case's letters, revoking: what the registry, the case, the
holder's locker and the record of seal uses show afterwards."""

import datetime as dt
import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.factories import cases as make
from tests.factories import catalog
from tests.licences import helpers
from yimen.cases import services as cases
from yimen.cases.models import CaseEvent
from yimen.cases.states import CaseState
from yimen.catalog.models import MaterialKind
from yimen.errors import IllegalAction, InvalidInput, PermissionDenied
from yimen.licences import payload, seal, services, signing, verify
from yimen.licences.models import DocumentKind, Licence, LicenceStatus, SealUse
from yimen.licences.numbering import identifier_is_valid
from yimen.subjects.models import LockerEntry
from yimen.subjects.selectors import locker_prefill

pytestmark = pytest.mark.django_db


@pytest.fixture
def food_licence_kind(db):
    return MaterialKind.objects.create(code="food_licence", name="食品经营许可证", is_licence=True)


def test_issuing_registers_seals_and_stores_the_licence_and_records_the_case_step(
    crew, food, the_seal, food_licence_kind
):
    licence = helpers.issued(crew, food)
    case = licence.case
    case.refresh_from_db()
    assert case.state == CaseState.ISSUED and case.licence_ref == licence.number
    assert CaseEvent.objects.filter(case=case, action="issue_licence", actor=crew.approver).exists()
    assert licence.number == "220105-2025-000001"
    assert identifier_is_valid(licence.identifier) and licence.number.replace("-", "") in (
        licence.identifier
    )
    assert (licence.title, licence.kind, licence.holder.pk) == (
        "食品经营许可证",
        food_licence_kind,
        crew.person.pk,
    )
    assert (licence.valid_from, licence.valid_until) == (dt.date(2025, 11, 6), dt.date(2030, 11, 5))
    content = helpers.file_bytes(licence)
    assert signing.sha256_hex(content) == licence.sha256
    assert PdfFileReader(io.BytesIO(content)).embedded_signatures
    uses = {u.kind: u for u in SealUse.objects.filter(case_ref=case.case_no)}
    assert set(uses) == {DocumentKind.LICENCE, DocumentKind.GRANT}
    assert uses[DocumentKind.LICENCE].sha256 == licence.sha256
    assert {u.actor for u in uses.values()} == {crew.approver}
    assert {u.seal for u in uses.values()} == {the_seal}


def test_the_seal_is_parsed_once_per_process_and_a_rotation_is_seen_at_once(crew, food, the_seal):
    first = seal.active_seal()
    assert seal.active_seal().private_key is first.private_key
    assert seal.active_seal().pdf_signer() is first.pdf_signer()
    rotated = services.seal_rotate()
    licence = helpers.issued(crew, food)
    assert licence.seal == rotated
    signer = seal.active_seal().pdf_signer()
    assert signer is not first.pdf_signer()
    assert signer.signing_cert.sha256_fingerprint.replace(" ", "").lower() == rotated.fingerprint


def test_the_issued_licence_is_in_the_holders_locker_so_no_other_item_asks_for_it(
    crew, food, the_seal, food_licence_kind
):
    licence = helpers.issued(crew, food)
    entry = licence.locker_entry
    assert (entry.subject_id, entry.kind, entry.source) == (
        crew.person.pk,
        food_licence_kind,
        LockerEntry.Source.ISSUED,
    )
    assert (entry.sha256, entry.origin_ref) == (licence.sha256, licence.number)
    needs_licence = catalog.published(
        "220105-SCJ-099",
        name="食品经营许可证延续",
        materials=(("food_licence", "食品经营许可证"),),
        effective_from=make.EFFECTIVE,
    )
    rows = locker_prefill(crew.person, needs_licence, on=helpers.IN_FORCE)
    assert [row.entry for row in rows] == [entry]


def test_an_item_without_a_known_licence_kind_gets_one_of_its_own(crew, the_seal):
    nurse = make.licence_item("220105-WJJ-005", name="护士执业注册")
    licence = helpers.issued(crew, nurse)
    assert licence.kind.code == "licence-220105-WJJ-005" and licence.kind.is_licence
    assert licence.title == "护士执业注册电子证照"


def test_a_long_term_licence_has_no_end_date_and_neither_has_its_payload(crew, food, the_seal):
    licence = helpers.issued(crew, food, long_term=True)
    assert licence.valid_until is None
    assert payload.parse(licence.qr_payload).claims.valid_until is None
    far = dt.date(2090, 1, 1)
    assert verify.verify_pdf(helpers.file_bytes(licence), today=far).status == "valid"


def test_only_an_approver_issues_and_a_refusal_saves_nothing(crew, food, the_seal):
    case = helpers.granted_case(crew, food)
    with pytest.raises(PermissionDenied):
        services.licence_issue(case=case, actor=crew.clerk, now=helpers.ISSUED_AT)
    case.refresh_from_db()
    assert case.state == CaseState.DECIDED and not Licence.objects.exists()


def test_a_denied_case_gets_no_licence(crew, food, the_seal):
    case = make.accepted(crew, food, day=dt.date(2025, 11, 3))
    cases.task_complete(task=make.open_tasks(case)[0], actor=crew.reviewers["MZJ"])
    cases.case_decide(case=case, approver=crew.approver, grant=False, reason="选址不符合规划")
    with pytest.raises(IllegalAction) as refused:
        services.licence_issue(case=case, actor=crew.approver)
    assert refused.value.code == "not_issuable"
    assert not SealUse.objects.exists()


def test_a_case_gets_one_licence(crew, food, the_seal):
    licence = helpers.issued(crew, food)
    with pytest.raises(IllegalAction) as refused:
        services.licence_issue(case=licence.case, actor=crew.approver)
    assert refused.value.code == "not_issuable"
    assert Licence.objects.count() == 1


def test_an_end_date_before_the_issue_date_is_refused(crew, food, the_seal):
    case = helpers.granted_case(crew, food)
    with pytest.raises(InvalidInput) as refused:
        services.licence_issue(
            case=case, actor=crew.approver, now=helpers.ISSUED_AT, valid_until=dt.date(2025, 1, 1)
        )
    assert refused.value.field == "valid_until"
    assert not Licence.objects.exists()


def test_licence_numbers_count_per_year(crew, food, the_seal):
    first = helpers.issued(crew, food)
    second = helpers.issued(crew, food)
    third = services.licence_issue(
        case=helpers.granted_case(crew, food),
        actor=crew.approver,
        now=make.at(dt.date(2026, 1, 5)),
    )
    assert [first.number, second.number, third.number] == [
        "220105-2025-000001",
        "220105-2025-000002",
        "220105-2026-000001",
    ]


def test_revoking_needs_a_reason_and_then_the_holder_and_every_verifier_see_it(
    crew, food, the_seal
):
    licence = helpers.issued(crew, food)
    with pytest.raises(InvalidInput) as no_reason:
        services.licence_revoke(licence=licence, approver=crew.approver, reason="  ")
    assert no_reason.value.field == "reason"
    with pytest.raises(PermissionDenied):
        services.licence_revoke(licence=licence, approver=crew.clerk, reason="核查不符")
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.VALID
    services.licence_revoke(
        licence=licence, approver=crew.approver, reason="市场监管部门核查：经营场所与许可不符"
    )
    licence.refresh_from_db()
    assert (licence.status, licence.revoked_by) == (LicenceStatus.REVOKED, crew.approver)
    entry = licence.locker_entry
    entry.refresh_from_db()
    assert entry.revoked_at is not None and "经营场所与许可不符" in entry.revoke_reason
    assert verify.verify_pdf(helpers.file_bytes(licence)).status == "revoked"
    assert verify.verify_payload(licence.qr_payload).status == "revoked"
    with pytest.raises(IllegalAction) as again:
        services.licence_revoke(licence=licence, approver=crew.approver, reason="再次撤销")
    assert again.value.code == "licence_revoked"


def test_a_clerk_seals_a_receipt_and_the_use_is_recorded(crew, food, the_seal):
    case = make.accepted(crew, food)
    signed = helpers.sealed(DocumentKind.RECEIPT, crew.clerk, case)
    use = SealUse.objects.get()
    assert (use.kind, use.case_ref, use.actor, use.seal) == (
        DocumentKind.RECEIPT,
        case.case_no,
        crew.clerk,
        the_seal,
    )
    assert use.sha256 == signing.sha256_hex(signed)
    result = verify.verify_pdf(signed)
    assert (result.status, result.reason, result.use) == ("valid", "sealed_document", use)


@pytest.mark.parametrize(
    ("kind", "pdf", "code"),
    [
        (DocumentKind.LICENCE, helpers.minimal_pdf(), "invalid_document_kind"),
        ("stamp", helpers.minimal_pdf(), "invalid_document_kind"),
        (DocumentKind.RECEIPT, b"", "empty_file"),
        (DocumentKind.RECEIPT, b"this is not a pdf", "pdf_unreadable"),
    ],
)
def test_sealing_refuses_what_it_cannot_seal(crew, food, the_seal, kind, pdf, code):
    case = make.accepted(crew, food)
    with pytest.raises(InvalidInput) as refused:
        services.document_seal(kind=kind, pdf_bytes=pdf, case_ref=case.case_no, actor=crew.clerk)
    assert refused.value.code == code
    assert not SealUse.objects.exists()


def test_a_reviewer_may_not_seal_a_receipt(crew, food, the_seal):
    case = make.accepted(crew, food)
    with pytest.raises(PermissionDenied):
        helpers.sealed(DocumentKind.RECEIPT, crew.reviewers["MZJ"], case)
    assert not SealUse.objects.exists()
