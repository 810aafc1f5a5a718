import pytest
from django.db import transaction
from django.test import override_settings

from tests.security import world as bureau


def sandbox_settings(tmp) -> dict:
    """Uploads and anchors under `tmp`, fast passwords, the demo SMS outbox, an embedded
    ECDSA seal: the settings the factories expect."""
    return {
        "MEDIA_ROOT": tmp / "media",
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        "YIMEN_SMS_BACKEND": "yimen.subjects.sms.OutboxBackend",
        "YIMEN_SEAL_ALGORITHM": "ecdsa",
        "YIMEN_SEAL_PKCS12": "",
        "YIMEN_SEAL_PKCS11_LIB": "",
        "YIMEN_TSA_URL": "",
        "YIMEN_PUBLIC_URL": "https://zwfw.example.cn",
        "YIMEN_AUDIT_ANCHOR_FILE": tmp / "audit-anchors.log",
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The bureau of `tests.security.world`, built once per module inside a transaction that
    is rolled back at the end; each test runs in a savepoint within it."""
    tmp = tmp_path_factory.mktemp("security")
    with override_settings(**sandbox_settings(tmp)), django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield bureau.build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
