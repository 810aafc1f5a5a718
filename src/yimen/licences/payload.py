"""The QR payload printed on every licence: its facts, signed by the seal, checkable offline.

    <base64url(JSON claims)>.<base64url(signature)>

The signature is over the ASCII of the first part, by the seal's key: ES256
(ECDSA P-256 with SHA-256, r‖s), RS256 for an RSA seal, or SM2 (SM2 with SM3, r‖s)
in sm2 mode. The claims (docs/licences.md has the full format):

    v    format version (1)          n    licence number
    id   GB/T 36904 identifier       h    holder hash (below)
    vf   valid from (YYYY-MM-DD)     vu   valid until, "" for long-term
    iat  sealed at (Unix seconds)    k    first 16 hex digits of the seal certificate's
    a    ES256 | RS256 | SM2              SHA-256 fingerprint: which seal signed it

The holder is named only by a hash, so the code reveals no ID number:
h = base64url(SHA-256("<number>:<holder ID or USCC>")[:16]). Someone holding the
holder's ID card can recompute it; salting with the number means one table of
hashes does not serve every licence.
"""

import base64
import binascii
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from yimen.licences import conf
from yimen.licences.seal import LoadedSeal

VERSION = 1
HOLDER_HASH_BYTES = 16
KEY_ID_DIGITS = 16
MAX_LENGTH = 2000


class MalformedPayload(ValueError):
    """Not a payload this bureau makes: cut short, mistyped, or something else entirely."""


@dataclass(frozen=True)
class Claims:
    number: str
    identifier: str
    holder_hash: str
    valid_from: dt.date
    valid_until: dt.date | None
    issued_at: dt.datetime
    key_id: str
    algorithm: str


@dataclass(frozen=True)
class Payload:
    claims: Claims
    signed_part: bytes
    signature: bytes


def holder_hash(number: str, holder_code: str) -> str:
    digest = hashlib.sha256(f"{number}:{holder_code.strip().upper()}".encode()).digest()
    return _encode(digest[:HOLDER_HASH_BYTES])


def make(claims: Claims, seal: LoadedSeal) -> str:
    body = {
        "v": VERSION,
        "n": claims.number,
        "id": claims.identifier,
        "h": claims.holder_hash,
        "vf": claims.valid_from.isoformat(),
        "vu": claims.valid_until.isoformat() if claims.valid_until else "",
        "iat": int(claims.issued_at.timestamp()),
        "k": claims.key_id,
        "a": claims.algorithm,
    }
    signed_part = _encode(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
    signature = seal.sign(signed_part.encode(), claims.algorithm)
    return f"{signed_part}.{_encode(signature)}"


def verify_url(payload: str) -> str:
    """What the QR code holds: the public verify page with the payload."""
    return f"{conf.public_url()}/verify?p={payload}"


def extract(text: str) -> str:
    """The payload in what a scanner gives: the verify URL, or the payload itself."""
    text = (text or "").strip()
    if "?" in text or "://" in text:
        found = parse_qs(urlsplit(text).query).get("p")
        return found[0].strip() if found else ""
    return text


def parse(payload: str) -> Payload:
    """The claims and signature, or MalformedPayload. Says nothing yet about the signature."""
    if not payload or len(payload) > MAX_LENGTH or payload.count(".") != 1:
        raise MalformedPayload("shape")
    signed_part, signature = payload.split(".")
    try:
        body = json.loads(_decode(signed_part))
        if body["v"] != VERSION:
            raise MalformedPayload("version")
        claims = Claims(
            number=_text(body["n"]),
            identifier=_text(body["id"]),
            holder_hash=_text(body["h"]),
            valid_from=dt.date.fromisoformat(body["vf"]),
            valid_until=dt.date.fromisoformat(body["vu"]) if body["vu"] else None,
            issued_at=dt.datetime.fromtimestamp(int(body["iat"]), tz=dt.UTC),
            key_id=_text(body["k"]),
            algorithm=_text(body["a"]),
        )
        return Payload(claims, signed_part.encode(), _decode(signature))
    except MalformedPayload:
        raise
    except (ValueError, TypeError, KeyError, OverflowError, binascii.Error) as error:
        raise MalformedPayload(type(error).__name__) from None


def _text(value) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _decode(text: str) -> bytes:
    if not text or any(c not in _ALPHABET for c in text):
        raise binascii.Error(text[:10])
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
