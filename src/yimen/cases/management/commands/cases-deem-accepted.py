"""`yimen cases-deem-accepted`: the law's intake clock, run once a working day (e.g. from cron)."""

from django.core.management.base import BaseCommand

from yimen.cases.services import cases_deem_overdue_intakes


class Command(BaseCommand):
    help = "把超过5个工作日未作受理决定的申请视为自收到之日起受理，并标记。每个工作日运行一次。"

    def handle(self, *args, **options):
        deemed = cases_deem_overdue_intakes()
        for case_no in deemed:
            self.stdout.write(case_no)
        self.stdout.write(f"视为受理：{len(deemed)} 件")
