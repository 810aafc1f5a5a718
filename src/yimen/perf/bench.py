"""`yimen bench`: what one server carries, measured over HTTP against the production server
(gunicorn, one worker per core) on the database the settings name.

Every scenario runs several rounds, each bounded in time and in requests; the JSON gives
each round and the medians, with the machine's core count, so figures from one run can be
compared with each other (submissions as a fraction of what the database alone does).
"""

import contextlib
import json
import os
import platform
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from yimen.cases.models import Case, CaseMaterial, Decision, Task
from yimen.cases.states import CaseState
from yimen.catalog.models import FormField, ItemVersion, MaterialSpec, Role, SubjectType
from yimen.catalog.selectors import versions_in_force
from yimen.licences.models import Seal
from yimen.licences.services import seal_init
from yimen.perf import load, world
from yimen.perf.load import Request, median
from yimen.perf.server import THREADS_PER_WORKER, Server
from yimen.subjects.models import Account, Person, StaffRole
from yimen.subjects.services import token_create

SCENARIOS = ("baseline", "submit", "advance", "issue", "queue", "dashboard", "search")
# Chosen by name only: it starts servers of its own.
EXTRA_SCENARIOS = ("scaleout",)
SCALEOUT_SERVERS = 2
SEARCH_TERMS = ["老年", "食品经营", "营业执照", "lnz", "shipin", "yyzz", "低保", "jzsg",
                "残疾人证", "gonggong", "医疗", "ylbx"]  # fmt: skip
SUBMIT_MATERIALS = 5
WARM_UP = 5
FLUSH_SECONDS = 11  # PostgreSQL reports an idle connection's counters within 10 s


@dataclass
class Options:
    scenarios: tuple[str, ...] = SCENARIOS
    rounds: int = 3
    seconds: float = 10.0
    clients: int = 8
    max_requests: int = 5000
    page_requests: int = 100
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    url: str | None = None  # a running server (e.g. a test's); else gunicorn is started


# --- who and what the bench uses -----------------------------------------------------------


def bearer(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}"}


def session_cookie(account: Account) -> dict:
    """A signed-in session for the account, as the login page would leave it."""
    session = SessionStore()
    session[SESSION_KEY] = str(account.pk)
    session[BACKEND_SESSION_KEY] = next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user")
    )
    session[HASH_SESSION_KEY] = account.get_session_auth_hash()
    session.create()
    return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}"}


def sample_value(field_spec: FormField) -> str:
    """A value the form accepts for the field."""
    if field_spec.field_type == FormField.FieldType.NUMBER:
        return str(field_spec.min_value if field_spec.min_value is not None else 1)
    if field_spec.field_type == FormField.FieldType.DATE:
        return timezone.localdate().isoformat()
    if field_spec.field_type == FormField.FieldType.CHOICE:
        first = field_spec.choices[0]
        return first[0] if isinstance(first, list | tuple) else str(first)
    for candidate in ("13904310000", "长春市二道区东盛街道", "示例"):
        fits = not field_spec.pattern or re.fullmatch(field_spec.pattern, candidate)
        if fits and len(candidate) <= (field_spec.max_length or 1000):
            return candidate
    return "示例"


def submit_version() -> ItemVersion:
    """An item a person applies for online with the most materials up to five."""
    candidates = (
        versions_in_force()
        .filter(online_depth__gte=3, subject_type__in=[SubjectType.PERSON, SubjectType.BOTH])
        .annotate(n=Count("materials"))
        .filter(n__lte=SUBMIT_MATERIALS)
        .select_related("item")
        .order_by("-n", "pk")
    )
    version = candidates.first()
    if version is None:
        raise RuntimeError("no item a person can apply for online: run `yimen generate` first")
    return version


def applicants(count: int) -> list[Account]:
    """Generated citizens with accounts (`yimen generate` makes them)."""
    persons = Person.objects.filter(account__username__startswith="g").select_related("account")
    found = [p.account for p in persons.order_by("pk")[:count]]
    if len(found) < count:
        raise RuntimeError("too few generated citizens: run `yimen generate` first")
    return found


