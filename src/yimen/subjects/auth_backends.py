"""Sign-in by phone number (or username) with a password, or by phone with an SMS code.

Settings: AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend",
"yimen.subjects.auth_backends.PhoneBackend"]. It extends Django's ModelBackend, so
permissions keep working. `lockout_username` tells django-axes whose failures to
count: one phone number however it is spelt.
"""

from django.contrib.auth.backends import ModelBackend

from yimen.errors import DomainError, InvalidInput
from yimen.subjects import selectors, services, validators
from yimen.subjects.models import Account

BACKEND_PATH = "yimen.subjects.auth_backends.PhoneBackend"


class PhoneBackend(ModelBackend):
    def authenticate(
        self, request, username=None, password=None, *, phone=None, code=None, **kwargs
    ):
        login = phone or username
        if not login:
            return None
        if code is not None:
            return self._by_code(login, code)
        if password is None:
            return None
        account = selectors.account_by_login(login)
        if account is None:
            Account().set_password(password)  # same work as a real check: no timing hint
            return None
        if account.check_password(password) and self.user_can_authenticate(account):
            return account
        return None

    def _by_code(self, phone: str, code: str):
        try:
            account = services.otp_sign_in(phone=phone, code=code)
        except DomainError:
            return None
        return account if self.user_can_authenticate(account) else None


def lockout_username(request, credentials: dict | None = None) -> str:
    """The name failed sign-ins are counted under (AXES_USERNAME_CALLABLE): a phone number
    in its one canonical form, else the username as typed."""
    credentials = credentials or {}
    form = getattr(request, "POST", {})
    login = str(
        credentials.get("username") or credentials.get("phone") or form.get("login") or ""
    ).strip()
    try:
        return validators.normalise_mobile(login)
    except InvalidInput:
        return login
