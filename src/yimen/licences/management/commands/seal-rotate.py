"""``yimen seal-rotate [--new-ca] [--name 名称]``: a new embedded seal takes over.

The old seal is retired, never deleted: every document it sealed still verifies.
The new seal is certified by the same CA unless --new-ca asks for a new one too
(then give verifiers the new output of `yimen seal-ca`).
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yimen.errors import DomainError
from yimen.licences import services


class Command(BaseCommand):
    help = _("更换内置行政审批专用章；旧印章停用，但其签发的文书仍可验证。")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--name", default="", help=_("新印章证书的名称"))
        parser.add_argument(
            "--new-ca", action="store_true", help=_("同时生成新的根证书（原根证书密钥泄露时使用）")
        )

    def handle(self, *args, name: str, new_ca: bool, **options) -> None:
        try:
            made = services.seal_rotate(common_name=name, new_authority=new_ca)
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            _("新印章已启用：%(n)s，证书指纹 SHA-256 %(f)s。")
            % {"n": made.name, "f": made.fingerprint}
        )
