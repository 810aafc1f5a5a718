"""``yimen seal-init [--name 名称]``: make the embedded DEMO seal and its DEMO CA.

Refused once a seal exists (use seal-rotate) or when a PKCS#12 seal is configured.
The fingerprint of the new seal goes to stdout; `yimen seal-ca -o FILE` writes the
CA certificate verifiers must trust.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yimen.errors import DomainError
from yimen.licences import services


class Command(BaseCommand):
    help = _("生成内置的演示用行政审批专用章及其演示根证书（仅供试用，不可用于正式签发）。")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--name", default="", help=_("印章证书的名称，默认“行政审批专用章”"))

    def handle(self, *args, name: str, **options) -> None:
        try:
            made = services.seal_init(common_name=name)
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            _("已生成演示印章：%(n)s，证书指纹 SHA-256 %(f)s。")
            % {"n": made.name, "f": made.fingerprint}
        )
