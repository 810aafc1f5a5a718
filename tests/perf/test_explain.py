"""The hot reads use indexes: on PostgreSQL, with enough cases that a sequential scan would
be the planner's choice without the right index, no plan of the work queue, the intake
queue, my cases, the supervision dashboard or the statistics scans a cases table whole."""

import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from yimen.cases import selectors
from yimen.catalog.models import Role
from yimen.oversight.selectors import stats, supervision
from yimen.perf import bench
from yimen.perf.generate import generate

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the plans checked are PostgreSQL's"
)

CASES = 20_000
YEARS_OF_CASES = 3650  # days: the share of open cases a database in use for years has
CASE_TABLES = frozenset({"cases_case", "cases_task", "cases_caseevent", "cases_clockpause",
                         "cases_casematerial", "cases_visit", "cases_visit_cases",
                         "cases_filing"})  # fmt: skip


@pytest.fixture(scope="module")
def many_cases(django_db_setup, django_db_blocker, module_sandbox):
    with django_db_blocker.unblock(), transaction.atomic():
        generate(CASES, seed=3, items=0, days=YEARS_OF_CASES)  # ends with ANALYZE
        yield
        transaction.set_rollback(True)


def seq_scans(node: dict) -> set[str]:
    found = {node["Relation Name"]} if node["Node Type"] == "Seq Scan" else set()
    for child in node.get("Plans", []):
        found |= seq_scans(child)
    return found


def scanned_case_tables(read) -> dict[str, set[str]]:
    """The case tables each SELECT of `read()` would scan whole, by statement."""
    with CaptureQueriesContext(connection) as captured:
        read()
    found = {}
    for query in captured.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        if tables := seq_scans(plan[0]["Plan"]) & CASE_TABLES:
            found[sql[:300]] = tables
    return found


def supervisor():
    return bench.staff_member(Role.SUPERVISOR)


# name: (whom the page is for, what it reads for them)
READS = {
    "work_queue": (bench.busiest_reviewer, selectors.work_queue),
    "intake_queue": (lambda: bench.staff_member(Role.CLERK), selectors.intake_queue),
    "my_cases": (bench.frequent_citizen, selectors.cases_of_applicant),
    "dashboard": (supervisor, supervision.dashboard),
    "statistics": (supervisor, lambda viewer: stats.stats_report(viewer, stats.stats_filter())),
}


@pytest.mark.parametrize("page", READS)
def test_no_hot_read_scans_a_case_table(db, many_cases, page):
    whom, read = READS[page]
    viewer = whom()
    assert scanned_case_tables(lambda: read(viewer)) == {}


def test_the_check_sees_a_scan_where_no_index_serves(db, many_cases):
    def unindexed():
        list(supervision.Case.objects.filter(decision_reason__contains="准予")[:10])

    assert set().union(*scanned_case_tables(unindexed).values()) == {"cases_case"}