def staff_member(role: str, **scope) -> Account:
    found = StaffRole.objects.filter(role=role, is_active=True, **scope).select_related("account")
    member = found.order_by("pk").first()
    if member is None:
        raise RuntimeError(f"no staff member with the role {role}: run `yimen generate` first")
    return member.account


def busiest_reviewer() -> Account:
    """The reviewer of the department with the most open review tasks."""
    busiest = (
        Task.objects.filter(status=Task.Status.OPEN, role=Role.REVIEWER)
        .values("department_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    scope = {"department_id": busiest["department_id"]} if busiest else {}
    return staff_member(Role.REVIEWER, **scope)


def frequent_citizen() -> Account:
    """The generated citizen with the most cases."""
    top = (
        Case.objects.filter(subject__person__account__username__startswith="g")
        .values("subject__person__account")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if top is None:
        raise RuntimeError("no generated cases: run `yimen generate` first")
    return Account.objects.get(pk=top["subject__person__account"])


def superuser() -> Account:
    account = Account.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if account is None:
        raise RuntimeError("no superuser: run `yimen generate` first")
    return account


# --- scenarios ------------------------------------------------------------------------------


class Queue:
    """Case numbers handed out to client threads, each once."""

    def __init__(self, items):
        self.items, self.lock = list(items), threading.Lock()

    def take(self) -> str | None:
        with self.lock:
            return self.items.pop() if self.items else None


def rounds(options: Options, url: str, make_works, *, requests: int | None = None) -> dict:
    """Run the scenario's rounds; the medians of their figures."""
    found = []
    for _ in range(options.rounds):
        outcome = load.run(
            url,
            make_works(),
            seconds=options.seconds,
            max_requests=requests or options.max_requests,
        )
        found.append(outcome.summary())
    return {"rounds": found, "median": medians(found)}


def medians(found: list[dict]) -> dict:
    keys = ("per_second", "p50_ms", "p95_ms")
    return {key: median(r[key] for r in found) for key in keys} | {
        "errors": sum(r["errors"] for r in found)
    }


def application(version: ItemVersion) -> dict:
    """An online application for the item with its form filled in and every material."""
    kinds = list(version.materials.values_list("kind__code", flat=True))
    form = {f.key: sample_value(f) for f in version.form_fields.all()}
    return {"item_code": version.item.code, "channel": "online", "form": form, "provided": kinds}


def applicant_headers(count: int) -> list[dict]:
    """One generated citizen's API token per client."""
    return [bearer(token_create(account=a, name="bench")[1]) for a in applicants(count)]


def submissions(body: dict, headers: list[dict]):
    """Clients that each apply again and again with their own token."""
    return lambda: [load.repeat(Request("POST", "/api/v1/cases", body, h), 201) for h in headers]


def submit(options: Options, url: str, context: dict) -> dict:
    version = submit_version()
    body = application(version)
    headers = applicant_headers(options.clients)
    counters_before = database_counters()
    result = rounds(options, url, submissions(body, headers))
    submitted = sum(r["requests"] for r in result["rounds"])
    result |= {
        "clients": options.clients,
        "item": version.item.code,
        "materials": len(body["provided"]),
        "writes": writes_per(submitted, counters_before),
    }
    return result


def advance(options: Options, url: str, context: dict) -> dict:
    """Each client takes a submitted case and moves it on: accept, every task, decide."""
    headers = bearer(token_create(account=superuser(), name="bench")[1])
    incomplete = CaseMaterial.objects.filter(
        case=OuterRef("pk"),
        status=CaseMaterial.Status.MISSING,
        spec__necessity__in=[MaterialSpec.Necessity.REQUIRED, MaterialSpec.Necessity.TOLERABLE],
    )
    cases = (
        Case.objects.filter(state=CaseState.SUBMITTED)
        .exclude(Exists(incomplete))
        .order_by("-pk")
        .values_list("case_no", flat=True)[: options.max_requests]
    )
    queue = Queue(reversed(cases))

    def work(_client) -> Iterator:
        while (case_no := queue.take()) is not None:
            path = f"/api/v1/cases/{case_no}/actions/"
            status, body = yield Request("POST", path + "accept", {}, headers), 200
            while status == 200 and (step := next_step(json.loads(body))):
                status, body = yield Request("POST", path + step[0], step[1], headers), 200

    result = rounds(options, url, lambda: [work] * options.clients)
    return result | {"clients": options.clients, "unit": "transitions"}


def next_step(case: dict) -> tuple[str, dict] | None:
    """The next action of an accepted case: its first open task, else the decision."""
    if case["state"] != CaseState.IN_PROGRESS:
        return None
    for stage in case["stages"]:
        for task in stage["tasks"]:
            if task["status"] == Task.Status.OPEN and stage["kind"] != "decision":
                return "complete_task", {"task_id": task["id"], "opinion": "同意。"}
    return "decide", {"grant": True, "reason": "符合法定条件，准予许可。"}


def issue(options: Options, url: str, context: dict) -> dict:
    if not Seal.objects.exists():
        seal_init()
    headers = bearer(token_create(account=superuser(), name="bench")[1])
    cases = (
        Case.objects.filter(state=CaseState.DECIDED, decision=Decision.GRANT)
        .order_by("-pk")
        .values_list("case_no", flat=True)[: options.max_requests]
    )
    queue = Queue(reversed(cases))

    def work(_client) -> Iterator:
        while (case_no := queue.take()) is not None:
            path = f"/api/v1/cases/{case_no}/actions/issue_licence"
            yield Request("POST", path, {}, headers), 200

    result = rounds(options, url, lambda: [work] * options.clients)
    return result | {"clients": options.clients}


def pages(options: Options, url: str, named: dict[str, Request]) -> dict:
    """Each page alone, one client (a person waiting for it), after a few to warm up."""
    found = {}
    for name, request in named.items():
        load.run(url, [load.repeat(request)], seconds=options.seconds, max_requests=WARM_UP)
        found[name] = rounds(
            options, url, lambda r=request: [load.repeat(r)], requests=options.page_requests
        )
    return found


def queue(options: Options, url: str, context: dict) -> dict:
    reviewer, citizen = busiest_reviewer(), frequent_citizen()
    return pages(
        options,
        url,
        {
            "work_queue": Request("GET", "/work/", headers=session_cookie(reviewer)),
            "my_cases": Request("GET", "/me/cases/", headers=session_cookie(citizen)),
        },
    )


def dashboard(options: Options, url: str, context: dict) -> dict:
    cookie = session_cookie(staff_member(Role.SUPERVISOR))
    return pages(
        options,
        url,
        {
            "supervision": Request("GET", "/supervision/", headers=cookie),
            "statistics": Request("GET", "/supervision/stats/", headers=cookie),
        },
    )


def search(options: Options, url: str, context: dict) -> dict:
    requests = [Request("GET", f"/items/?q={quote(term)}") for term in SEARCH_TERMS]
    load.run(url, [load.cycle(requests)], seconds=options.seconds, max_requests=len(requests))
    result = rounds(options, url, lambda: [load.cycle(requests)], requests=options.page_requests)
    return result | {"terms": SEARCH_TERMS}


def scaleout(options: Options, url: str, context: dict) -> dict:
    """Several app servers on one database: a session and a token made once work on each,
    applications go through all of them, and each case reads back through another."""
    if options.url is not None:
        return {"skipped": "scaleout starts servers of its own"}
    workers = max(1, options.workers // SCALEOUT_SERVERS)
    servers = [Server(workers) for _ in range(SCALEOUT_SERVERS)]
    with contextlib.ExitStack() as stack:
        urls = [stack.enter_context(server).url for server in servers]
        cookie = session_cookie(frequent_citizen())
        sessions_everywhere = all(_status(u, Request("GET", "/me/cases/", headers=cookie)) == 200
                                  for u in urls)  # fmt: skip
        body = application(submit_version())
        people = applicants(options.clients)
        headers = [bearer(token_create(account=a, name="bench")[1]) for a in people]
        result = rounds(options, urls, submissions(body, headers))
        cross = _read_back_everywhere(urls, headers[0], people[0])
    return result | {
        "servers": SCALEOUT_SERVERS,
        "workers_per_server": workers,
        "clients": options.clients,
        "session_works_on_every_server": sessions_everywhere,
        "cases_read_back_through_another_server": cross,
    }


def _status(url: str, request: Request) -> int:
    client = load.Client(url)
    try:
        return client.send(request)[0]
    finally:
        client.close()


def _read_back_everywhere(urls: list[str], headers: dict, account: Account) -> dict:
    """The applicant's cases just filed (through either server), each read through every
    server."""
    cases = Case.objects.filter(filing__submitted_by=account).order_by("-pk")[:10]
    found = [_status(u, Request("GET", f"/api/v1/cases/{c.case_no}", headers=headers))
             for c in cases for u in urls]  # fmt: skip
    return {"reads": len(found), "ok": found.count(200)}


# --- the database alone -----------------------------------------------------------------


def database_counters() -> dict:
    """Rows written and transactions committed in this database so far."""
    if connection.vendor != "postgresql":
        return {}
    time.sleep(FLUSH_SECONDS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT tup_inserted + tup_updated + tup_deleted, xact_commit"
            " FROM pg_stat_database WHERE datname = current_database()"
        )
        rows, commits = cursor.fetchone()
    return {"rows": rows, "commits": commits}


def writes_per(submitted: int, before: dict) -> dict | None:
    if not before or not submitted:
        return None
    after = database_counters()
    return {
        "rows_per_submission": round((after["rows"] - before["rows"]) / submitted, 1),
        "commits_per_submission": round((after["commits"] - before["commits"]) / submitted, 2),
    }


BASELINE_TABLE = "perf_baseline"
# Rows one submission wrote when last measured (docs/performance.md), for a baseline run
# without the submit scenario.
ROWS_PER_SUBMISSION = 13


def baseline(options: Options, url: str, context: dict) -> dict:
    """pgbench: a transaction inserting as many rows as one submission writes, with as many
    clients as the submit scenario, on the same server."""
    if connection.vendor != "postgresql":
        return {"skipped": "pgbench needs PostgreSQL"}
    measured = (context.get("writes") or {}).get("rows_per_submission")
    rows = round(measured or ROWS_PER_SUBMISSION)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {BASELINE_TABLE}"
            " (id bigserial PRIMARY KEY, n bigint, note text, at timestamptz DEFAULT now())"
        )
    script = Path(settings.DATA_DIR) / "perf-baseline.sql"
    inserts = "".join(
        f"INSERT INTO {BASELINE_TABLE} (n, note) VALUES (:n, 'bench');\n" for _ in range(rows)
    )
    script.write_text(f"\\set n random(1, 1000000000)\nBEGIN;\n{inserts}COMMIT;\n")
    try:
        found = [pgbench(script, options) for _ in range(options.rounds)]
    finally:
        script.unlink()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {BASELINE_TABLE}")
    return {
        "rounds": [{"per_second": tps} for tps in found],
        "median": {"per_second": median(found)},
        "rows_per_transaction": rows,
        "clients": options.clients,
    }


def pgbench(script: Path, options: Options) -> float:
    db = connection.settings_dict
    command = ["pgbench", "-n", "-f", str(script), "-c", str(options.clients),
               "-j", str(min(options.clients, options.workers)), "-T", str(int(options.seconds)),
               "-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432),
               "-U", db["USER"], db["NAME"]]  # fmt: skip
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
    out = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=options.seconds + 60, check=True
    ).stdout
    found = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out)
    return round(float(found.group(1)), 1)


# --- the run -------------------------------------------------------------------------------

RUNNERS = {
    "submit": submit,
    "advance": advance,
    "issue": issue,
    "queue": queue,
    "dashboard": dashboard,
    "search": search,
    "baseline": baseline,
    "scaleout": scaleout,
}

# name: (scenario, figure path, at least / at most, target)
TARGETS = {
    "submit_per_second": (("submit", "median", "per_second"), ">=", 300),
    "submit_of_baseline": (("ratios", "submit_of_baseline"), ">=", 0.25),
    "work_queue_p95_ms": (("queue", "work_queue", "median", "p95_ms"), "<=", 50),
    "my_cases_p95_ms": (("queue", "my_cases", "median", "p95_ms"), "<=", 50),
    "supervision_p95_ms": (("dashboard", "supervision", "median", "p95_ms"), "<=", 300),
    "statistics_p95_ms": (("dashboard", "statistics", "median", "p95_ms"), "<=", 300),
    "search_p95_ms": (("search", "median", "p95_ms"), "<=", 20),
    "issue_per_second": (("issue", "median", "per_second"), ">=", 30),
    "worker_rss_mb": (("memory", "max_mb"), "<=", 250),
}


def _dig(data: dict, path: tuple):
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def targets(results: dict) -> dict:
    found = {}
    for name, (path, op, target) in TARGETS.items():
        value = _dig(results, path)
        if value is not None:
            met = value >= target if op == ">=" else value <= target
            found[name] = {"value": value, "target": f"{op} {target}", "met": met}
    return found


def ratios(results: dict) -> dict:
    submitted = _dig(results, ("submit", "median", "per_second"))
    alone = _dig(results, ("baseline", "median", "per_second"))
    if not submitted or not alone:
        return {}
    return {"submit_of_baseline": round(submitted / alone, 3)}


def machine(options: Options) -> dict:
    with connection.cursor() as cursor:
        version = connection.vendor
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "database": version,
        "server": "gunicorn gthread" if options.url is None else options.url,
        "workers": options.workers if options.url is None else None,
        "threads_per_worker": THREADS_PER_WORKER if options.url is None else None,
        "cases": Case.objects.count(),
        "load_average": os.getloadavg()[0],
    }


