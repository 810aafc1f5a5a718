"""``yimen seal-ca -o FILE``: the seal CA certificates a verifier must trust, as PEM.

Every CA that ever certified one of the bureau's seals is included, so documents
sealed before a rotation verify too: `pyhanko sign validate --trust FILE doc.pdf`.
Without -o the PEM goes to stdout.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yimen.licences import selectors


class Command(BaseCommand):
    help = _("导出验证本局电子印章所需信任的根证书（PEM 格式）。")

    def add_arguments(self, parser) -> None:
        parser.add_argument("-o", "--output", default="", help=_("输出文件，默认输出到屏幕"))

    def handle(self, *args, output: str, **options) -> None:
        pem = selectors.trust_list_pem()
        if not pem:
            raise CommandError(_("尚无印章：请先运行 yimen seal-init 或配置 PKCS#12 印章。"))
        if not output:
            self.stdout.write(pem, ending="")
            return
        try:
            Path(output).write_text(pem)
        except OSError as error:
            raise CommandError(_("无法写入 %(p)s：%(e)s") % {"p": output, "e": error}) from None
        self.stderr.write(_("根证书已写入 %(p)s。") % {"p": output})
