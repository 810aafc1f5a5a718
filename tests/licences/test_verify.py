"""Verification of PDFs and QR payloads: the five answers, and a clear one for bad input."""

import base64
import datetime as dt
import io
import json
import os

import pytest
import time_machine
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers

from tests.licences import helpers
from yimen.errors import InvalidInput
from yimen.licences import payload, seal, verify
from yimen.licences.models import Licence

pytestmark = pytest.mark.django_db


@pytest.fixture
def licence(crew, food, the_seal) -> Licence:
    return helpers.issued(crew, food)


@pytest.fixture
def signed(licence) -> bytes:
    return helpers.file_bytes(licence)


def _signature_gap(data: bytes) -> tuple[int, int]:
    """Where the signature's hex /Contents sits: the bytes its byte range leaves out."""
    byte_range = PdfFileReader(io.BytesIO(data)).embedded_signatures[0].byte_range
    return byte_range[1], byte_range[2]


def test_a_licence_as_issued_is_valid_with_its_facts_and_the_holder_masked(licence, signed):
    result = verify.verify_pdf(signed, today=helpers.IN_FORCE)
    assert (result.status, result.reason, result.licence) == ("valid", "registered", licence)
    facts = result.facts()
    assert facts["number"] == licence.number and facts["title"] == "食品经营许可证"
    assert facts["holder"] == "张*兰" and "张桂兰" not in str(facts)
    assert licence.holder.code not in str(facts)
    assert facts["demo_seal"] is True and facts["signed_at"] is not None


@pytest.mark.parametrize(
    "where",
    ["header", "page content", "signature padding", "inside the certificates", "last byte"],
)
def test_any_changed_byte_shows_as_altered(signed, where):
    start, end = _signature_gap(signed)
    index = {
        "header": 0,
        "page content": start // 2,
        "signature padding": end - 3,
        "inside the certificates": start + 600,
        "last byte": len(signed) - 1,
    }[where]
    result = verify.verify_pdf(helpers.flip_byte(signed, index), today=helpers.IN_FORCE)
    assert (result.status, result.reason) == ("altered", "modified")


def test_a_licence_cut_short_is_altered_or_unreadable_never_valid(signed):
    assert verify.verify_pdf(signed[:-100]).status == "altered"
    first_half = verify.verify_pdf(signed[: len(signed) // 2])
    assert (first_half.status, first_half.reason) == ("unknown", "unreadable")


def test_an_update_appended_after_sealing_is_altered(signed):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.root["/Lang"] = generic.TextStringObject("en")
    writer.update_root()
    output = io.BytesIO()
    writer.write(output)
    assert verify.verify_pdf(output.getvalue(), today=helpers.IN_FORCE).status == "altered"


def test_a_licence_countersigned_by_another_key_is_altered(signed):
    stranger = _stranger()
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    output = signers.sign_pdf(
        writer, signers.PdfSignatureMetadata(field_name="Other"), signer=stranger.pdf_signer()
    )
    assert verify.verify_pdf(output.getvalue(), today=helpers.IN_FORCE).status == "altered"


def _stranger() -> seal.LoadedSeal:
    now = dt.datetime.now(dt.UTC)
    authority_key, authority = seal.demo_authority("外单位根证书", now)
    key, certificate = seal.demo_seal("外单位公章", authority_key, authority, now)
    return seal.LoadedSeal(
        record=seal.Seal(), private_key=key, certificate=certificate, chain=(authority,)
    )


def test_a_pdf_signed_by_another_key_is_not_issued_by_this_bureau(the_seal):
    result = verify.verify_pdf(helpers.foreign_signed(helpers.minimal_pdf()))
    assert (result.status, result.reason) == ("unknown", "foreign_signature")


def test_an_unsigned_pdf_is_not_issued_by_this_bureau(the_seal):
    result = verify.verify_pdf(helpers.minimal_pdf())
    assert (result.status, result.reason) == ("unknown", "unsigned")


@pytest.mark.parametrize(
    "data", [os.urandom(4096), b"%PDF-1.7\n%garbage", "食品经营许可证".encode(), b"\x00"]
)
def test_random_or_broken_bytes_get_a_clear_answer(the_seal, data):
    result = verify.verify_pdf(data)
    assert (result.status, result.reason) == ("unknown", "unreadable")
    assert result.message


def test_an_empty_upload_is_refused_with_a_message(the_seal):
    with pytest.raises(InvalidInput) as refused:
        verify.verify_pdf(b"")
    assert (refused.value.code, refused.value.field) == ("empty_file", "file")


def test_after_its_end_date_a_licence_is_expired(licence, signed):
    after = licence.valid_until + dt.timedelta(days=1)
    assert verify.verify_pdf(signed, today=licence.valid_until).status == "valid"
    assert verify.verify_pdf(signed, today=after).status == "expired"
    assert verify.verify_payload(licence.qr_payload, today=after).status == "expired"


def test_a_long_term_licence_outlives_its_seal_certificate(crew, food, the_seal):
    licence = helpers.issued(crew, food, long_term=True)
    signed = helpers.file_bytes(licence)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=365 * 12)):
        assert verify.verify_pdf(signed).status == "valid"
        assert verify.verify_payload(licence.qr_payload).status == "valid"


