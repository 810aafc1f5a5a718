"""A case action locks the case's own row only: actions on other cases of the same item,
and ratings of them, do not wait for it (every case of an item shares the version's row
and the item's)."""

import threading

import pytest
from django.db import connection, transaction
from django.db.models.signals import post_save

from tests.factories.cases import accepted, at, open_tasks
from tests.factories.subjects import today
from yimen.cases import services
from yimen.cases.models import CaseEvent

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite runs one write transaction at a time; row locks are PostgreSQL's",
    ),
    pytest.mark.django_db(transaction=True),
]


def rows_taken_meanwhile(case, action) -> list[str]:
    """Which of the case's version, item and filing rows another transaction could lock
    at once while `action` was halfway (its event written)."""
    taken = []

    def take_each():
        tables = {
            "version": ("catalog_itemversion", case.version_id),
            "item": ("catalog_serviceitem", case.version.item_id),
            "filing": ("cases_filing", case.filing_id),
        }
        try:
            for name, (table, pk) in tables.items():
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE NOWAIT", [pk])
                taken.append(name)
        finally:
            connection.close()

    def meanwhile(sender, instance, created, **kwargs):
        if created:
            other = threading.Thread(target=take_each)
            other.start()
            other.join()

    post_save.connect(meanwhile, sender=CaseEvent, dispatch_uid="test-row-locks")
    try:
        action()
    finally:
        post_save.disconnect(sender=CaseEvent, dispatch_uid="test-row-locks")
    return taken


def test_completing_a_task_leaves_the_item_and_the_filing_free(crew, licence):
    case = accepted(crew, licence, day=today())
    task = open_tasks(case)[0]
    reviewer = crew.reviewers[task.department.code]

    def complete():
        services.task_complete(task=task, actor=reviewer, now=at(today()))

    assert rows_taken_meanwhile(case, complete) == ["version", "item", "filing"]
