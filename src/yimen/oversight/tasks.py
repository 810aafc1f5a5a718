"""Background work of the oversight app, run by `yimen db_worker` (django-tasks with its
database backend: a task is a row, so it needs no broker and survives restarts).

A notice to a regulator is delivered by a task queued when the notice is saved; a failed
attempt queues the next one for the time its outbox row names. The outbox row stays the
record of what is owed: `yimen outbox-deliver` delivers what is due whatever became of its
task.
"""

import functools
from collections.abc import Iterable

from django.db import transaction
from django_tasks import task

from yimen.oversight.services import exchange_delivery


@task()
def deliver_notice(message_id: str) -> str:
    """One attempt at delivering a notice to its regulator's webhook."""
    attempt = exchange_delivery.notice_deliver(message_id)
    if attempt.retry_at is not None:
        deliver_notice.using(run_after=attempt.retry_at).enqueue(message_id)
    return attempt.outcome


def deliver_after_commit(message_ids: Iterable) -> None:
    """Queue a delivery of each notice once the caller's transaction commits (so a worker
    never looks for a notice that is not there yet, nor for one rolled back). A queueing
    that fails is logged; the notice is still delivered by `yimen outbox-deliver`."""
    for message_id in message_ids:
        enqueue = functools.partial(deliver_notice.enqueue, str(message_id))
        transaction.on_commit(enqueue, robust=True)
