"""Resident IDs at rest: sealed with AES-256-GCM, found again through a keyed hash.

`seal` encrypts (a fresh random nonce each time, so equal IDs give different
text); `unseal` decrypts; `lookup_digest` is an HMAC-SHA256 that is equal for
equal IDs, so a query can find a subject without decrypting every row.

The key is `YIMEN_FIELD_KEY` (32 bytes, base64). Without it the keys are
derived from SECRET_KEY with HKDF: fine for a trial, not for production,
where losing or changing SECRET_KEY would make every sealed ID unreadable.
The sealing key and the lookup key are derived separately from that one key.
"""

import base64
import binascii
import functools
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Sealed text starts with its format version, so keys or formats can change later.
PREFIX = "g1:"
NONCE_BYTES = 12
# Binds the ciphertext to its use: a sealed ID cannot pass for another sealed field.
ASSOCIATED_DATA = b"yimen.subjects.code"


class UnsealError(ValueError):
    """The text is not a sealed value this installation's key opens."""


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


def _master_key(field_key: str, secret_key: str) -> bytes:
    if not field_key:
        return _derive(secret_key.encode(), b"yimen field key from SECRET_KEY")
    try:
        key = base64.b64decode(field_key, validate=True)
    except binascii.Error:
        key = b""
    if len(key) != 32:
        raise ImproperlyConfigured("YIMEN_FIELD_KEY must be 32 random bytes, base64-encoded.")
    return key


@functools.cache
def _keys(field_key: str, secret_key: str) -> tuple[AESGCM, bytes]:
    master = _master_key(field_key, secret_key)
    return AESGCM(_derive(master, b"yimen seal")), _derive(master, b"yimen lookup")


def _current_keys() -> tuple[AESGCM, bytes]:
    return _keys(getattr(settings, "YIMEN_FIELD_KEY", ""), settings.SECRET_KEY)


def key_check() -> str:
    """A fingerprint of the key in use (not the key): whether values sealed elsewhere, say
    in a backup, open here."""
    master = _master_key(getattr(settings, "YIMEN_FIELD_KEY", ""), settings.SECRET_KEY)
    return _derive(master, b"yimen key check").hex()[:16]


def seal(plain: str) -> str:
    cipher, _lookup = _current_keys()
    nonce = os.urandom(NONCE_BYTES)
    sealed = cipher.encrypt(nonce, plain.encode(), ASSOCIATED_DATA)
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(text: str) -> str:
    if not text.startswith(PREFIX):
        raise UnsealError("not a sealed value")
    cipher, _lookup = _current_keys()
    try:
        raw = base64.urlsafe_b64decode(text[len(PREFIX) :])
        return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], ASSOCIATED_DATA).decode()
    except (binascii.Error, InvalidTag, ValueError) as error:
        raise UnsealError("the key does not open this value") from error


def lookup_digest(plain: str) -> str:
    _cipher, lookup = _current_keys()
    return hmac.new(lookup, plain.encode(), hashlib.sha256).hexdigest()
