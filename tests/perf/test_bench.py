"""`yimen bench` at a tiny size: every scenario runs against a live server and the results
come out as JSON with rounds, medians and the targets."""

import json
import os

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.factories import subjects as people
from yimen.cases.models import Case
from yimen.licences.models import Licence
from yimen.perf import bench, load
from yimen.perf.generate import generate

POSTGRES = connection.vendor == "postgresql"


@pytest.fixture(scope="module")
def run(django_db_setup, django_db_blocker, live_server, module_sandbox, tmp_path_factory):
    """One bench run for the module's tests, and what it left in the database (its rows are
    committed for the live server to see, and flushed after each test that uses it)."""
    with django_db_blocker.unblock():
        generate(300, seed=5, items=0)
        options = bench.Options(rounds=2, seconds=3, clients=1, workers=1, max_requests=8,
                                page_requests=4, url=live_server.url)  # fmt: skip
        out = tmp_path_factory.mktemp("bench") / "bench.json"
        bench.write(bench.run(options), str(out))
        results = json.loads(out.read_text(encoding="utf-8"))
        item = results["submit"]["item"]
        left = {"item_cases": Case.objects.filter(version__item__code=item).count(),
                "licences": Licence.objects.count()}  # fmt: skip
    return results, left


@pytest.fixture
def results(run):
    return run[0]


def test_every_scenario_gives_rounds_and_medians_without_errors(results):
    assert results["machine"]["cores"] == os.cpu_count()
    assert results["machine"]["cases"] >= 300
    for name in ("submit", "advance", "issue", "search"):
        assert len(results[name]["rounds"]) == 2
        assert results[name]["median"]["errors"] == 0, results[name]["rounds"]
        assert results[name]["median"]["per_second"] > 0
        assert results[name]["median"]["p95_ms"] >= results[name]["median"]["p50_ms"]
    for page in ("work_queue", "my_cases"):
        assert results["queue"][page]["median"]["errors"] == 0
        assert results["queue"][page]["rounds"][0]["requests"] == 4
    for page in ("supervision", "statistics"):
        assert results["dashboard"][page]["median"]["errors"] == 0


def test_the_requests_did_what_they_say(run):
    results, left = run
    submitted = sum(r["requests"] for r in results["submit"]["rounds"])
    assert left["item_cases"] >= submitted > 0
    issued = sum(r["requests"] for r in results["issue"]["rounds"])
    assert left["licences"] == issued > 0


def test_targets_are_judged_from_the_figures(results):
    search = results["targets"]["search_p95_ms"]
    assert search["value"] == results["search"]["median"]["p95_ms"]
    assert search["met"] == (search["value"] <= 20)
    assert "worker_rss_mb" not in results["targets"]  # no server of its own to measure


@pytest.mark.skipif(not POSTGRES, reason="pgbench measures PostgreSQL")
def test_the_baseline_is_a_fraction_of_the_database_alone(results):
    assert results["baseline"]["median"]["per_second"] > 0
    writes = results["submit"]["writes"]["rows_per_submission"]
    assert results["baseline"]["rows_per_transaction"] == round(writes)
    assert results["ratios"]["submit_of_baseline"] > 0


@pytest.mark.skipif(POSTGRES, reason="on SQLite the baseline has nothing to measure")
def test_without_postgres_the_baseline_says_why(results):
    assert results["baseline"] == {"skipped": "pgbench needs PostgreSQL", "wall_seconds": 0.0}


@pytest.mark.parametrize("url", ["http://10.0.0.1:8000", "https://127.0.0.1", "http://example.com"])
def test_the_bench_only_targets_loopback(db, url):
    with pytest.raises(load.NotLoopback):
        load.check_loopback(url)
    with pytest.raises(CommandError):
        call_command("bench", "--scenario", "search", "--url", url, "--rounds", "1")


@pytest.mark.parametrize(
    "args", [["--scenario", "nope"], ["--rounds", "0"], ["--clients", "-1"], ["--seconds", "0"]]
)
def test_the_command_refuses_bad_options(db, args):
    with pytest.raises(CommandError):
        call_command("bench", *args)


def test_percentiles_are_nearest_rank():
    values = [n / 1000 for n in range(1, 101)]  # 1 … 100 ms
    assert load.percentile_ms(values, 50) == 50.0
    assert load.percentile_ms(values, 95) == 95.0
    assert load.percentile_ms([0.007], 95) == 7.0
    assert load.percentile_ms([], 95) is None


def test_bench_sessions_sign_in_with_the_projects_own_backends(db, client):
    """The bench makes sessions as the login page would, whatever backends come first."""
    account, _person = people.citizen()
    cookie = bench.session_cookie(account)["Cookie"]
    client.cookies.load(cookie)
    response = client.get("/me/cases/")
    assert response.status_code == 200
    assert response.wsgi_request.user == account
