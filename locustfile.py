"""Real HTTP load with Locust: citizens searching the catalog, applying online and reading
their cases, reviewers reading their queue, supervisors watching the dashboard.

    yimen bench --locust-setup locust.json        # tokens, sessions, an application
    YIMEN_LOCUST_SETUP=locust.json locust -f locustfile.py --host http://127.0.0.1:8000 \\
        --headless --users 50 --spawn-rate 10 --run-time 2m

Only loopback hosts are accepted (see docs/performance.md).
"""

import itertools
import json
import os
import random
from pathlib import Path
from urllib.parse import quote

from locust import HttpUser, between, task

from yimen.perf.load import check_loopback

SEARCH_TERMS = ["老年", "食品经营", "营业执照", "lnz", "shipin", "yyzz", "低保", "jzsg"]
SETUP = json.loads(Path(os.environ["YIMEN_LOCUST_SETUP"]).read_text(encoding="utf-8"))
CITIZENS = itertools.cycle(zip(SETUP["tokens"], SETUP["citizen_sessions"], strict=True))


class Citizen(HttpUser):
    weight = 8
    wait_time = between(1, 5)

    def on_start(self) -> None:
        check_loopback(self.host)
        token, cookie = next(CITIZENS)
        self.auth = {"Authorization": f"Bearer {token}"}
        self.cookie = {"Cookie": cookie}

    @task(5)
    def search(self) -> None:
        term = random.choice(SEARCH_TERMS)
        self.client.get(f"/items/?q={quote(term)}", name="/items/?q=…")

    @task(2)
    def my_cases(self) -> None:
        self.client.get("/me/cases/", headers=self.cookie)

    @task(1)
    def apply(self) -> None:
        self.client.post("/api/v1/cases", json=SETUP["application"], headers=self.auth)


class Reviewer(HttpUser):
    weight = 2
    wait_time = between(2, 8)

    def on_start(self) -> None:
        check_loopback(self.host)

    @task
    def work_queue(self) -> None:
        self.client.get("/work/", headers={"Cookie": SETUP["reviewer_session"]})


class Supervisor(HttpUser):
    weight = 1
    wait_time = between(5, 15)

    def on_start(self) -> None:
        check_loopback(self.host)

    @task(3)
    def dashboard(self) -> None:
        self.client.get("/supervision/", headers={"Cookie": SETUP["supervisor_session"]})

    @task(1)
    def statistics(self) -> None:
        self.client.get("/supervision/stats/", headers={"Cookie": SETUP["supervisor_session"]})
