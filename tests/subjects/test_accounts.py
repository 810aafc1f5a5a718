"""Signing in by phone and password or by SMS code, and personal access tokens."""

import datetime as dt
import re
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.factories import subjects as make
from yimen.errors import IllegalAction, InvalidInput, PermissionDenied
from yimen.subjects import selectors, services
from yimen.subjects.errors import RateLimited
from yimen.subjects.models import Account, SmsMessage

pytestmark = pytest.mark.django_db


def code_from_outbox(phone: str) -> str:
    text = SmsMessage.objects.filter(phone=phone).latest("sent_at").text
    return re.search(r"验证码为 (\d{6})", text).group(1)


@pytest.mark.parametrize("login", ["13904310001", "139 0431 0001", "+86 139-0431-0001"])
def test_citizens_sign_in_with_their_phone_and_password(login):
    citizen = make.account("zhang", phone="13904310001")
    assert authenticate(None, username=login, password=make.PASSWORD) == citizen
    assert authenticate(None, username=login, password="wrong-password") is None


def test_staff_sign_in_with_their_username():
    clerk = make.staff()
    assert authenticate(None, username=clerk.username, password=make.PASSWORD) == clerk
    assert authenticate(None, username="nobody", password=make.PASSWORD) is None


def test_a_disabled_account_cannot_sign_in():
    citizen = make.account(phone="13904310001")
    Account.objects.filter(pk=citizen.pk).update(is_active=False)
    assert authenticate(None, username="13904310001", password=make.PASSWORD) is None


def test_a_code_from_the_outbox_signs_in_once():
    citizen = make.account(phone="13904310001")
    services.otp_send(phone="139-0431-0001")
    code = code_from_outbox("13904310001")
    assert authenticate(None, phone="13904310001", code=code) == citizen
    with pytest.raises(InvalidInput) as excinfo:
        services.otp_sign_in(phone="13904310001", code=code)
    assert excinfo.value.code == "otp_missing"


def test_the_first_sign_in_by_code_creates_the_account():
    services.otp_send(phone="13604310004")
    account = services.otp_sign_in(phone="13604310004", code=code_from_outbox("13604310004"))
    assert (account.username, account.phone, account.has_usable_password()) == (
        "13604310004",
        "13604310004",
        False,
    )


def test_a_wrong_code_is_refused_and_counted_until_the_code_dies():
    services.otp_send(phone="13904310001")
    code = code_from_outbox("13904310001")
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _attempt in range(services.OTP_MAX_ATTEMPTS):
        with pytest.raises(InvalidInput) as excinfo:
            services.otp_sign_in(phone="13904310001", code=wrong)
        assert (excinfo.value.code, excinfo.value.message) == (
            "otp_invalid",
            "验证码不正确，请核对短信。",
        )
    with pytest.raises(InvalidInput) as excinfo:
        services.otp_sign_in(phone="13904310001", code=code)
    assert (excinfo.value.code, excinfo.value.message) == (
        "otp_locked",
        "验证码错误次数过多，请重新获取。",
    )
    assert not Account.objects.exists()


def test_an_expired_code_is_refused():
    services.otp_send(phone="13904310001")
    code = code_from_outbox("13904310001")
    with time_machine.travel(timezone.now() + services.OTP_TTL + dt.timedelta(seconds=1)):
        with pytest.raises(InvalidInput) as excinfo:
            services.otp_sign_in(phone="13904310001", code=code)
        assert authenticate(None, phone="13904310001", code=code) is None
    assert excinfo.value.message == "验证码已过期，请重新获取。"


def test_a_code_is_sent_once_a_minute_at_most():
    services.otp_send(phone="13904310001")
    with pytest.raises(RateLimited) as excinfo:
        services.otp_send(phone="13904310001")
    assert excinfo.value.status == 429
    assert re.fullmatch(r"验证码已发送，请 \d+ 秒后再获取。", excinfo.value.message)
    with time_machine.travel(timezone.now() + services.OTP_RESEND_AFTER):
        services.otp_send(phone="13904310001")
    assert SmsMessage.objects.count() == 2


def test_a_token_authenticates_until_revoked():
    citizen = make.account()
    token, raw = services.token_create(account=citizen, name="数据对接")
    assert raw.startswith("ym_") and token.prefix == raw[:10]
    assert token.key_hash != raw and raw not in token.key_hash
    assert services.token_authenticate(raw) == citizen
    services.token_revoke(actor=citizen, token=token)
    assert services.token_authenticate(raw) is None
    assert services.token_authenticate(raw[:-1]) is None


def test_a_token_records_its_last_use_to_the_minute():
    token, raw = services.token_create(account=make.account(), name="数据对接")
    first_use = dt.datetime(2026, 11, 25, 9, 0, 0, tzinfo=dt.UTC)
    with time_machine.travel(first_use, tick=False):
        services.token_authenticate(raw)
    with time_machine.travel(first_use + dt.timedelta(seconds=59), tick=False):
        services.token_authenticate(raw)
    token.refresh_from_db()
    assert token.last_used_at == first_use
    with time_machine.travel(first_use + dt.timedelta(minutes=1), tick=False):
        services.token_authenticate(raw)
    token.refresh_from_db()
    assert token.last_used_at == first_use + dt.timedelta(minutes=1)


def test_only_the_owner_revokes_a_token():
    token, _raw = services.token_create(account=make.account(), name="对接")
    with pytest.raises(PermissionDenied):
        services.token_revoke(actor=make.account(), token=token)


def test_a_token_needs_a_name():
    with pytest.raises(InvalidInput) as excinfo:
        services.token_create(account=make.account(), name="  ")
    assert excinfo.value.message == "请填写令牌用途，例如“数据对接”。"


def test_token_create_command_prints_a_working_token():
    citizen = make.account(phone="13904310001")
    out = StringIO()
    call_command("token-create", "13904310001", "--name", "脚本", stdout=out)
    raw = out.getvalue().strip()
    assert services.token_authenticate(raw) == citizen
    assert selectors.tokens_of(citizen).get().name == "脚本"
    with pytest.raises(CommandError, match="账号“nobody”不存在。"):
        call_command("token-create", "nobody", stdout=StringIO())


def test_a_clerk_links_a_checked_person_to_an_account():
    clerk, citizen, grandma = make.staff(), make.account(), make.person()
    linked = services.person_link_account(actor=clerk, person=grandma, account=citizen)
    citizen.refresh_from_db()
    assert (linked.account, citizen.name) == (citizen, "张桂兰")
    with pytest.raises(PermissionDenied):
        services.person_link_account(actor=citizen, person=make.person("李建国"), account=citizen)


def test_without_an_sms_gateway_outside_demo_mode_codes_are_not_offered(settings):
    settings.YIMEN_SMS_BACKEND = ""
    with pytest.raises(IllegalAction) as excinfo:
        services.otp_send(phone="13904310001")
    assert excinfo.value.code == "sms_unavailable"
    assert "密码登录" in excinfo.value.message
