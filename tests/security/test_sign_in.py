"""Signing in: staff enter a TOTP code after their password (enrolling an authenticator the
first time), citizens do not; too many failures lock a username out at one address; sessions
end; the admin site signs in the same way; passwords are hashed with Argon2."""

import datetime as dt
import json
import os
import re
import subprocess
import sys

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import subjects as people
from yimen import settings as configured
from yimen.catalog.models import Role
from yimen.oversight.models.audit import AuditEntry
from yimen.subjects import selectors
from yimen.subjects.models import Account

pytestmark = pytest.mark.django_db
PASSWORD = people.PASSWORD
LOCKED = "登录已暂时锁定"


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    """The sandbox of the factories, but signing in as the settings configure it (lockout
    included), with the second factor on as outside demo mode."""
    people.sandbox(settings, tmp_path)
    settings.AUTHENTICATION_BACKENDS = configured.AUTHENTICATION_BACKENDS
    settings.YIMEN_STAFF_SECOND_FACTOR = True


def password_step(client: Client, login: str, password: str = PASSWORD, **extra):
    data = {"action": "password", "login": login, "password": password, "next": "/accounts/"}
    return client.post("/accounts/login/", data, **extra)


def current_code(account: Account) -> str:
    device = TOTPDevice.objects.get(user=account)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def enrolled(client: Client, account: Account) -> None:
    """Password, then the enrolment page, then the first code."""
    assert password_step(client, account.username).url == "/accounts/second-factor/"
    client.get("/accounts/second-factor/")
    assert client.post("/accounts/second-factor/", {"otp_token": current_code(account)}).url == (
        "/accounts/"
    )


def audit(kind: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(kind=kind))


def test_a_new_staff_member_enrols_an_authenticator_then_signs_in_with_its_code():
    clerk = people.staff(Role.CLERK)
    client = Client()

    response = password_step(client, clerk.username)
    assert response.status_code == 302 and response.url == "/accounts/second-factor/"
    assert client.get("/api/v1/me").status_code == 401  # not signed in yet

    page = client.get("/accounts/second-factor/").content.decode()
    device = TOTPDevice.objects.get(user=clerk, confirmed=False)
    assert "绑定身份验证器" in page and "<svg" in page
    assert "otpauth://totp/" in page and "secret=" in page and "issuer=" in page
    # A reload shows the same secret: what was scanned stays valid.
    client.get("/accounts/second-factor/")
    assert TOTPDevice.objects.get(user=clerk).key == device.key

    wrong = client.post("/accounts/second-factor/", {"otp_token": "000000"})
    assert wrong.status_code == 422
    assert "验证码不正确" in wrong.content.decode()
    assert client.get("/api/v1/me").status_code == 401
    assert [e.object_ref for e in audit("sign_in_failed")] == [f"account:{clerk.pk}"]

    right = client.post("/accounts/second-factor/", {"otp_token": current_code(clerk)})
    assert right.status_code == 302 and right.url == "/accounts/"
    assert client.get("/api/v1/me").json()["id"] == clerk.pk
    assert TOTPDevice.objects.get(user=clerk).confirmed
    assert "otp_device_id" in client.session
    assert [e.actor for e in audit("staff_sign_in")] == [f"account:{clerk.pk}"]


def test_an_enrolled_staff_member_is_asked_for_the_code_and_a_used_code_fails():
    approver = people.staff(Role.APPROVER)
    enrolled(Client(), approver)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        client = Client()
        password_step(client, approver.username)
        page = client.get("/accounts/second-factor/").content.decode()
        assert "绑定身份验证器" not in page and "otpauth://" not in page
        code = current_code(approver)
        assert client.post("/accounts/second-factor/", {"otp_token": code}).status_code == 302

        again = Client()
        password_step(again, approver.username)
        replayed = again.post("/accounts/second-factor/", {"otp_token": code})
        assert replayed.status_code == 422 and "已使用过" in replayed.content.decode()


def test_a_code_that_is_not_six_digits_is_told_apart():
    clerk = people.staff(Role.CLERK)
    client = Client()
    password_step(client, clerk.username)
    response = client.post("/accounts/second-factor/", {"otp_token": "12ab"})
    assert response.status_code == 422 and "6位数字" in response.content.decode()
    assert not audit("sign_in_failed")


def test_a_staff_member_signing_in_by_sms_code_is_asked_for_the_second_factor_too():
    clerk = people.staff(Role.CLERK)
    client = Client()
    client.post("/accounts/login/", {"action": "send_code", "phone": clerk.phone})
    code = re.search(r"\d{6}", selectors.sms_outbox()[0].text).group()
    response = client.post(
        "/accounts/login/", {"action": "code", "phone": clerk.phone, "code": code}
    )
    assert response.url == "/accounts/second-factor/"
    assert client.get("/api/v1/me").status_code == 401


def test_citizens_sign_in_with_their_password_alone():
    citizen, _person = people.citizen()
    client = Client()
    response = password_step(client, citizen.phone)
    assert response.status_code == 302 and response.url == "/accounts/"
    assert client.get("/api/v1/me").json()["id"] == citizen.pk
    assert not TOTPDevice.objects.exists()


def test_the_second_factor_page_needs_a_fresh_password_first():
    clerk = people.staff(Role.CLERK)
    client = Client()
    assert client.get("/accounts/second-factor/").url == "/accounts/login/"
    password_step(client, clerk.username)
    client.get("/accounts/second-factor/")
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=6)):
        late = client.post("/accounts/second-factor/", {"otp_token": current_code(clerk)})
        assert late.url == "/accounts/login/"
        assert client.get("/api/v1/me").status_code == 401


