"""The licences app's settings, each read from Django settings, else from the environment.

YIMEN_SEAL_ALGORITHM        ecdsa (default) or sm2: sm2 also keeps an SM2/SM3 signature of
                            every licence in the registry and signs QR payloads with SM2
YIMEN_SEAL_PKCS12           the seal as a PKCS#12 file (key, certificate and its CA chain);
                            unset: the embedded seal made by `yimen seal-init`
YIMEN_SEAL_PKCS12_PASSWORD  its password
YIMEN_SEAL_SM2_KEY          with a PKCS#12 seal in sm2 mode: a file holding the SM2 private
                            key as 64 hex digits
YIMEN_SEAL_PKCS11_LIB       a PKCS#11 token: not supported yet (refused with a clear error)
YIMEN_TSA_URL               an RFC 3161 timestamp authority: signatures become PAdES B-T
YIMEN_PUBLIC_URL            the address citizens reach the portal at; QR codes open
                            <YIMEN_PUBLIC_URL>/verify?p=... (default: the demo's address)
YIMEN_BUREAU_USCC           the bureau's unified social credit code, part of every e-licence
                            identifier
YIMEN_LICENCE_VALID_YEARS   how long a licence is valid unless the issuer says otherwise
"""

import os

from django.conf import settings

ECDSA, SM2 = "ecdsa", "sm2"
# The demo bureau's code (机关, area 220105); a deployment sets its own.
DEMO_BUREAU_USCC = "11220105013370285L"


def _setting(name: str, default: str = "") -> str:
    """The Django setting when set and not empty, else the environment, else `default`."""
    value = getattr(settings, name, None)
    if value in (None, ""):
        value = os.environ.get(name, default)
    return str(value).strip()


def seal_algorithm() -> str:
    return SM2 if _setting("YIMEN_SEAL_ALGORITHM", ECDSA).lower() == SM2 else ECDSA


def pkcs12_path() -> str:
    return _setting("YIMEN_SEAL_PKCS12")


def pkcs12_password() -> str:
    return _setting("YIMEN_SEAL_PKCS12_PASSWORD")


def sm2_key_path() -> str:
    return _setting("YIMEN_SEAL_SM2_KEY")


def pkcs11_library() -> str:
    return _setting("YIMEN_SEAL_PKCS11_LIB")


def tsa_url() -> str:
    return _setting("YIMEN_TSA_URL")


def public_url() -> str:
    return _setting("YIMEN_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")


def bureau_uscc() -> str:
    return _setting("YIMEN_BUREAU_USCC", DEMO_BUREAU_USCC)


def licence_valid_years() -> int:
    return int(_setting("YIMEN_LICENCE_VALID_YEARS", "5"))
