"""Is this document the bureau's? From a PDF or a QR payload, to one of five answers.

- valid / revoked / expired: the file is byte for byte one the bureau sealed (its
  SHA-256 is in the record of seal uses), its PAdES signature covers the whole
  file and chains to one of the bureau's seal CAs (every rotation counts), and
  the registry says what became of the licence since;
- altered: it carries the bureau's seal or certificates, but its bytes are not
  what was issued (one changed byte is enough), or its QR signature does not hold;
- unknown: not issued by this bureau — signed by another key, not signed at all,
  or not a readable document.

Bad input never raises beyond an empty upload or an empty payload (InvalidInput):
every other file and payload gets one of the answers, with a reason code.
"""

import datetime as dt
import io
import logging
from dataclasses import dataclass
from functools import cached_property

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.db.models import TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from yimen.errors import InvalidInput
from yimen.licences import payload as payloads
from yimen.licences.models import DocumentKind, Licence, LicenceStatus, Seal, SealAuthority, SealUse
from yimen.licences.seal import certificates_from_pem, verify_compact
from yimen.licences.selectors import masked_name
from yimen.licences.signing import registry_signature_holds, sha256_hex

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class Verdict(TextChoices):
    VALID = "valid", gettext_lazy("有效")
    REVOKED = "revoked", gettext_lazy("已撤销")
    EXPIRED = "expired", gettext_lazy("已过期")
    UNKNOWN = "unknown", gettext_lazy("非本局签发")
    ALTERED = "altered", gettext_lazy("已被篡改")


@dataclass(frozen=True)
class Verification:
    status: str
    reason: str
    message: str
    licence: Licence | None = None
    use: SealUse | None = None
    signed_at: dt.datetime | None = None
    timestamped_at: dt.datetime | None = None

    @property
    def label(self) -> str:
        return Verdict(self.status).label

    def facts(self) -> dict:
        """What anyone may learn from a check: the holder's name masked, no ID number."""
        facts = {
            "status": str(self.status),
            "label": str(self.label),
            "reason": self.reason,
            "message": self.message,
            "issuer": str(settings.YIMEN_BUREAU_NAME),
            "demo_seal": Seal.objects.filter(retired_at__isnull=True, is_demo=True).exists(),
            "signed_at": self.signed_at,
            "timestamped_at": self.timestamped_at,
        }
        if self.use is not None and self.licence is None:
            facts |= {"document": self.use.get_kind_display(), "case_no": self.use.case_ref}
        if self.licence is not None:
            licence = self.licence
            facts |= {
                "number": licence.number,
                "identifier": licence.identifier,
                "title": licence.title,
                "item_name": licence.item_version.name,
                "holder": masked_name(licence.holder),
                "valid_from": licence.valid_from,
                "valid_until": licence.valid_until,
                "issued_on": timezone.localdate(licence.issued_at),
                "revoked_on": timezone.localdate(licence.revoked_at)
                if licence.revoked_at
                else None,
            }
        return facts


@dataclass(frozen=True)
class SignatureCheck:
    """What the file's signature says on its own, before the registry is asked."""

    readable: bool = False
    present: bool = False
    seal: Seal | None = None
    sound: bool = False
    signed_at: dt.datetime | None = None
    timestamped_at: dt.datetime | None = None


class _BureauTrust:
    """The bureau's seals and seal CAs, every rotation included."""

    @cached_property
    def seals(self) -> dict[str, Seal]:
        return {s.fingerprint: s for s in Seal.objects.select_related("authority")}

    @cached_property
    def authorities(self) -> list[x509.Certificate]:
        return [
            certificate
            for authority in SealAuthority.objects.all()
            for certificate in certificates_from_pem(authority.certificate_pem)
        ]

    @cached_property
    def roots(self) -> list[asn1_x509.Certificate]:
        return [asn1_x509.Certificate.load(_der(c)) for c in self.authorities]

    @cached_property
    def certificate_hex(self) -> list[bytes]:
        """Every seal and CA certificate as it appears in a signature's hex /Contents."""
        seals = [c for s in self.seals.values() for c in certificates_from_pem(s.certificate_pem)]
        return [_der(c).hex().encode() for c in seals + self.authorities]


