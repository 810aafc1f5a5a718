"""Sign-in by phone number (or username) with a password, or by phone with an SMS code.

Settings: AUTHENTICATION_BACKENDS = ["yimen.subjects.auth_backends.PhoneBackend"].
It extends Django's ModelBackend, so the admin's username sign-in and
permissions keep working.
"""

from django.contrib.auth.backends import ModelBackend

from yimen.errors import DomainError
from yimen.subjects import selectors, services
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
