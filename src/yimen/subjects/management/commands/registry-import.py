"""``yimen registry-import persons|organisations FILE.csv``: load a registry feed.

Subjects are matched by resident ID or USCC: new ones are added, known ones
updated. The counts go to stdout; each rejected row, with its line and reason,
goes to stderr. Import persons before the organisations they represent.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yimen.errors import DomainError
from yimen.subjects import registry

IMPORTERS = {"persons": registry.import_persons, "organisations": registry.import_organisations}


class Command(BaseCommand):
    help = _(
        "从人口基础信息库或法人信息库导出的 CSV 文件导入主体（按身份证号或统一社会信用代码更新）。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", choices=sorted(IMPORTERS), help=_("persons 或 organisations"))
        parser.add_argument("path", help=_("CSV 文件路径（首行为列名）"))
        parser.add_argument("--encoding", default="utf-8-sig", help=_("文件编码，默认 UTF-8"))

    def handle(self, *args, kind: str, path: str, encoding: str, **options) -> None:
        try:
            with open(path, encoding=encoding, newline="") as lines:
                report = IMPORTERS[kind](lines)
        except OSError as error:
            raise CommandError(_("无法读取文件 %(p)s：%(e)s") % {"p": path, "e": error}) from None
        except UnicodeDecodeError:
            raise CommandError(
                _("文件不是 %(enc)s 编码，请用 --encoding 指定（如 gbk）。") % {"enc": encoding}
            ) from None
        except DomainError as error:
            raise CommandError(error.message) from None
        for row in report.rejected:
            self.stderr.write(
                _("第 %(line)s 行（%(id)s）：%(msg)s")
                % {"line": row.line, "id": row.identifier, "msg": row.message}
            )
        self.stdout.write(
            _("新增 %(c)s 条，更新 %(u)s 条，未变 %(n)s 条，拒绝 %(r)s 条。")
            % {
                "c": report.created,
                "u": report.updated,
                "n": report.unchanged,
                "r": len(report.rejected),
            }
        )
