"""YIMEN_REPLICA_URL: the statistics are read from the replica, everything else from the
primary, and every write goes to the primary."""

import pytest
from django.apps import apps
from django.db import connections, router, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories import subjects as people
from yimen.cases.models import Case
from yimen.catalog.models import Role
from yimen.oversight.models.exchange import OutboxMessage
from yimen.oversight.models.ratings import Rating
from yimen.oversight.models.stats import CaseDailyStat, CaseMonthlyStat, CaseWorkdayCount
from yimen.routers import REPLICA_MODELS

STATISTICS = [apps.get_model(label) for label in sorted(REPLICA_MODELS)]
STATISTICS_TABLES = tuple(model._meta.db_table for model in STATISTICS)


@pytest.fixture
def routed(settings):
    settings.DATABASE_ROUTERS = ["yimen.routers.StatisticsReplicaRouter"]


def test_the_statistics_tables_are_the_ones_read_from_the_replica():
    assert {CaseDailyStat, CaseWorkdayCount, CaseMonthlyStat} <= set(STATISTICS)
    assert len(STATISTICS) == len(REPLICA_MODELS)  # every name is a model


def test_statistics_reads_go_to_the_replica_and_everything_else_to_the_primary(routed):
    for model in STATISTICS:
        assert router.db_for_read(model) == "replica"
        assert model.objects.filter(department__code="SCJ").db == "replica"
    for model in (Case, Rating, OutboxMessage):
        assert router.db_for_read(model) == "default"


def test_writes_and_locking_reads_go_to_the_primary(routed):
    for model in STATISTICS:
        assert router.db_for_write(model) == "default"
        assert model.objects.select_for_update().db == "default"
    assert router.allow_relation(CaseDailyStat(), Case())


@pytest.mark.django_db
def test_a_read_inside_a_transaction_stays_on_the_primary(routed):
    """Code that writes or recounts statistics sees its own rows; so does a backup."""
    with transaction.atomic():
        assert CaseDailyStat.objects.all().db == "default"


def test_nothing_is_migrated_on_the_replica(routed):
    assert router.allow_migrate("default", "oversight", model_name="casedailystat")
    assert not router.allow_migrate("replica", "oversight", model_name="casedailystat")
    assert not router.allow_migrate("replica", "cases", model_name="case")


@pytest.fixture
def replica(transactional_db, routed, settings, tmp_path):
    """A second connection to the test database, standing in for a streaming replica."""
    people.sandbox(settings, tmp_path)
    connections.settings["replica"] = {**connections["default"].settings_dict}
    # Opened here: the test case lets only the aliases it knew at its start connect by
    # themselves; this one holds no rows of its own to keep apart between tests.
    connections["replica"].connect()
    yield connections["replica"]
    connections["replica"].close()
    del connections["replica"]
    del connections.settings["replica"]


def test_the_statistics_page_reads_its_figures_from_the_replica(client, replica):
    client.force_login(people.staff(Role.SUPERVISOR, name="赵监督"))
    primary = connections["default"]
    with CaptureQueriesContext(primary) as on_primary, CaptureQueriesContext(replica) as on_replica:
        page = client.get("/supervision/stats/", {"from": "2025-08-01", "to": "2026-06-30"})
    assert page.status_code == 200
    read_from_replica = [
        q["sql"] for q in on_replica if any(t in q["sql"] for t in STATISTICS_TABLES)
    ]
    assert read_from_replica
    assert not [q["sql"] for q in on_primary if any(t in q["sql"] for t in STATISTICS_TABLES)]
    assert on_primary  # the session, the account and the catalog stay on the primary
