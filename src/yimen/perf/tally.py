"""The statistics of generated cases: each case's contributions (from the same functions
the running counts use) are staged in scratch tables and summed by the database at the
end, so no count of millions of keys is held in memory."""

from django.db import connection

from yimen.oversight.models.stats import HISTOGRAM_CAP, CaseDailyStat, CaseWorkdayCount
from yimen.oversight.services import stats
from yimen.perf.loader import Loader

CONTRIBUTIONS = "perf_stat_contribution"
WORKDAYS = "perf_stat_workdays"
KEY_COLUMNS = stats.KEY_FIELDS  # day, department_id, center_id, channel, item_id
KEY_TYPES = "day date, department_id bigint, center_id bigint, channel varchar(10), item_id bigint"


class Tally:
    def __init__(self, loader: Loader):
        self.contributions = loader.table(CONTRIBUTIONS, *KEY_COLUMNS, *CaseDailyStat.COUNTS)
        self.workdays = loader.table(WORKDAYS, *KEY_COLUMNS, "workdays")

    def add(self, contribution: stats.Contribution) -> None:
        counts = contribution.counts
        self.contributions.add(*contribution.key, *(counts.get(n, 0) for n in CaseDailyStat.COUNTS))
        if contribution.workdays is not None:
            self.workdays.add(*contribution.key, min(contribution.workdays, HISTOGRAM_CAP))


def create_staging() -> None:
    unlogged = "UNLOGGED " if connection.vendor == "postgresql" else ""
    counts = ", ".join(f"{name} integer" for name in CaseDailyStat.COUNTS)
    with connection.cursor() as cursor:
        for table, columns in ((CONTRIBUTIONS, counts), (WORKDAYS, "workdays integer")):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE {unlogged}TABLE {table} ({KEY_TYPES}, {columns})")


def store(*, add_to_existing: bool) -> None:
    """Sum the staged contributions into the daily tables, those and the ratings into the
    monthly ones, and drop the scratch tables. When the tables held figures already, every
    figure is recounted from the cases."""
    keys = ", ".join(KEY_COLUMNS)
    sums = ", ".join(f"SUM({name})" for name in CaseDailyStat.COUNTS)
    daily, buckets = CaseDailyStat._meta.db_table, CaseWorkdayCount._meta.db_table
    with connection.cursor() as cursor:
        if not add_to_existing:
            cursor.execute(
                f"INSERT INTO {daily} ({keys}, {', '.join(CaseDailyStat.COUNTS)})"
                f" SELECT {keys}, {sums} FROM {CONTRIBUTIONS} GROUP BY {keys}"
            )
            cursor.execute(
                f"INSERT INTO {buckets} ({keys}, workdays, cases)"
                f" SELECT {keys}, workdays, COUNT(*) FROM {WORKDAYS} GROUP BY {keys}, workdays"
            )
        cursor.execute(f"DROP TABLE {CONTRIBUTIONS}")
        cursor.execute(f"DROP TABLE {WORKDAYS}")
    if add_to_existing:
        stats.stats_rebuild()
    else:
        stats.stats_fill_monthly()
