"""`yimen generate --cases N`: fill the database with realistic cases (see yimen.perf.generate)."""

from django.core.management.base import BaseCommand, CommandError

from yimen.perf.generate import generate


class Command(BaseCommand):
    help = (
        "生成规模测试用的办件（事项、渠道、状态、到场、评价、暂停、超期按真实比例），"
        "PostgreSQL 上用 COPY 写入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True, help="新增办件数")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument("--days", type=int, help="收件日期跨度（天，默认按每年十万件推算）")

    def handle(self, *args, cases: int, seed: int, days: int | None, **options):
        if cases < 1:
            raise CommandError("办件数须为正整数。")
        if days is not None and days < 1:
            raise CommandError("天数须为正整数。")

        def progress(done: int, seconds: float) -> None:
            self.stdout.write(f"{done} 件，{seconds:.0f} 秒")

        result = generate(cases, seed=seed, days=days, progress=progress)
        self.stdout.write(
            f"已生成办件 {result.cases} 件，用时 {result.seconds:.1f} 秒"
            f"（{result.cases_per_second:.0f} 件/秒），共写入 {sum(result.rows.values())} 行。"
        )
