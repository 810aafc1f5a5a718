"""``yimen check-integrity``: look for broken invariants in every app's data and files.

Prints one line per problem, naming the object (a case, a licence, a locker document,
an audit entry ...) in Chinese. Exits 0 when nothing is wrong, 1 otherwise.
"""

import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from yimen.maintenance import integrity_problems


class Command(BaseCommand):
    help = _(
        "检查数据完整性：事项版本、办件日志、证照与文件、材料库文件和审计链；"
        "无问题时退出码为 0，否则为 1。"
    )

    def handle(self, *args, **options) -> None:
        problems = integrity_problems()
        if not problems:
            self.stdout.write(_("完整性检查通过：未发现问题。"))
            return
        self.stdout.write(_("完整性检查发现 %(n)s 处问题：") % {"n": len(problems)})
        for problem in problems:
            self.stdout.write(f"  - {problem}")
        sys.exit(1)
