"""`yimen bench --scenario NAME [--json FILE]`: measure this server (see yimen.perf.bench)."""

from django.core.management.base import BaseCommand, CommandError

from yimen.perf import bench


class Command(BaseCommand):
    help = "性能基准：在本机启动生产服务器（每核一个进程），按场景测量并输出 JSON。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--scenario",
            action="append",
            choices=bench.SCENARIOS + bench.EXTRA_SCENARIOS,
            help="场景（可重复；默认前七个）："
            + "、".join(bench.SCENARIOS + bench.EXTRA_SCENARIOS),
        )
        parser.add_argument("--json", help="结果写入的 JSON 文件")
        parser.add_argument("--rounds", type=int, default=3, help="每个场景的轮数（默认 3）")
        parser.add_argument("--seconds", type=float, default=10, help="每轮最长秒数（默认 10）")
        parser.add_argument("--clients", type=int, default=8, help="并发客户端数（默认 8）")
        parser.add_argument("--max-requests", type=int, default=5000, help="每轮最多请求数")
        parser.add_argument("--page-requests", type=int, default=100, help="页面场景每轮请求数")
        parser.add_argument("--workers", type=int, help="服务器进程数（默认每核一个）")
        parser.add_argument("--url", help="改测已在运行的服务器（仅限 http://127.0.0.1）")
        parser.add_argument(
            "--locust-setup", help="只写出 locustfile.py 所需的账号与申请（JSON 文件）后退出"
        )

    def handle(self, *args, **o):
        if o["locust_setup"]:
            bench.locust_setup(o["locust_setup"])
            self.stdout.write(o["locust_setup"])
            return
        numbers = ("rounds", "seconds", "clients", "max_requests", "page_requests")
        if any(o[name] <= 0 for name in numbers) or (o["workers"] or 1) <= 0:
            raise CommandError("轮数、秒数、客户端数、请求数和进程数都须为正数。")
        options = bench.Options(
            scenarios=tuple(o["scenario"] or bench.SCENARIOS),
            rounds=o["rounds"],
            seconds=o["seconds"],
            clients=o["clients"],
            max_requests=o["max_requests"],
            page_requests=o["page_requests"],
            url=o["url"],
            **({"workers": o["workers"]} if o["workers"] else {}),
        )
        try:
            results = bench.run(options, progress=lambda name: self.stderr.write(f"== {name}"))
        except (RuntimeError, ValueError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(bench.write(results, o["json"]))