def test_a_sealed_file_missing_from_the_registry_is_not_called_valid(licence, signed):
    Licence.objects.filter(pk=licence.pk).update(sha256="0" * 64)
    result = verify.verify_pdf(signed, today=helpers.IN_FORCE)
    assert (result.status, result.reason) == ("unknown", "not_registered")


# --- QR payloads -----------------------------------------------------------------------


def test_the_qr_payload_opens_the_verify_page_and_says_valid(licence):
    assert payload.verify_url(licence.qr_payload).startswith("https://zwfw.example.cn/verify?p=")
    by_url = verify.verify_payload(payload.verify_url(licence.qr_payload), today=helpers.IN_FORCE)
    assert (by_url.status, by_url.licence) == ("valid", licence)
    assert verify.verify_payload(licence.qr_payload, today=helpers.IN_FORCE).status == "valid"


def test_the_payload_names_the_holder_only_by_a_hash_anyone_with_the_id_can_check(licence):
    claims = payload.parse(licence.qr_payload).claims
    assert licence.holder.code not in licence.qr_payload and "张" not in licence.qr_payload
    assert claims.holder_hash == payload.holder_hash(licence.number, licence.holder.code)
    assert claims.holder_hash != payload.holder_hash(licence.number, "220105195303120019")
    assert (claims.number, claims.identifier) == (licence.number, licence.identifier)
    assert (claims.valid_from, claims.valid_until) == (licence.valid_from, licence.valid_until)
    assert claims.key_id == licence.seal.fingerprint[:16] and claims.algorithm == "ES256"


def _forged(qr: str, **changes) -> str:
    """The payload with claims changed but the original signature kept."""
    body, signature = qr.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims.update(changes)
    encoded = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{encoded}.{signature}"


def test_a_payload_with_a_changed_claim_has_a_bad_signature(licence):
    forged = _forged(licence.qr_payload, vu="2099-12-31")
    result = verify.verify_payload(forged, today=helpers.IN_FORCE)
    assert (result.status, result.reason) == ("altered", "bad_signature")


def test_a_payload_naming_an_unknown_seal_is_not_ours(licence):
    result = verify.verify_payload(_forged(licence.qr_payload, k="0123456789abcdef"))
    assert (result.status, result.reason) == ("unknown", "unknown_seal")


@pytest.mark.parametrize(
    "cut",
    [
        lambda p: p[: len(p) // 3],
        lambda p: p[:-10],
        lambda p: p.replace(".", ""),
        lambda p: p + ".x",
        lambda p: "!" + p,
        lambda p: "not a payload at all",
        lambda p: "e30." + p.split(".")[1],
    ],
)
def test_truncated_or_garbled_payloads_get_a_clear_answer(licence, cut):
    result = verify.verify_payload(cut(licence.qr_payload), today=helpers.IN_FORCE)
    assert result.status in {"unknown", "altered"} and result.message
    assert result.licence is None


@pytest.mark.parametrize("text", ["   ", "https://zwfw.example.cn/verify"])
def test_an_empty_payload_is_refused_with_a_message(the_seal, text):
    with pytest.raises(InvalidInput) as refused:
        verify.verify_payload(text)
    assert refused.value.field == "payload"
