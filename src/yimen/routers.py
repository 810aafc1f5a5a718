"""Statistics reads from a read replica (installed only when YIMEN_REPLICA_URL is set).

The statistics pages read the daily and monthly statistics tables, which a few seconds of
replication lag does not change in any way that matters; every other read, and every
write, goes to the primary. A read inside a transaction stays on the primary too, so the
code that writes or recounts statistics (and the backup's snapshot) sees its own rows.
"""

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
# app_label.model_name of the models the statistics pages read.
REPLICA_MODELS = frozenset(
    {
        "oversight.casedailystat",
        "oversight.caseworkdaycount",
        "oversight.casemonthlystat",
        "oversight.casemonthlyworkdaycount",
        "oversight.ratingmonthlycount",
    }
)


class StatisticsReplicaRouter:
    def db_for_read(self, model, **hints) -> str:
        if (
            model._meta.label_lower in REPLICA_MODELS
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS
