"""The national-algorithm mode: SM2/SM3 signatures in the registry and on QR payloads,
including public keys that gmssl 3.2.2 would truncate (x starting with 0 or 4)."""

import pytest
from gmssl import sm2 as gmssl_sm2

from tests.licences import helpers
from yimen.licences import payload, seal, sm2, verify
from yimen.licences.models import Licence, Seal

pytestmark = pytest.mark.django_db


def _key_whose_x_starts_with(digit: str) -> str:
    while True:
        private = sm2.generate_private_key()
        if sm2.public_key_of(private).startswith(digit):
            return private


@pytest.fixture(params=["0", "4"], ids=["04 0…", "04 4…"])
def trap_key(request) -> str:
    return _key_whose_x_starts_with(request.param)


def test_gmssl_would_truncate_these_keys_and_ours_does_not(trap_key):
    public = sm2.public_key_of(trap_key)
    naive = gmssl_sm2.CryptSM2(private_key=trap_key, public_key="04" + public)
    assert len(naive.public_key) < 128  # the trap this module works around
    signature = sm2.sign(trap_key, b"document hash")
    assert sm2.verify(public, b"document hash", signature)
    assert not sm2.verify(public, b"another hash", signature)


@pytest.mark.parametrize("signature", ["", "zz" * 64, "00" * 64, "ff" * 64, "ab" * 10])
def test_malformed_sm2_signatures_are_simply_invalid(signature):
    public = sm2.public_key_of(sm2.generate_private_key())
    assert sm2.verify(public, b"document hash", signature) is False


@pytest.fixture
def sm2_mode(settings, the_seal):
    settings.YIMEN_SEAL_ALGORITHM = "sm2"
    return the_seal


def _use_sm2_key(record: Seal, private: str) -> None:
    Seal.objects.filter(pk=record.pk).update(
        sm2_public_key=sm2.public_key_of(private),
        sm2_key_encrypted=seal.encrypt(private.encode()),
    )


def test_in_sm2_mode_the_registry_and_the_payload_carry_sm2_signatures(
    crew, food, sm2_mode, trap_key
):
    _use_sm2_key(sm2_mode, trap_key)
    licence = helpers.issued(crew, food)
    public = sm2.public_key_of(trap_key)
    assert sm2.verify(public, bytes.fromhex(licence.sha256), licence.sm2_signature)
    assert payload.parse(licence.qr_payload).claims.algorithm == "SM2"
    by_file = verify.verify_pdf(helpers.file_bytes(licence), today=helpers.IN_FORCE)
    by_code = verify.verify_payload(licence.qr_payload, today=helpers.IN_FORCE)
    assert (by_file.status, by_code.status) == ("valid", "valid")


def test_a_registry_sm2_signature_that_does_not_hold_makes_the_licence_altered(
    crew, food, sm2_mode
):
    licence = helpers.issued(crew, food)
    other = sm2.sign(sm2.generate_private_key(), bytes.fromhex(licence.sha256))
    Licence.objects.filter(pk=licence.pk).update(sm2_signature=other)
    result = verify.verify_pdf(helpers.file_bytes(licence), today=helpers.IN_FORCE)
    assert (result.status, result.reason) == ("altered", "registry_signature_invalid")


def test_an_sm2_payload_with_a_bad_signature_is_altered(crew, food, sm2_mode):
    licence = helpers.issued(crew, food)
    body, signature = licence.qr_payload.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    result = verify.verify_payload(f"{body}.{flipped}", today=helpers.IN_FORCE)
    assert (result.status, result.reason) == ("altered", "bad_signature")


def test_ecdsa_mode_keeps_no_sm2_signature(crew, food, the_seal):
    licence = helpers.issued(crew, food)
    assert licence.sm2_signature == ""
    assert payload.parse(licence.qr_payload).claims.algorithm == "ES256"
