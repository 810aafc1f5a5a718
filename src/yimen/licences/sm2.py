"""SM2 signatures with SM3 (GB/T 32918, GB/T 32905) through gmssl, for national-crypto deployments.

Keys are hex strings: the private key is 64 hex digits, the public key is the
point as x‖y (128 hex digits, no `04` prefix). Signatures are r‖s (128 hex digits)
over SM3(Z‖M) with the default user ID 1234567812345678.

Two gmssl 3.2.2 traps are worked around here:
- `CryptSM2(public_key=...)` runs `lstrip("04")`, which strips every leading `0`
  and `4` digit, so a key whose x starts with 0 or 4 is silently truncated. The
  public key is set on the object after construction instead.
- its nonce comes from `random.choice`; ours comes from `secrets`.
"""

import secrets

from gmssl import sm2

CURVE = sm2.default_ecc_table
ORDER = int(CURVE["n"], 16)
HEX_DIGITS = 64


def generate_private_key() -> str:
    return _scalar_hex(secrets.randbelow(ORDER - 1) + 1)


def public_key_of(private_key: str) -> str:
    """x‖y of d·G for the private key d."""
    return _crypt(private_key, "")._kg(int(private_key, 16), CURVE["g"])


def sign(private_key: str, message: bytes) -> str:
    """The r‖s signature of `message`."""
    crypt = _crypt(private_key, public_key_of(private_key))
    while True:
        nonce = _scalar_hex(secrets.randbelow(ORDER - 1) + 1)
        signature = crypt.sign_with_sm3(message, nonce)
        if signature:  # gmssl gives None for the rare nonce that yields r = 0 or s = 0
            return signature


def verify(public_key: str, message: bytes, signature: str) -> bool:
    """Whether `signature` (r‖s hex) is the public key's signature of `message`."""
    try:
        r, s = int(signature[:HEX_DIGITS], 16), int(signature[HEX_DIGITS:], 16)
        point = bytes.fromhex(public_key)
    except ValueError:
        return False
    if len(signature) != 2 * HEX_DIGITS or len(point) != HEX_DIGITS:
        return False
    if not (0 < r < ORDER and 0 < s < ORDER):
        return False
    try:
        return bool(_crypt("", public_key.lower()).verify_with_sm3(signature, message))
    except (ValueError, TypeError):  # a point off the curve
        return False


def _crypt(private_key: str, public_key: str) -> sm2.CryptSM2:
    crypt = sm2.CryptSM2(private_key=private_key, public_key="")
    crypt.public_key = public_key  # not through the constructor: see the module docstring
    return crypt


def _scalar_hex(value: int) -> str:
    return f"{value:0{HEX_DIGITS}x}"
