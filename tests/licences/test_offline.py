"""The offline check docs/licences.md describes: with the published seal certificates and
the CA list, and no access to the registry, a verifier checks a QR payload's signature,
number, holder and validity using nothing but a standard crypto library."""

import base64
import datetime as dt
import hashlib
import json

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tests.licences import helpers
from yimen.licences import selectors

pytestmark = pytest.mark.django_db


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def offline_check(qr: str, seals: list[dict], ca_pem: str, holder_id: str, today: dt.date):
    """A third party's verifier, as the format documentation tells them to write it."""
    body, signature = qr.split(".")
    claims = json.loads(_b64(body))
    seal = next(s for s in seals if s["fingerprint"].startswith(claims["k"]))
    certificate = x509.load_pem_x509_certificate(seal["certificate_pem"].encode())
    authorities = x509.load_pem_x509_certificates(ca_pem.encode())
    assert any(_issued_by(certificate, ca) for ca in authorities)
    assert claims["a"] == "ES256"
    raw = _b64(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    certificate.public_key().verify(der, body.encode(), ec.ECDSA(hashes.SHA256()))
    holder = hashlib.sha256(f"{claims['n']}:{holder_id}".encode()).digest()[:16]
    assert claims["h"] == base64.urlsafe_b64encode(holder).rstrip(b"=").decode()
    until = dt.date.fromisoformat(claims["vu"]) if claims["vu"] else None
    return claims["n"], dt.date.fromisoformat(claims["vf"]) <= today <= (until or today)


def _issued_by(certificate: x509.Certificate, authority: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(authority)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def test_a_verifier_checks_the_payload_with_only_the_published_certificates(
    client, crew, food, the_seal
):
    licence = helpers.issued(crew, food)
    seals = client.get("/api/v1/licences/seals").json()
    ca_pem = client.get("/verify/seal-ca.pem").content.decode()
    assert ca_pem == selectors.trust_list_pem()
    number, in_force = offline_check(
        licence.qr_payload, seals, ca_pem, crew.person.code, helpers.IN_FORCE
    )
    assert (number, in_force) == (licence.number, True)
    body, signature = licence.qr_payload.split(".")
    forged = json.loads(_b64(body)) | {"vu": "2099-12-31"}
    forged_body = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    with pytest.raises(InvalidSignature):
        offline_check(
            f"{forged_body}.{signature}", seals, ca_pem, crew.person.code, helpers.IN_FORCE
        )
    with pytest.raises(AssertionError):
        offline_check(licence.qr_payload, seals, ca_pem, "220105195303120019", helpers.IN_FORCE)
