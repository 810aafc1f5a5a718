"""Staff sign in with a second factor: a TOTP code (RFC 6238) from an authenticator app.

Who needs it: every active account that is staff (an active staff role, staff
status or superuser) while `YIMEN_STAFF_SECOND_FACTOR` is on (it is off only
in demo mode). Citizens do not. The first time, the member of staff enrols:
the page shows an `otpauth://` URI and its QR code, and the first correct code
confirms the device. Wrong codes slow further tries down (django-otp doubles
the wait after each failure); a used code is not accepted twice.
"""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from yimen.errors import InvalidInput
from yimen.subjects import permissions
from yimen.subjects.errors import RateLimited
from yimen.subjects.models import Account

DEVICE_NAME = "身份验证器"


def is_staff_account(account: Account) -> bool:
    return account.is_staff or account.is_superuser or permissions.is_staff_member(account)


def required_for(account: Account) -> bool:
    return settings.YIMEN_STAFF_SECOND_FACTOR and is_staff_account(account)


def waived_for(account: Account) -> bool:
    """Staff who sign in without a second factor because the site runs as a demo."""
    return not settings.YIMEN_STAFF_SECOND_FACTOR and is_staff_account(account)


def confirmed_device(account: Account) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(account, confirmed=True).first()


def enrolment_device(account: Account) -> TOTPDevice:
    """The device being enrolled: the same secret until it is confirmed, so a reload of the
    page does not change the QR code already scanned."""
    with transaction.atomic():
        device = TOTPDevice.objects.devices_for_user(account, confirmed=False).first()
        return device or TOTPDevice.objects.create(user=account, name=DEVICE_NAME, confirmed=False)


def otpauth_uri(device: TOTPDevice) -> str:
    return device.config_url


def verify(account: Account, token: str) -> TOTPDevice:
    """The account's device that accepts `token`, confirming it if it was being enrolled.
    Raises InvalidInput for a wrong code and RateLimited while tries are slowed down."""
    device = confirmed_device(account) or enrolment_device(account)
    token = "".join((token or "").split())
    if not token.isdigit() or len(token) != device.digits:
        raise InvalidInput("otp_format", _("请输入身份验证器上显示的6位数字。"), field="otp_token")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, _why = device.verify_is_allowed()
        if not allowed:
            raise RateLimited(
                "otp_throttled", _("验证码错误次数过多，请稍等片刻再试。"), field="otp_token"
            )
        if not device.verify_token(token):
            raise InvalidInput(
                "otp_invalid",
                _("验证码不正确或已使用过，请输入身份验证器上当前的6位数字。"),
                field="otp_token",
            )
        if not device.confirmed:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
    return device
