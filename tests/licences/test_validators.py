"""Signed licences as other software sees them: pyHanko's command line and poppler's pdfsig,
for PAdES B-B and, with a timestamp authority, B-T."""

import datetime as dt
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from tests.licences import helpers
from yimen.cases.models import Case
from yimen.cases.states import CaseState
from yimen.errors import IllegalAction
from yimen.licences import selectors, verify
from yimen.licences.models import Licence, SealUse

pytestmark = pytest.mark.django_db

PYHANKO = Path(sys.executable).with_name("pyhanko")
PDFSIG = shutil.which("pdfsig")
needs_pyhanko = pytest.mark.skipif(not PYHANKO.exists(), reason="pyhanko-cli is not installed")
needs_pdfsig = pytest.mark.skipif(PDFSIG is None, reason="poppler's pdfsig is not installed")


def _pyhanko(tmp_path: Path, document: bytes, *trust_pems: str) -> subprocess.CompletedProcess:
    pdf = tmp_path / "document.pdf"
    pdf.write_bytes(document)
    trust = []
    for index, pem in enumerate(trust_pems):
        path = tmp_path / f"trust-{index}.pem"
        path.write_text(pem)
        trust += ["--trust", str(path)]
    return subprocess.run(
        [str(PYHANKO), "sign", "validate", *trust, "--trust-replace", str(pdf)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _pdfsig(tmp_path: Path, document: bytes) -> str:
    pdf = tmp_path / "document.pdf"
    pdf.write_bytes(document)
    return subprocess.run([PDFSIG, str(pdf)], capture_output=True, text=True, timeout=60).stdout


@needs_pyhanko
def test_pyhanko_validates_the_licence_against_the_exported_ca(tmp_path, crew, food, the_seal):
    signed = helpers.file_bytes(helpers.issued(crew, food))
    result = _pyhanko(tmp_path, signed, selectors.trust_list_pem())
    assert result.returncode == 0, result.stderr
    assert "INTACT:TRUSTED,UNTOUCHED" in result.stdout
    altered = _pyhanko(tmp_path, helpers.flip_byte(signed, 300), selectors.trust_list_pem())
    assert altered.returncode != 0 and "INVALID" in altered.stdout


@needs_pdfsig
def test_pdfsig_finds_the_signature_valid_over_the_whole_file(tmp_path, crew, food, the_seal):
    signed = helpers.file_bytes(helpers.issued(crew, food))
    report = _pdfsig(tmp_path, signed)
    assert "Signature is Valid." in report and "Total document signed" in report
    assert "ETSI.CAdES.detached" in report
    altered = _pdfsig(tmp_path, helpers.flip_byte(signed, 300))
    assert "Signature is Valid." not in altered


# --- B-T: a timestamp authority on this machine -----------------------------------------


def _tsa_material():
    now = dt.datetime.now(dt.UTC)
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA Root")])
    root = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(root_key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")]))
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    return root, key, certificate


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


@pytest.fixture
def tsa():
    """An RFC 3161 server on a local port; yields (url, root certificate PEM)."""
    root, key, certificate = _tsa_material()
    stamper = DummyTimeStamper(
        tsa_cert=_asn1(certificate),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        certs_to_embed=SimpleCertificateStore.from_certs([_asn1(root)]),
    )

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            reply = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield (
        f"http://127.0.0.1:{server.server_port}/tsa",
        root.public_bytes(serialization.Encoding.PEM).decode(),
    )
    server.shutdown()
    server.server_close()


@pytest.fixture
def timestamped(settings, crew, food, the_seal, tsa) -> tuple[bytes, str]:
    """A licence sealed with a timestamp (PAdES B-T), and the TSA's root certificate."""
    url, tsa_root = tsa
    settings.YIMEN_TSA_URL = url
    return helpers.file_bytes(helpers.issued(crew, food)), tsa_root


def test_with_a_timestamp_authority_the_licence_verifies_with_its_timestamp(timestamped):
    result = verify.verify_pdf(timestamped[0], today=helpers.IN_FORCE)
    assert result.status == "valid" and result.timestamped_at is not None


@needs_pyhanko
def test_pyhanko_validates_the_b_t_signature_and_its_timestamp(tmp_path, timestamped):
    signed, tsa_root = timestamped
    checked = _pyhanko(tmp_path, signed, selectors.trust_list_pem(), tsa_root)
    assert checked.returncode == 0, checked.stderr
    assert "TIMESTAMP_TOKEN<INTACT:TRUSTED>" in checked.stdout


@needs_pdfsig
def test_pdfsig_finds_the_b_t_signature_valid(tmp_path, timestamped):
    assert "Signature is Valid." in _pdfsig(tmp_path, timestamped[0])


def test_an_unreachable_timestamp_authority_issues_nothing(settings, crew, food, the_seal):
    settings.YIMEN_TSA_URL = "http://127.0.0.1:9/tsa"
    with pytest.raises(IllegalAction) as refused:
        helpers.issued(crew, food)
    assert refused.value.code == "tsa_unavailable"
    assert Case.objects.get().state == CaseState.DECIDED
    assert not Licence.objects.exists() and not SealUse.objects.exists()
