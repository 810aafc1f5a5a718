"""``yimen catalog-generate --items N [--seed S]``: synthetic items for scale tests.

Adds the items SYN-000001 … SYN-N that do not exist yet, published through the
catalog services; running it again with the same N adds nothing.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yimen.catalog.exchange import CatalogImportError
from yimen.catalog.exchange.synthetic import generate_items

MAX_ITEMS = 999_999


def whole_number(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise CommandError(_("“%(v)s”不是整数。") % {"v": value}) from None


class Command(BaseCommand):
    help = _("生成合成的事项（编码 SYN-000001 起）用于规模测试；已有的不会重复生成。")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--items", required=True, help=_("合成事项的总数"))
        parser.add_argument("--seed", default="1", help=_("随机种子（默认 1）"))
        parser.add_argument("--actor", default="catalog-generate", help=_("记为发布人的名称"))

    def handle(self, *args, items: str, seed: str, actor: str, **options) -> None:
        count = whole_number(items)
        if not 0 <= count <= MAX_ITEMS:
            raise CommandError(_("事项数应在 0 到 %(max)s 之间。") % {"max": MAX_ITEMS})
        try:
            report = generate_items(count, seed=whole_number(seed), actor=actor)
        except CatalogImportError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(error.message) from None
        created = report.counts["items"]["created"]
        self.stdout.write(
            _("已新增合成事项 %(n)s 个（合成事项共 %(total)s 个）。")
            % {"n": created, "total": count}
        )
