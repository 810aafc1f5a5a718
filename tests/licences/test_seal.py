"""The one seal: made for the demo, rotated, loaded from PKCS#12, and nothing else signs."""

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.management import call_command

from tests.licences import helpers
from yimen.cases.models import Case
from yimen.cases.states import CaseState
from yimen.errors import IllegalAction
from yimen.licences import seal, selectors, services, verify
from yimen.licences.models import Licence, Seal, SealAuthority, SealUse
from yimen.subjects.models import LockerEntry

pytestmark = pytest.mark.django_db


def test_seal_init_makes_one_demo_seal_whose_keys_are_stored_encrypted():
    made = services.seal_init()
    certificate = x509.load_pem_x509_certificate(made.certificate_pem.encode())
    authority = x509.load_pem_x509_certificate(made.authority.certificate_pem.encode())
    certificate.verify_directly_issued_by(authority)
    assert made.is_demo and made.authority.is_demo and "DEMO" in made.name
    assert "DEMO" in seal.common_name(authority)
    assert made.fingerprint == seal.fingerprint(certificate)
    for stored in (made.key_encrypted, made.authority.key_encrypted, made.sm2_key_encrypted):
        assert "PRIVATE" not in stored and "BEGIN" not in stored
    loaded = seal.active_seal()
    assert loaded.private_key.public_key().public_numbers() == (
        certificate.public_key().public_numbers()
    )


def test_a_second_seal_init_is_refused_and_changes_nothing(the_seal):
    with pytest.raises(IllegalAction) as refused:
        services.seal_init()
    assert refused.value.code == "seal_exists"
    assert list(Seal.objects.values_list("pk", flat=True)) == [the_seal.pk]


def test_without_a_seal_nothing_is_issued_and_the_case_keeps_its_state(crew, food):
    case = helpers.granted_case(crew, food)
    with pytest.raises(IllegalAction) as refused:
        services.licence_issue(case=case, actor=crew.approver, now=helpers.ISSUED_AT)
    assert refused.value.code == "no_seal"
    case.refresh_from_db()
    assert (case.state, case.licence_ref) == (CaseState.DECIDED, "")
    assert not Licence.objects.exists() and not SealUse.objects.exists()
    assert not LockerEntry.objects.exists()


def test_a_changed_secret_key_is_told_not_guessed(settings, crew, food, the_seal):
    settings.SECRET_KEY = "another-secret-key-for-this-installation-0123456789"
    with pytest.raises(IllegalAction) as refused:
        helpers.issued(crew, food)
    assert refused.value.code == "seal_key_unreadable"
    assert Case.objects.get().state == CaseState.DECIDED


def test_rotation_keeps_every_earlier_document_valid(crew, food, the_seal):
    before = helpers.issued(crew, food)
    rotated = services.seal_rotate()
    after = helpers.issued(crew, food)
    the_seal.refresh_from_db()
    assert the_seal.retired_at is not None and rotated.retired_at is None
    assert rotated.authority_id == the_seal.authority_id
    assert (before.seal_id, after.seal_id) == (the_seal.pk, rotated.pk)
    for licence in (before, after):
        result = verify.verify_pdf(helpers.file_bytes(licence), today=helpers.IN_FORCE)
        assert (result.status, result.licence) == ("valid", licence)
        assert verify.verify_payload(licence.qr_payload, today=helpers.IN_FORCE).status == "valid"
    assert selectors.trust_list_pem() == the_seal.authority.certificate_pem


def test_rotation_to_a_new_ca_adds_it_to_the_trust_list(crew, food, the_seal):
    before = helpers.issued(crew, food)
    rotated = services.seal_rotate(new_authority=True)
    after = helpers.issued(crew, food)
    assert rotated.authority_id != the_seal.authority_id
    trusted = x509.load_pem_x509_certificates(selectors.trust_list_pem().encode())
    assert {seal.fingerprint(c) for c in trusted} == set(
        SealAuthority.objects.values_list("fingerprint", flat=True)
    )
    for licence in (before, after):
        result = verify.verify_pdf(helpers.file_bytes(licence), today=helpers.IN_FORCE)
        assert result.status == "valid"


def test_rotation_needs_a_seal_to_replace():
    with pytest.raises(IllegalAction) as refused:
        services.seal_rotate()
    assert refused.value.code == "no_seal"


def _pkcs12_file(tmp_path, name: str, password: bytes = b"p12-secret"):
    now = dt.datetime.now(dt.UTC)
    authority_key, authority = seal.demo_authority("某市电子印章CA", now)
    key, certificate = seal.demo_seal(name, authority_key, authority, now)
    path = tmp_path / f"{name}.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            name.encode(),
            key,
            certificate,
            [authority],
            serialization.BestAvailableEncryption(password),
        )
    )
    return path, certificate


def test_a_pkcs12_seal_is_registered_on_first_use_and_a_new_file_rotates_it(
    settings, tmp_path, crew, food
):
    first, first_certificate = _pkcs12_file(tmp_path, "行政审批专用章一")
    settings.YIMEN_SEAL_PKCS12, settings.YIMEN_SEAL_PKCS12_PASSWORD = str(first), "p12-secret"
    before = helpers.issued(crew, food)
    registered = Seal.objects.get()
    assert registered.source == Seal.Source.PKCS12 and not registered.key_encrypted
    assert registered.fingerprint == seal.fingerprint(first_certificate)
    with pytest.raises(IllegalAction) as refused:
        services.seal_init()
    assert refused.value.code == "seal_external"

    second, _certificate = _pkcs12_file(tmp_path, "行政审批专用章二")
    settings.YIMEN_SEAL_PKCS12 = str(second)
    after = helpers.issued(crew, food)
    registered.refresh_from_db()
    assert registered.retired_at is not None and Seal.objects.count() == 2
    for licence in (before, after):
        result = verify.verify_pdf(helpers.file_bytes(licence), today=helpers.IN_FORCE)
        assert result.status == "valid"


def test_a_wrong_pkcs12_password_is_a_clear_refusal(settings, tmp_path, crew, food):
    path, _certificate = _pkcs12_file(tmp_path, "行政审批专用章")
    settings.YIMEN_SEAL_PKCS12, settings.YIMEN_SEAL_PKCS12_PASSWORD = str(path), "wrong"
    with pytest.raises(IllegalAction) as refused:
        helpers.issued(crew, food)
    assert refused.value.code == "seal_pkcs12_unreadable"
    assert not Seal.objects.exists()


def test_a_pkcs11_token_is_refused_as_not_supported_yet(settings, crew, food, the_seal):
    settings.YIMEN_SEAL_PKCS11_LIB = "/usr/lib/softhsm/libsofthsm2.so"
    with pytest.raises(IllegalAction) as refused:
        helpers.issued(crew, food)
    assert refused.value.code == "seal_pkcs11_unsupported"


def test_seal_commands_make_rotate_and_export_the_trust_list(tmp_path, capsys):
    call_command("seal-init")
    made = Seal.objects.get()
    assert made.fingerprint in capsys.readouterr().out
    target = tmp_path / "ca.pem"
    call_command("seal-ca", "-o", str(target))
    assert target.read_text() == made.authority.certificate_pem
    call_command("seal-rotate")
    rotated = Seal.objects.get(retired_at__isnull=True)
    assert rotated.pk != made.pk and rotated.fingerprint in capsys.readouterr().out
    call_command("seal-ca")
    assert capsys.readouterr().out == made.authority.certificate_pem
