"""``yimen catalog-import FILE [--actor NAME]``: apply a catalog file, all or nothing.

On success a Chinese summary goes to stdout. A file with problems changes
nothing: every problem is printed to stderr, one per line
(``工作表 行 字段：说明``), and the command exits non-zero.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yimen.catalog.exchange import CatalogImportError, import_catalog, read_json, read_xlsx
from yimen.catalog.exchange.files import format_of


class Command(BaseCommand):
    help = _("导入事项目录文件（JSON 或 XLSX）；文件有任何问题时不做任何修改。")

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help=_("要导入的 .json 或 .xlsx 文件"))
        parser.add_argument(
            "--actor", default="catalog-import", help=_("文件未写发布人时记为发布人的名称")
        )

    def handle(self, *args, file: str, actor: str, **options) -> None:
        path = Path(file)
        chosen = format_of(path)
        if chosen is None:
            raise CommandError(
                _("不支持的文件类型：%(f)s（应为 .json 或 .xlsx）。") % {"f": path.name}
            )
        if not path.is_file():
            raise CommandError(_("找不到文件：%(f)s。") % {"f": file})
        try:
            content = path.read_bytes()
            data = read_json(content) if chosen == "json" else read_xlsx(content)
            report = import_catalog(data, actor=actor)
        except CatalogImportError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(error.message) from None
        self.stdout.write(_("导入完成。%(s)s") % {"s": report.summary()})
        for warning in report.warnings:
            self.stdout.write(_("提示：%(w)s") % {"w": warning})
