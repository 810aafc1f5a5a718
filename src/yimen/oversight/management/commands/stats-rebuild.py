"""Recount the statistics and the violations from the cases; `--check` only compares."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yimen.oversight.services.stats import stats_rebuild
from yimen.oversight.services.supervision import violations_rebuild


class Command(BaseCommand):
    help = gettext_lazy("从办件原始数据重新计算统计数据和违规记录；--check 只核对不写入。")

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help=_("只核对：列出与重新计算结果不一致之处，有不一致时以非零状态退出。"),
        )

    def handle(self, *args, check: bool = False, **options):
        stats = stats_rebuild(check=check)
        violations = violations_rebuild(check=check)
        for difference in stats.differences:
            self.stdout.write(
                _("统计 %(t)s %(k)s：已存 %(s)s，重算 %(r)s")
                % {
                    "t": difference.table,
                    "k": difference.where,
                    "s": difference.stored,
                    "r": difference.recounted,
                }
            )
        for key in violations:
            self.stdout.write(_("违规记录不一致：%(k)s") % {"k": key})
        found = len(stats.differences) + len(violations)
        if check and found:
            raise CommandError(_("核对发现 %(n)s 处不一致。") % {"n": found})
        if check:
            self.stdout.write(self.style.SUCCESS(_("核对完成：统计数据和违规记录与办件一致。")))
        else:
            done = _("已重建统计数据，共 %(n)s 行。") % {"n": stats.rows}
            self.stdout.write(self.style.SUCCESS(done))