def _der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


# --- PDFs ------------------------------------------------------------------------------


def verify_pdf(data: bytes, *, today: dt.date | None = None) -> Verification:
    if not data:
        raise InvalidInput(
            "empty_file", _("上传的文件是空的，请选择要查验的 PDF 文件。"), field="file"
        )
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput("file_too_large", _("文件不能超过20MB。"), field="file")
    today = today or timezone.localdate()
    trust = _BureauTrust()
    use = SealUse.objects.select_related("seal").filter(sha256=sha256_hex(data)).first()
    check = _check_signature(data, trust, registered=use is not None)
    if use is not None and check.sound and check.seal == use.seal:
        return _registered(use, check, today)
    if check.seal is not None or _carries_bureau_certificates(data, trust):
        return Verification(
            Verdict.ALTERED,
            "modified",
            _("文件带有本局印章，但内容与本局签发的原件不一致：文件已被改动。"),
        )
    if check.present:
        return Verification(
            Verdict.UNKNOWN,
            "foreign_signature",
            _("文件的电子签名不是本局行政审批专用章所签，不是本局签发的文书。"),
        )
    if check.readable:
        return Verification(
            Verdict.UNKNOWN, "unsigned", _("文件没有电子印章签名，不是本局签发的电子文书。")
        )
    return Verification(
        Verdict.UNKNOWN, "unreadable", _("无法读取该文件：它不是完整有效的 PDF 文件。")
    )


def _check_signature(data: bytes, trust: _BureauTrust, *, registered: bool) -> SignatureCheck:
    """A file the bureau sealed byte for byte is judged at the time it was sealed (which the
    signature states), so it stays valid after its seal certificate expires; any other
    file is judged now."""
    try:
        signatures = PdfFileReader(io.BytesIO(data)).embedded_signatures
    except Exception as error:  # pyHanko reports malformed files with many exception types
        logger.info("Unreadable PDF at verification: %s", type(error).__name__)
        return SignatureCheck()
    ours = [s for s in signatures if _fingerprint_of(s) in trust.seals]
    if not ours:
        return SignatureCheck(readable=True, present=bool(signatures))
    embedded = ours[0]
    seal = trust.seals[_fingerprint_of(embedded)]
    try:
        moment = embedded.self_reported_timestamp if registered else None
        status = validate_pdf_signature(
            embedded,
            ValidationContext(trust_roots=trust.roots, allow_fetching=False, moment=moment),
        )
    except Exception as error:  # a damaged signature container
        logger.info("Bureau signature unreadable at verification: %s", type(error).__name__)
        return SignatureCheck(readable=True, present=True, seal=seal)
    timestamp = status.timestamp_validity
    return SignatureCheck(
        readable=True,
        present=True,
        seal=seal,
        sound=bool(
            len(signatures) == 1
            and status.intact
            and status.valid
            and status.trusted
            and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        ),
        signed_at=status.signer_reported_dt,
        timestamped_at=timestamp.timestamp if timestamp and timestamp.intact else None,
    )


def _fingerprint_of(embedded) -> str | None:
    try:
        return embedded.signer_cert.sha256.hex()
    except Exception:  # no or damaged certificate in the signature
        return None


def _carries_bureau_certificates(data: bytes, trust: _BureauTrust) -> bool:
    """A seal or CA certificate of the bureau in the file, even when it no longer parses."""
    lowered = data.lower()
    return any(certificate in lowered for certificate in trust.certificate_hex)