def run(options: Options, progress=None) -> dict:
    """Run the chosen scenarios in their order (baseline after submit, which measures what
    one submission writes); return the results as JSON-ready data."""
    if options.url is not None:
        load.check_loopback(options.url)
    unknown = set(options.scenarios) - set(SCENARIOS + EXTRA_SCENARIOS)
    if unknown:
        raise ValueError(f"unknown scenarios: {', '.join(sorted(unknown))}")
    world.ensure_world()
    known = SCENARIOS + EXTRA_SCENARIOS
    order = sorted(options.scenarios, key=lambda s: (s == "baseline", known.index(s)))
    results: dict = {
        "started_at": timezone.now().isoformat(timespec="seconds"),
        "machine": machine(options),
        "options": {
            "rounds": options.rounds,
            "seconds": options.seconds,
            "clients": options.clients,
            "max_requests": options.max_requests,
            "page_requests": options.page_requests,
        },
    }
    context: dict = {}
    server = Server(options.workers) if options.url is None else None
    with server or contextlib.nullcontext():
        url = server.url if server else options.url
        for name in order:
            if progress:
                progress(name)
            began = time.perf_counter()
            results[name] = RUNNERS[name](options, url, context)
            results[name]["wall_seconds"] = round(time.perf_counter() - began, 1)
            if name == "submit":
                context["writes"] = results[name].get("writes")
        if server:
            rss = server.worker_rss_mb()
            results["memory"] = {"worker_rss_mb": rss, "max_mb": max(rss, default=None)}
    results["ratios"] = ratios(results)
    results["targets"] = targets(results)
    results["finished_at"] = timezone.now().isoformat(timespec="seconds")
    return results


def locust_setup(path: str, citizens: int = 50) -> None:
    """What locustfile.py needs, as JSON: citizens' tokens and sessions, a reviewer's and a
    supervisor's session, and an application body."""
    world.ensure_world()
    people = applicants(citizens)
    setup = {
        "tokens": [token_create(account=a, name="locust")[1] for a in people],
        "citizen_sessions": [session_cookie(a)["Cookie"] for a in people],
        "reviewer_session": session_cookie(busiest_reviewer())["Cookie"],
        "supervisor_session": session_cookie(staff_member(Role.SUPERVISOR))["Cookie"],
        "application": application(submit_version()),
    }
    Path(path).write_text(json.dumps(setup, ensure_ascii=False), encoding="utf-8")


def write(results: dict, path: str | None) -> str:
    text = json.dumps(results, ensure_ascii=False, indent=2, default=str)
    if path:
        Path(path).write_text(text + "\n", encoding="utf-8")
    return text
