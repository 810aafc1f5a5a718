"""Who is calling the API: a personal access token (`Authorization: Bearer ym_…`) or the
signed-in page session (CSRF-checked on writes).

Routers pass `auth=ACCOUNT_AUTH`; the handler finds the account in `request.auth`.
"""

from ninja.security import HttpBearer, SessionAuth

from yimen.subjects import services


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        account = services.token_authenticate(token.strip())
        if account is not None:
            request.user = account
        return account


SESSION_AUTH = SessionAuth()
ACCOUNT_AUTH = [TokenAuth(), SESSION_AUTH]
