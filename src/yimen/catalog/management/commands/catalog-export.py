"""``yimen catalog-export [-o FILE] [--format json|xlsx]``: the whole catalog in one file.

The format follows the file's extension unless given; without a file, JSON
goes to stdout. The format is described in docs/catalog-format.md.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yimen.catalog.exchange import dump_json, export_catalog, write_xlsx
from yimen.catalog.exchange.files import FORMATS, format_of


class Command(BaseCommand):
    help = _("导出整个事项目录（JSON 或 XLSX），可再用 catalog-import 导入。")

    def add_arguments(self, parser) -> None:
        parser.add_argument("-o", "--output", help=_("输出文件；不指定时以 JSON 输出到标准输出"))
        parser.add_argument("--format", choices=FORMATS, help=_("文件格式；默认按文件扩展名"))

    def handle(self, *args, output: str | None, format: str | None, **options) -> None:
        chosen = format or (format_of(output) if output else "json")
        if chosen is None:
            raise CommandError(
                _("无法从文件名“%(f)s”判断格式，请使用 .json 或 .xlsx 扩展名，或用 --format 指定。")
                % {"f": output}
            )
        data = export_catalog()
        if output is None:
            if chosen == "xlsx":
                raise CommandError(_("XLSX 格式须用 -o 指定输出文件。"))
            self.stdout.write(dump_json(data).decode(), ending="")
            return
        Path(output).write_bytes(write_xlsx(data) if chosen == "xlsx" else dump_json(data))
        self.stdout.write(
            _("已导出 %(n)s 个事项到 %(f)s。") % {"n": len(data["items"]), "f": output}
        )