def test_in_demo_mode_staff_sign_in_without_a_second_factor_and_every_page_says_so(settings):
    settings.YIMEN_STAFF_SECOND_FACTOR = False
    clerk = people.staff(Role.CLERK)
    citizen, _person = people.citizen()
    staff_client, citizen_client = Client(), Client()

    assert password_step(staff_client, clerk.username).url == "/accounts/"
    assert password_step(citizen_client, citizen.phone).url == "/accounts/"
    assert "演示模式：未启用第二重验证" in staff_client.get("/accounts/").content.decode()
    assert "演示模式" not in citizen_client.get("/accounts/").content.decode()
    assert not TOTPDevice.objects.exists()


def test_outside_demo_mode_no_banner_is_shown_to_staff():
    clerk = people.staff(Role.CLERK)
    client = Client()
    enrolled(client, clerk)
    assert "演示模式" not in client.get("/accounts/").content.decode()


def test_the_admin_site_signs_in_through_the_portal_and_its_second_factor():
    catalog_admin = people.staff(Role.CATALOG_ADMIN)
    client = Client()
    response = client.get("/admin/")
    assert response.status_code == 302
    response = client.get(response.url)
    assert response.status_code == 302 and response.url == "/accounts/login/?next=/admin/"

    data = {"action": "password", "login": catalog_admin.username, "password": PASSWORD}
    client.post("/accounts/login/", {**data, "next": "/admin/"})
    client.get("/accounts/second-factor/")
    done = client.post("/accounts/second-factor/", {"otp_token": current_code(catalog_admin)})
    assert done.url == "/admin/"
    assert client.get("/admin/").status_code == 200


# --- lockout ------------------------------------------------------------------------------


def test_five_failures_lock_a_username_at_one_address_for_fifteen_minutes():
    citizen, _person = people.citizen()
    client = Client()
    for attempt in range(4):
        assert password_step(client, citizen.phone, "wrong").status_code == 422, attempt
    # However the phone is spelt, it is the same username.
    fifth = password_step(client, f"+86 {citizen.phone[:3]} {citizen.phone[3:]}", "wrong")
    assert fifth.status_code == 429 and LOCKED in fifth.content.decode()
    assert "15 分钟" in fifth.content.decode()

    right = password_step(client, citizen.phone)
    assert right.status_code == 429 and LOCKED in right.content.decode()
    assert client.get("/api/v1/me").status_code == 401

    elsewhere = Client(REMOTE_ADDR="10.0.0.8")
    assert password_step(elsewhere, citizen.phone).status_code == 302

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        assert password_step(client, citizen.phone).status_code == 302
    assert AccessAttempt.objects.count() == 0  # a success clears the failures


def test_wrong_second_factor_codes_count_towards_the_lockout():
    clerk = people.staff(Role.CLERK)
    client = Client()
    password_step(client, clerk.username)
    for _attempt in range(4):
        assert client.post("/accounts/second-factor/", {"otp_token": "000000"}).status_code in (
            422,
            429,
        )
    fifth = client.post("/accounts/second-factor/", {"otp_token": "000001"})
    assert fifth.status_code == 429 and LOCKED in fifth.content.decode()
    # The half-done sign-in is gone, and the password is refused while locked out.
    assert client.get("/accounts/second-factor/").url == "/accounts/login/"
    assert password_step(client, clerk.username).status_code == 429


# --- sessions and passwords ---------------------------------------------------------------


def test_a_session_ends_with_the_browser_and_after_one_working_day():
    citizen, _person = people.citizen()
    client = Client()
    response = password_step(client, citizen.phone)
    cookie = response.cookies["sessionid"]
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    with time_machine.travel(timezone.now() + dt.timedelta(hours=7, minutes=59)):
        assert client.get("/api/v1/me").status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(hours=8, minutes=1)):
        assert client.get("/api/v1/me").status_code == 401


def test_passwords_are_hashed_with_argon2_and_older_hashes_upgraded_on_sign_in(settings):
    settings.PASSWORD_HASHERS = configured.PASSWORD_HASHERS  # not the sandbox's fast one
    assert make_password("一门-demo-pass").startswith("argon2$argon2id$")
    citizen, _person = people.citizen()
    Account.objects.filter(pk=citizen.pk).update(
        password=make_password(PASSWORD, hasher="pbkdf2_sha256")
    )
    assert password_step(Client(), citizen.phone).status_code == 302
    citizen.refresh_from_db()
    assert citizen.password.startswith("argon2$")


def settings_under(environment: dict, tmp_path) -> dict:
    """The security settings as a fresh process with `environment` reads them."""
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_HTTPONLY",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "YIMEN_STAFF_SECOND_FACTOR",
    ]
    code = (
        "import json; from yimen import settings as s; "
        f"print(json.dumps({{k: getattr(s, k) for k in {names!r}}}))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("YIMEN_")}
    env.update(YIMEN_DATA_DIR=str(tmp_path), **environment)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_cookies_are_secure_and_hsts_is_on_behind_https_but_the_http_demo_still_works(tmp_path):
    https = settings_under({"YIMEN_HTTPS": "1", "YIMEN_DEMO": "0"}, tmp_path)
    assert https == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 365 * 24 * 3600,
        "YIMEN_STAFF_SECOND_FACTOR": True,
    }
    demo = settings_under({"YIMEN_DEMO": "1"}, tmp_path)
    assert demo == {
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "CSRF_COOKIE_HTTPONLY": True,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "YIMEN_STAFF_SECOND_FACTOR": False,
    }
