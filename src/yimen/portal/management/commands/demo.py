"""`yimen demo`: migrate, load the demo data, print the demo logins, serve.

The demo data is loaded in one transaction, each app's loader building on the ones before:
the catalog, subjects and staff, cases, the seal and the licences it signs, the delivery of
some of them, the oversight records; then the statistics are recounted from the cases.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from yimen.cases.demo import deliver_issued as deliver_demo_licences
from yimen.cases.demo import load_demo as load_demo_cases
from yimen.catalog.demo import demo_catalog
from yimen.catalog.exchange import import_catalog
from yimen.licences.demo import load_demo as load_demo_licences
from yimen.oversight.demo import load_demo as load_demo_oversight
from yimen.oversight.services.stats import stats_rebuild
from yimen.subjects.demo import load_demo as load_demo_subjects


class Command(BaseCommand):
    help = "迁移数据库、载入演示数据、列出演示账号并启动服务（http://127.0.0.1:8000）。"

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="只准备数据，不启动服务。")
        parser.add_argument(
            "--addr", default="127.0.0.1:8000", help="服务地址（默认 127.0.0.1:8000）。"
        )

    def handle(self, *args, no_serve: bool, addr: str, **options):
        call_command("migrate", interactive=False, verbosity=0)
        with transaction.atomic():
            report = import_catalog(demo_catalog(), actor="demo")
            logins = load_demo_subjects()
            load_demo_cases()
            load_demo_licences()
            deliver_demo_licences()
            load_demo_oversight()
            stats_rebuild()
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪：{report.summary()}"))
        self._print_logins(logins)
        if not no_serve:
            self.stdout.write(f"请在浏览器打开 http://{addr}/ （按 Ctrl+C 停止）")
            call_command("runserver", addr, use_reloader=False)

    def _print_logins(self, logins) -> None:
        self.stdout.write("演示账号（密码均为所列密码）：")
        width = max((len(role) for role, _, _ in logins), default=0)
        for role, username, password in logins:
            self.stdout.write(f"  {role.ljust(width, '　')}  {username}  /  {password}")