def _registered(use: SealUse, check: SignatureCheck, today: dt.date) -> Verification:
    timing = {"use": use, "signed_at": check.signed_at, "timestamped_at": check.timestamped_at}
    if use.kind != DocumentKind.LICENCE:
        return Verification(
            Verdict.VALID,
            "sealed_document",
            _("这是本局加盖行政审批专用章的%(k)s（办件 %(c)s），文件完整未被改动。")
            % {"k": use.get_kind_display(), "c": use.case_ref or "-"},
            **timing,
        )
    licence = (
        Licence.objects.select_related("holder", "item_version", "seal")
        .filter(sha256=use.sha256)
        .first()
    )
    if licence is None:
        return Verification(
            Verdict.UNKNOWN, "not_registered", _("证照库中没有这份证照的登记记录。"), **timing
        )
    if licence.sm2_signature and not registry_signature_holds(
        use.seal.sm2_public_key, licence.sha256, licence.sm2_signature
    ):
        return Verification(
            Verdict.ALTERED,
            "registry_signature_invalid",
            _("证照库中的国密（SM2）签名与文件不符，该证照记录可能被篡改。"),
            licence,
            **timing,
        )
    return licence_verdict(licence, today, **timing)


def _registry():
    return Licence.objects.select_related("holder", "item_version", "seal")


def licence_verdict(licence: Licence, today: dt.date, **extra) -> Verification:
    """What the registry says of a licence known to be genuine."""
    status = licence.status_on(today)
    if status == LicenceStatus.REVOKED:
        message = _("该证照已于 %(d)s 被撤销，不再有效。") % {
            "d": timezone.localdate(licence.revoked_at).isoformat()
        }
        return Verification(Verdict.REVOKED, "revoked", message, licence, **extra)
    if status == LicenceStatus.EXPIRED:
        message = _("该证照已于 %(d)s 到期，不再有效。") % {"d": licence.valid_until.isoformat()}
        return Verification(Verdict.EXPIRED, "expired", message, licence, **extra)
    return Verification(
        Verdict.VALID,
        "registered",
        _("该证照由本局签发，真实有效，内容未被改动。"),
        licence,
        **extra,
    )


# --- QR payloads -----------------------------------------------------------------------


def verify_payload(text: str, *, today: dt.date | None = None) -> Verification:
    raw = payloads.extract(text)
    if not raw:
        raise InvalidInput(
            "payload_required", _("请扫描证照上的二维码，或粘贴二维码的内容。"), field="payload"
        )
    today = today or timezone.localdate()
    try:
        parsed = payloads.parse(raw)
    except payloads.MalformedPayload:
        return Verification(
            Verdict.UNKNOWN,
            "malformed_payload",
            _("二维码内容不完整或格式不对，不是本局证照的二维码。请重新扫描。"),
        )
    claims = parsed.claims
    seal = _seal_by_key_id(claims.key_id)
    if seal is None:
        return Verification(
            Verdict.UNKNOWN, "unknown_seal", _("二维码不是本局行政审批专用章签发的。")
        )
    if not verify_compact(seal, claims.algorithm, parsed.signed_part, parsed.signature):
        return Verification(
            Verdict.ALTERED,
            "bad_signature",
            _("二维码的印章签名不符：其内容被改动过，或是伪造的。"),
        )
    licence = (
        Licence.objects.select_related("holder", "item_version", "seal")
        .filter(number=claims.number)
        .first()
    )
    if licence is None:
        return Verification(
            Verdict.UNKNOWN,
            "not_registered",
            _("证照库中没有编号为 %(n)s 的证照。") % {"n": claims.number},
        )
    if not _claims_match(licence, claims):
        return Verification(
            Verdict.ALTERED,
            "registry_mismatch",
            _("二维码中的信息与证照库的登记不一致。"),
            licence,
        )
    return licence_verdict(licence, today)


def _seal_by_key_id(key_id: str) -> Seal | None:
    if len(key_id) != payloads.KEY_ID_DIGITS or any(c not in "0123456789abcdef" for c in key_id):
        return None
    return Seal.objects.filter(fingerprint__startswith=key_id).first()


def _claims_match(licence: Licence, claims: payloads.Claims) -> bool:
    return (
        claims.identifier == licence.identifier
        and claims.holder_hash == payloads.holder_hash(licence.number, licence.holder.code)
        and claims.valid_from == licence.valid_from
        and claims.valid_until == licence.valid_until
    )
