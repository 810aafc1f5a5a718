"""``yimen token-create USERNAME [--name 用途]``: a personal access token for the API.

The token goes to stdout alone on one line (it is shown only this once); use it
as ``Authorization: Bearer <token>``.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yimen.errors import DomainError
from yimen.subjects import selectors, services


class Command(BaseCommand):
    help = _("为账号创建接口访问令牌（令牌只显示这一次）。")

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", help=_("用户名或手机号码"))
        parser.add_argument("--name", default=_("命令行创建"), help=_("令牌用途"))

    def handle(self, *args, username: str, name: str, **options) -> None:
        account = selectors.account_by_login(username)
        if account is None:
            raise CommandError(_("账号“%(u)s”不存在。") % {"u": username})
        try:
            _token, raw = services.token_create(account=account, name=name)
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(raw)
