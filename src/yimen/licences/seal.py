"""The approval seal's key material: made for the embedded demo, or loaded from a PKCS#12 file.

The embedded seal (`yimen seal-init`) keeps its private keys in the database,
encrypted with a key derived from SECRET_KEY, and is marked DEMO everywhere it
shows: a demo CA is no one's trust anchor. A deployment names a PKCS#12 file
(YIMEN_SEAL_PKCS12): the first time it is used its certificate is registered,
so documents sealed with it stay verifiable after the next rotation. PKCS#11
tokens are not supported yet (YIMEN_SEAL_PKCS11_LIB is refused with a clear error).

Nothing else in Yimen holds a signing key.
"""

import base64
import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from pyhanko.sign.signers import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from yimen.errors import IllegalAction
from yimen.licences import conf, sm2
from yimen.licences.models import Seal, SealAuthority

# Seals whose parsed keys, certificates and pyHanko signer a process keeps: the one in
# use, and the last few after a rotation.
KEPT_SEALS = 4
AUTHORITY_YEARS = 30
SEAL_YEARS = 10
DEMO_MARK = "DEMO"
NAME_MAX_BYTES = 64
# QR payload algorithms (JOSE names where there is one).
ES256, RS256, SM2 = "ES256", "RS256", "SM2"
P256_SCALAR_BYTES = 32


class SealUnavailable(IllegalAction):
    """No usable seal: none made yet, or its key cannot be read."""


# --- certificates ----------------------------------------------------------------------


def fingerprint(certificate: x509.Certificate) -> str:
    return certificate.fingerprint(hashes.SHA256()).hex()


def to_pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def certificates_from_pem(text: str) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(text.encode()) if text.strip() else []


def common_name(certificate: x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else certificate.subject.rfc4514_string()


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(
                NameOID.ORGANIZATION_NAME, fit_name(str(settings.YIMEN_BUREAU_NAME))
            ),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEMO_MARK),
            x509.NameAttribute(NameOID.COMMON_NAME, fit_name(common)),
        ]
    )


def fit_name(text: str) -> str:
    """`text` cut to the 64 bytes of UTF-8 an X.509 name attribute may hold."""
    while len(text.encode()) > NAME_MAX_BYTES:
        text = text[:-1]
    return text


def _key_usage(*, sign_certificates: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not sign_certificates,
        content_commitment=not sign_certificates,  # non-repudiation, which PAdES validators want
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=sign_certificates,
        crl_sign=sign_certificates,
        encipher_only=False,
        decipher_only=False,
    )


def demo_authority(
    common: str, now: dt.datetime
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A self-signed demo CA allowed to certify seals only."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * AUTHORITY_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(sign_certificates=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def demo_seal(
    common: str, authority_key, authority_certificate: x509.Certificate, now: dt.datetime
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A seal key and its certificate from the demo CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(common))
        .issuer_name(authority_certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * SEAL_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(sign_certificates=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(authority_key.public_key()),
            critical=False,
        )
        .sign(authority_key, hashes.SHA256())
    )
    return key, certificate


def algorithm_name(key) -> str:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return f"ecdsa-{key.curve.name}"
    if isinstance(key, rsa.RSAPrivateKey):
        return f"rsa-{key.key_size}"
    return type(key).__name__


# --- secrets at rest ---------------------------------------------------------------------


def _fernet() -> Fernet:
    derived = salted_hmac("yimen.licences.seal", "embedded seal keys", algorithm="sha256")
    return Fernet(base64.urlsafe_b64encode(derived.digest()))


def encrypt(secret: bytes) -> str:
    return _fernet().encrypt(secret).decode()


def decrypt(token: str) -> bytes:
    try:
        return _fernet().decrypt(token.encode())
    except InvalidToken:
        raise SealUnavailable(
            "seal_key_unreadable",
            _("印章私钥无法解密：SECRET_KEY 已更改。请恢复原 SECRET_KEY，或重新生成印章。"),
        ) from None


def authority_material(authority: SealAuthority):
    """The embedded CA's private key and certificate, to certify the next seal."""
    if not authority.key_encrypted:
        raise SealUnavailable(
            "seal_authority_external", _("该印章的 CA 私钥不在本系统中，无法用它签发新印章。")
        )
    key = serialization.load_der_private_key(decrypt(authority.key_encrypted), password=None)
    return key, x509.load_pem_x509_certificate(authority.certificate_pem.encode())


def private_key_der(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


# --- the seal in use ---------------------------------------------------------------------


@dataclass(frozen=True)
class LoadedSeal:
    """The seal in use, with its private keys in memory. The keys and certificates are parsed
    once per process for each seal (`active_seal` reads only the record each time)."""

    record: Seal
    private_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    sm2_private_key: str = ""

    def pdf_signer(self) -> SimpleSigner:
        """pyHanko's signer; the chain up to the CA goes into every signature."""
        return _pdf_signer(self.private_key, self.certificate, self.chain)

    def sign(self, data: bytes, algorithm: str) -> bytes:
        """A compact signature: r‖s for ES256 and SM2, PKCS#1 v1.5 for RS256."""
        if algorithm == SM2:
            if not self.sm2_private_key:
                raise SealUnavailable(
                    "seal_sm2_missing",
                    _("已启用国密算法（SM2），但当前印章没有 SM2 密钥，请配置 SM2 密钥。"),
                )
            return bytes.fromhex(sm2.sign(self.sm2_private_key, data))
        if isinstance(self.private_key, rsa.RSAPrivateKey):
            return self.private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        r, s = decode_dss_signature(self.private_key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(P256_SCALAR_BYTES, "big") + s.to_bytes(P256_SCALAR_BYTES, "big")

    def payload_algorithm(self) -> str:
        if conf.seal_algorithm() == conf.SM2:
            return SM2
        return RS256 if isinstance(self.private_key, rsa.RSAPrivateKey) else ES256


def verify_compact(seal: Seal, algorithm: str, data: bytes, signature: bytes) -> bool:
    """Whether `signature` (as `LoadedSeal.sign` makes it) is `seal`'s signature of `data`."""
    if algorithm == SM2:
        return bool(seal.sm2_public_key) and sm2.verify(seal.sm2_public_key, data, signature.hex())
    public_key = x509.load_pem_x509_certificate(seal.certificate_pem.encode()).public_key()
    try:
        if algorithm == ES256 and isinstance(public_key, ec.EllipticCurvePublicKey):
            if len(signature) != 2 * P256_SCALAR_BYTES:
                return False
            r = int.from_bytes(signature[:P256_SCALAR_BYTES], "big")
            s = int.from_bytes(signature[P256_SCALAR_BYTES:], "big")
            public_key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
            return True
        if algorithm == RS256 and isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
            return True
    except Exception:  # cryptography's InvalidSignature, or a malformed value
        return False
    return False


@functools.lru_cache(maxsize=KEPT_SEALS)
def _pdf_signer(
    private_key, certificate: x509.Certificate, chain: tuple[x509.Certificate, ...]
) -> SimpleSigner:
    """Made once per seal: `active_seal` hands out the same parsed key object every time."""
    return SimpleSigner(
        signing_cert=_asn1(certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(private_key_der(private_key)),
        cert_registry=SimpleCertificateStore.from_certs([_asn1(c) for c in chain]),
    )


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


@functools.lru_cache(maxsize=KEPT_SEALS)
def _parsed_key(der: bytes):
    return serialization.load_der_private_key(der, password=None)


@functools.lru_cache(maxsize=KEPT_SEALS)
def _parsed_certificates(pem: str) -> tuple[x509.Certificate, ...]:
    return tuple(certificates_from_pem(pem))


def active_seal() -> LoadedSeal:
    """The seal to sign with now. Raises SealUnavailable saying what to do when there is none."""
    if conf.pkcs11_library():
        raise SealUnavailable(
            "seal_pkcs11_unsupported",
            _("暂不支持 PKCS#11 硬件印章（YIMEN_SEAL_PKCS11_LIB）。请改用 PKCS#12 文件。"),
        )
    if conf.pkcs12_path():
        return _from_pkcs12(Path(conf.pkcs12_path()), conf.pkcs12_password())
    record = (
        Seal.objects.select_related("authority")
        .filter(retired_at__isnull=True, source=Seal.Source.EMBEDDED)
        .first()
    )
    if record is None:
        raise SealUnavailable(
            "no_seal",
            _("尚未配置行政审批专用章。请管理员运行 yimen seal-init 或配置 PKCS#12 印章。"),
        )
    # Decrypted every time, so a changed SECRET_KEY is told at once; parsed once.
    key = _parsed_key(decrypt(record.key_encrypted))
    sm2_key = decrypt(record.sm2_key_encrypted).decode() if record.sm2_key_encrypted else ""
    return LoadedSeal(
        record=record,
        private_key=key,
        certificate=_parsed_certificates(record.certificate_pem)[0],
        chain=_parsed_certificates(record.authority.certificate_pem),
        sm2_private_key=sm2_key,
    )


def _from_pkcs12(path: Path, password: str) -> LoadedSeal:
    try:
        key, certificate, others = _pkcs12_contents(path.read_bytes(), password.encode() or None)
    except (OSError, ValueError) as error:
        raise SealUnavailable(
            "seal_pkcs12_unreadable",
            _("无法读取印章文件 %(p)s（%(e)s）。请检查 YIMEN_SEAL_PKCS12 及其密码。")
            % {"p": path, "e": type(error).__name__},
        ) from None
    if key is None or certificate is None:
        raise SealUnavailable(
            "seal_pkcs12_incomplete", _("印章文件 %(p)s 中缺少私钥或证书。") % {"p": path}
        )
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise SealUnavailable(
            "seal_key_unsupported", _("印章密钥类型不受支持：仅支持 ECDSA 或 RSA 密钥。")
        )
    sm2_key = _sm2_key_from_file()
    record = _register_pkcs12(key, certificate, list(others), sm2_key)
    chain = _parsed_certificates(record.chain_pem + record.authority.certificate_pem)
    return LoadedSeal(record, key, certificate, chain, sm2_key)


@functools.lru_cache(maxsize=KEPT_SEALS)
def _pkcs12_contents(data: bytes, password: bytes | None):
    """The key and certificates of a PKCS#12 file, read from disk each time (a replaced file
    is a rotation) and parsed once per content."""
    key, certificate, others = pkcs12.load_key_and_certificates(data, password)
    return key, certificate, tuple(others)


def _sm2_key_from_file() -> str:
    path = conf.sm2_key_path()
    if not path:
        return ""
    try:
        key = Path(path).read_text().strip().lower()
        int(key, 16)
    except (OSError, ValueError):
        raise SealUnavailable(
            "seal_sm2_unreadable",
            _("无法读取 SM2 私钥文件 %(p)s（应为64位十六进制数）。") % {"p": path},
        ) from None
    return key


def _register_pkcs12(key, certificate, others: list, sm2_key: str) -> Seal:
    """The Seal row of this PKCS#12 seal; registering it the first time retires the last one."""
    found = fingerprint(certificate)
    sm2_public = sm2.public_key_of(sm2_key) if sm2_key else ""
    with transaction.atomic():
        record = Seal.objects.select_related("authority").filter(fingerprint=found).first()
        if record is None:
            root, intermediates = _split_chain(certificate, others)
            now = timezone.now()
            Seal.objects.filter(retired_at__isnull=True).update(retired_at=now)
            record = Seal.objects.create(
                authority=_authority_for(root, now),
                name=common_name(certificate),
                source=Seal.Source.PKCS12,
                algorithm=algorithm_name(key),
                certificate_pem=to_pem(certificate),
                chain_pem="".join(to_pem(c) for c in intermediates),
                fingerprint=found,
                sm2_public_key=sm2_public,
                active_from=now,
            )
        elif record.sm2_public_key != sm2_public:
            Seal.objects.filter(pk=record.pk).update(sm2_public_key=sm2_public)
            record.sm2_public_key = sm2_public
    return record


def _split_chain(certificate, others: list) -> tuple[x509.Certificate, list[x509.Certificate]]:
    """The self-signed root of the seal's chain, and the certificates between."""
    candidates = [*others, certificate]
    roots = [c for c in candidates if c.issuer == c.subject]
    if not roots:
        raise SealUnavailable(
            "seal_chain_incomplete",
            _("印章文件中没有根证书（CA）。请在 PKCS#12 文件中附上完整证书链。"),
        )
    return roots[0], [c for c in others if c is not roots[0]]


def _authority_for(root: x509.Certificate, now: dt.datetime) -> SealAuthority:
    authority, _created = SealAuthority.objects.get_or_create(
        fingerprint=fingerprint(root),
        defaults={
            "name": common_name(root),
            "certificate_pem": to_pem(root),
            "created_at": now,
        },
    )
    return authority
